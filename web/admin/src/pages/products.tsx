import { useMemo, useState } from 'react';
import { Link } from 'wouter';
import { ApiError, api, must } from '../api/client.js';
import { ErrorMessage } from '../components/layout.js';
import { Pager } from '../components/pager.js';
import { useAction, useLoad } from '../hooks.js';
import { type MessageKey, useT } from '../i18n.js';
import { useSession } from '../session.js';

type Status = 'draft' | 'published' | 'archived';
const STATUSES: Status[] = ['draft', 'published', 'archived'];

export default function Products() {
  const t = useT();
  const { can } = useSession();
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<Status | ''>('');
  const [cursors, setCursors] = useState<string[]>([]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const query = useMemo(
    () => ({
      limit: 25,
      ...(q.trim() ? { q: q.trim() } : {}),
      ...(status ? { status } : {}),
      ...(cursors.length ? { cursor: cursors[cursors.length - 1] } : {}),
    }),
    [q, status, cursors],
  );
  const products = useLoad(
    async () => must(await api.GET('/admin/products', { params: { query } })),
    [query],
  );
  const bulk = useAction();
  const canWrite = can('catalog:write');
  const rows = products.data?.data ?? [];

  const setAll = (next: Status) =>
    bulk.run(async () => {
      // One PATCH per product: each is its own change with its own event and cache invalidation.
      await Promise.all(
        [...selected].map(async (id) =>
          must(await api.PATCH('/admin/products/{id}', { params: { path: { id } }, body: { status: next } })),
        ),
      );
      setSelected(new Set());
      products.reload();
    });
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };

  return (
    <section>
      <header className="page-header">
        <h1>{t('products.title')}</h1>
        <div className="actions">
          <a className="button secondary" href="/admin/products/export" download>
            {t('products.export')}
          </a>
          {canWrite && (
            <Link className="button" href="/products/new">
              {t('products.new')}
            </Link>
          )}
        </div>
      </header>
      <search>
        <form className="filters" onSubmit={(event) => event.preventDefault()}>
          <label>
            {t('orders.search')}
            <input
              type="search"
              value={q}
              onChange={(e) => {
                setCursors([]);
                setQ(e.target.value);
              }}
            />
          </label>
          <label>
            {t('orders.status')}
            <select
              value={status}
              onChange={(e) => {
                setCursors([]);
                setStatus(e.target.value as Status | '');
              }}
            >
              <option value="">{t('common.any')}</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`product.${s}` as MessageKey)}
                </option>
              ))}
            </select>
          </label>
        </form>
      </search>
      {canWrite && (
        <div className="bulk" role="toolbar" aria-label={t('products.bulk')}>
          <span>{t('products.selected', { count: selected.size })}</span>
          <button
            type="button"
            disabled={selected.size === 0 || bulk.busy}
            onClick={() => void setAll('published')}
          >
            {t('products.publish')}
          </button>
          <button
            type="button"
            disabled={selected.size === 0 || bulk.busy}
            onClick={() => void setAll('archived')}
          >
            {t('products.archive')}
          </button>
        </div>
      )}
      <ErrorMessage error={products.error ?? bulk.error} />
      <table data-testid="products-table">
        <thead>
          <tr>
            {canWrite && (
              <th scope="col">
                <span className="sr-only">{t('products.select')}</span>
              </th>
            )}
            <th scope="col">{t('products.name')}</th>
            <th scope="col">{t('orders.status')}</th>
            <th scope="col">{t('products.variants')}</th>
            <th scope="col">SKU</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={5}>{t('common.none')}</td>
            </tr>
          )}
          {rows.map((product) => (
            <tr key={product.id}>
              {canWrite && (
                <td>
                  <input
                    type="checkbox"
                    aria-label={t('products.selectOne', { title: product.title })}
                    checked={selected.has(product.id)}
                    onChange={() => toggle(product.id)}
                  />
                </td>
              )}
              <td>
                <Link href={`/products/${product.id}`}>{product.title}</Link>
              </td>
              <td>{t(`product.${product.status}` as MessageKey)}</td>
              <td>{product.variants.length}</td>
              <td>{product.variants.map((v) => v.sku).join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager cursors={cursors} setCursors={setCursors} next={products.data?.next_cursor} />
      {canWrite && <Import onDone={products.reload} />}
    </section>
  );
}

/** CSV import: the whole file or nothing; a rejected file lists each row's problem. */
function Import({ onDone }: { onDone: () => void }) {
  const t = useT();
  const action = useAction();
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<{
    rows: number;
    products_created: number;
    products_updated: number;
  } | null>(null);
  const rowErrors = action.error instanceof ApiError ? action.error.details : [];
  return (
    <article className="panel" aria-labelledby="import-heading">
      <h2 id="import-heading">{t('products.import')}</h2>
      <p>{t('products.importHelp')}</p>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (!file) return;
          setResult(null);
          void action.run(async () => {
            const text = await file.text();
            const answer = must(
              await api.POST('/admin/products/import', {
                body: text,
                bodySerializer: (body) => body,
                headers: { 'content-type': 'text/csv' },
              }),
            );
            setResult(answer);
            onDone();
          });
        }}
      >
        <label>
          {t('products.file')}
          <input
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            required
          />
        </label>
        <button type="submit" disabled={action.busy || !file}>
          {action.busy ? t('products.importing') : t('products.importButton')}
        </button>
      </form>
      {action.busy && <progress aria-label={t('products.importing')} />}
      <ErrorMessage error={action.error} />
      {rowErrors.length > 0 && (
        <table data-testid="import-errors">
          <thead>
            <tr>
              <th scope="col">{t('products.row')}</th>
              <th scope="col">{t('products.column')}</th>
              <th scope="col">{t('products.problem')}</th>
            </tr>
          </thead>
          <tbody>
            {rowErrors.map((problem, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the API's list, shown as is
              <tr key={index}>
                <td>{String(problem.row ?? problem.line ?? '')}</td>
                <td>{String(problem.column ?? '')}</td>
                <td>{String(problem.message ?? '')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {result && (
        <p role="status" data-testid="import-result">
          {t('products.imported', {
            rows: result.rows,
            created: result.products_created,
            updated: result.products_updated,
          })}
        </p>
      )}
    </article>
  );
}
