import { type FormEvent, useMemo, useState } from 'react';
import { Link } from 'wouter';
import {
  type Category,
  type Collection,
  categoryTree,
  loadCategories,
  loadCollections,
} from '../api/catalog.js';
import { api, must, ok } from '../api/client.js';
import { ErrorMessage } from '../components/layout.js';
import { useAction, useLoad } from '../hooks.js';
import { useT } from '../i18n.js';
import { useSession } from '../session.js';

type Kind = 'categories' | 'collections';
type Item = (Category | Collection) & { depth?: number };

interface Draft {
  name: string;
  handle: string;
  description: string;
  parent_id: string;
  position: string;
  /** One translated name and description per locale. */
  translations: Array<{ locale: string; name: string; description: string }>;
}

const EMPTY: Draft = {
  name: '',
  handle: '',
  description: '',
  parent_id: '',
  position: '0',
  translations: [],
};
const nameOf = (item: Item) => ('name' in item ? item.name : item.title);

function toDraft(item: Item): Draft {
  return {
    name: nameOf(item),
    handle: item.handle,
    description: item.description,
    parent_id: 'parent_id' in item ? (item.parent_id ?? '') : '',
    position: 'position' in item ? String(item.position) : '0',
    translations: Object.entries(item.translations).map(([locale, text]) => ({
      locale,
      name: text.name ?? text.title ?? '',
      description: text.description ?? '',
    })),
  };
}

/** Categories (a tree) or collections (flat): list, create, edit, delete, and the products in each. */
export default function Taxonomy({ kind }: { kind: Kind }) {
  const t = useT();
  const { can } = useSession();
  const canWrite = can('catalog:write');
  const items = useLoad<Item[]>(
    async () => (kind === 'categories' ? categoryTree(await loadCategories()) : await loadCollections()),
    [kind],
  );
  const [editing, setEditing] = useState<Item | 'new' | null>(null);
  const [members, setMembers] = useState<Item | null>(null);
  const remove = useAction();
  const title = kind === 'categories' ? t('nav.categories') : t('nav.collections');

  const destroy = (item: Item) => {
    if (!window.confirm(t('taxonomy.confirmDelete', { name: nameOf(item) }))) return;
    void remove.run(async () => {
      const path = { params: { path: { id: item.id } } };
      ok(
        kind === 'categories'
          ? await api.DELETE('/admin/categories/{id}', path)
          : await api.DELETE('/admin/collections/{id}', path),
      );
      if (editing !== 'new' && editing?.id === item.id) setEditing(null);
      if (members?.id === item.id) setMembers(null);
      items.reload();
    });
  };

  return (
    <section>
      <header className="page-header">
        <h1>{title}</h1>
        {canWrite && (
          <button type="button" onClick={() => setEditing('new')}>
            {kind === 'categories' ? t('taxonomy.newCategory') : t('taxonomy.newCollection')}
          </button>
        )}
      </header>
      <ErrorMessage error={items.error ?? remove.error} />
      <table data-testid={`${kind}-table`}>
        <thead>
          <tr>
            <th scope="col">{t('taxonomy.name')}</th>
            <th scope="col">{t('editor.handle')}</th>
            <th scope="col">
              <span className="sr-only">{t('taxonomy.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.data?.length === 0 && (
            <tr>
              <td colSpan={3}>{t('common.none')}</td>
            </tr>
          )}
          {items.data?.map((item) => (
            <tr key={item.id}>
              <td style={{ paddingLeft: `${0.5 + (item.depth ?? 0) * 1.5}rem` }}>{nameOf(item)}</td>
              <td>{item.handle}</td>
              <td>
                <span className="actions">
                  <button
                    type="button"
                    className="link"
                    onClick={() => setMembers(item)}
                    aria-label={t('taxonomy.productsOf', { name: nameOf(item) })}
                  >
                    {t('nav.products')}
                  </button>
                  {canWrite && (
                    <>
                      <button
                        type="button"
                        className="link"
                        onClick={() => setEditing(item)}
                        aria-label={t('taxonomy.edit', { name: nameOf(item) })}
                      >
                        {t('taxonomy.editShort')}
                      </button>
                      <button
                        type="button"
                        className="link"
                        onClick={() => destroy(item)}
                        aria-label={t('taxonomy.delete', { name: nameOf(item) })}
                      >
                        {t('taxonomy.deleteShort')}
                      </button>
                    </>
                  )}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {editing && (
        <Editor
          key={editing === 'new' ? 'new' : editing.id}
          kind={kind}
          item={editing === 'new' ? null : editing}
          all={items.data ?? []}
          onDone={() => {
            setEditing(null);
            items.reload();
          }}
          onCancel={() => setEditing(null)}
        />
      )}
      {members && <Members key={members.id} kind={kind} item={members} canWrite={canWrite} />}
    </section>
  );
}

function Editor({
  kind,
  item,
  all,
  onDone,
  onCancel,
}: {
  kind: Kind;
  item: Item | null;
  all: Item[];
  onDone: () => void;
  onCancel: () => void;
}) {
  const t = useT();
  const action = useAction();
  const [draft, setDraft] = useState<Draft>(item ? toDraft(item) : EMPTY);
  const set = (change: Partial<Draft>) => setDraft({ ...draft, ...change });
  const nameKey = kind === 'categories' ? 'name' : 'title';
  // A category cannot move under itself or its own descendants (the API refuses that too).
  const parents = useMemo(() => {
    if (!item) return all;
    const banned = new Set([item.id]);
    for (const c of all) if ('parent_id' in c && c.parent_id && banned.has(c.parent_id)) banned.add(c.id);
    return all.filter((c) => !banned.has(c.id));
  }, [all, item]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const translations = Object.fromEntries(
      draft.translations
        .filter((tr) => tr.locale.trim() && (tr.name.trim() || tr.description.trim()))
        .map((tr) => [
          tr.locale.trim(),
          {
            ...(tr.name.trim() ? { [nameKey]: tr.name.trim() } : {}),
            ...(tr.description.trim() ? { description: tr.description.trim() } : {}),
          },
        ]),
    );
    const common = {
      ...(draft.handle.trim() ? { handle: draft.handle.trim() } : {}),
      description: draft.description,
      translations,
    };
    void action
      .run(async () => {
        if (kind === 'categories') {
          const body = {
            ...common,
            name: draft.name.trim(),
            parent_id: draft.parent_id || null,
            position: Math.max(0, Math.round(Number(draft.position) || 0)),
          };
          must(
            item
              ? await api.PATCH('/admin/categories/{id}', { params: { path: { id: item.id } }, body })
              : await api.POST('/admin/categories', { body }),
          );
        } else {
          const body = { ...common, title: draft.name.trim() };
          must(
            item
              ? await api.PATCH('/admin/collections/{id}', { params: { path: { id: item.id } }, body })
              : await api.POST('/admin/collections', { body }),
          );
        }
      })
      .then((saved) => saved && onDone());
  };
  const heading = item
    ? t('taxonomy.edit', { name: nameOf(item) })
    : kind === 'categories'
      ? t('taxonomy.newCategory')
      : t('taxonomy.newCollection');
  return (
    <form className="panel editor" onSubmit={submit} aria-label={heading}>
      <h2>{heading}</h2>
      <label>
        {t('taxonomy.name')}
        <input value={draft.name} onChange={(e) => set({ name: e.target.value })} required maxLength={300} />
      </label>
      <label>
        {t('editor.handle')}
        <input
          value={draft.handle}
          onChange={(e) => set({ handle: e.target.value })}
          pattern="[a-z0-9]+(-[a-z0-9]+)*"
          placeholder={t('taxonomy.handleHelp')}
        />
      </label>
      <label>
        {t('products.description')}
        <textarea value={draft.description} onChange={(e) => set({ description: e.target.value })} rows={3} />
      </label>
      {kind === 'categories' && (
        <div className="row">
          <label>
            {t('taxonomy.parent')}
            <select value={draft.parent_id} onChange={(e) => set({ parent_id: e.target.value })}>
              <option value="">{t('taxonomy.topLevel')}</option>
              {parents.map((c) => (
                <option key={c.id} value={c.id}>
                  {'\u00a0'.repeat((c.depth ?? 0) * 2)}
                  {nameOf(c)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('taxonomy.position')}
            <input
              type="number"
              min={0}
              step={1}
              value={draft.position}
              onChange={(e) => set({ position: e.target.value })}
            />
          </label>
        </div>
      )}
      <fieldset>
        <legend>{t('editor.translations')}</legend>
        {draft.translations.map((tr, index) => {
          const change = (c: Partial<Draft['translations'][number]>) =>
            set({ translations: draft.translations.map((x, i) => (i === index ? { ...x, ...c } : x)) });
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place
            <div className="variant-row" key={index}>
              <label>
                {t('taxonomy.localeOf', { n: index + 1 })}
                <input
                  value={tr.locale}
                  onChange={(e) => change({ locale: e.target.value })}
                  required
                  pattern="[a-z]{2}(-[A-Z]{2})?"
                  placeholder="pl"
                />
              </label>
              <label>
                {t('taxonomy.nameOf', { n: index + 1 })}
                <input
                  value={tr.name}
                  onChange={(e) => change({ name: e.target.value })}
                  placeholder={draft.name}
                />
              </label>
              <label>
                {t('taxonomy.descriptionOf', { n: index + 1 })}
                <input
                  value={tr.description}
                  onChange={(e) => change({ description: e.target.value })}
                  placeholder={draft.description}
                />
              </label>
              <button
                type="button"
                className="link"
                onClick={() => set({ translations: draft.translations.filter((_, i) => i !== index) })}
              >
                {t('taxonomy.removeTranslation', { n: index + 1 })}
              </button>
            </div>
          );
        })}
        <button
          type="button"
          className="secondary"
          onClick={() =>
            set({ translations: [...draft.translations, { locale: '', name: '', description: '' }] })
          }
        >
          {t('editor.addTranslation')}
        </button>
      </fieldset>
      <ErrorMessage error={action.error} />
      <div className="actions">
        <button type="submit" disabled={action.busy}>
          {item ? t('common.save') : t('taxonomy.create')}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

/** The products in one category or collection; add by search, remove; each change is one product PATCH. */
function Members({ kind, item, canWrite }: { kind: Kind; item: Item; canWrite: boolean }) {
  const t = useT();
  const filter = kind === 'categories' ? { category_id: item.id } : { collection_id: item.id };
  const members = useLoad(
    async () => must(await api.GET('/admin/products', { params: { query: { limit: 200, ...filter } } })),
    [item.id],
  );
  const [q, setQ] = useState('');
  const found = useLoad(
    async () =>
      q.trim()
        ? must(await api.GET('/admin/products', { params: { query: { limit: 10, q: q.trim() } } })).data
        : [],
    [q],
  );
  const action = useAction();
  // One call per change: the server locks the product while it edits the list, so concurrent edits of
  // its other links are kept.
  const change = (productId: string, add: boolean) =>
    void action.run(async () => {
      const body = add ? { add: [productId] } : { remove: [productId] };
      const path = { params: { path: { id: item.id } }, body };
      must(
        kind === 'categories'
          ? await api.POST('/admin/categories/{id}/products', path)
          : await api.POST('/admin/collections/{id}/products', path),
      );
      members.reload();
    });
  const memberIds = new Set(members.data?.data.map((p) => p.id));
  const heading = t('taxonomy.productsOf', { name: nameOf(item) });
  return (
    <article className="panel" aria-label={heading}>
      <h2>{heading}</h2>
      <ErrorMessage error={members.error ?? action.error ?? found.error} />
      <ul data-testid="members">
        {members.data?.data.length === 0 && <li>{t('common.none')}</li>}
        {members.data?.data.map((product) => (
          <li key={product.id}>
            <Link href={`/products/${product.id}`}>{product.title}</Link>{' '}
            {canWrite && (
              <button
                type="button"
                className="link"
                disabled={action.busy}
                onClick={() => change(product.id, false)}
                aria-label={t('taxonomy.removeProduct', { title: product.title })}
              >
                {t('taxonomy.remove')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {canWrite && (
        <>
          <label>
            {t('taxonomy.findProduct')}
            <input type="search" value={q} onChange={(e) => setQ(e.target.value)} />
          </label>
          <ul>
            {found.data
              ?.filter((p) => !memberIds.has(p.id))
              .map((product) => (
                <li key={product.id}>
                  {product.title}{' '}
                  <button
                    type="button"
                    className="link"
                    disabled={action.busy}
                    onClick={() => change(product.id, true)}
                    aria-label={t('taxonomy.addProduct', { title: product.title })}
                  >
                    {t('taxonomy.add')}
                  </button>
                </li>
              ))}
          </ul>
        </>
      )}
    </article>
  );
}
