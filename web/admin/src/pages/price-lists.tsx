import { type FormEvent, useEffect, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api, must } from '../api/client.js';
import { loadRegions } from '../api/regions.js';
import type { paths } from '../api/schema.js';
import { ErrorMessage } from '../components/layout.js';
import { Pager } from '../components/pager.js';
import { dateTime, localInput, majorUnits, minorUnits } from '../format.js';
import { useAction, useLoad } from '../hooks.js';
import { useLocale, useT } from '../i18n.js';
import { useSession } from '../session.js';

type PriceList = paths['/admin/price-lists/{id}']['get']['responses']['200']['content']['application/json'];
type VariantLabel =
  paths['/admin/variants']['get']['responses']['200']['content']['application/json']['data'][number];

/** Price lists: sales with a window, customer-group prices and quantity tiers. */
export default function PriceLists() {
  const t = useT();
  const { locale } = useLocale();
  const { can } = useSession();
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const lists = useLoad(
    async () =>
      must(
        await api.GET('/admin/price-lists', {
          params: { query: { limit: 50, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    [cursor],
  );
  const when = (iso: string | null) => (iso ? dateTime(iso, locale) : '—');
  return (
    <section>
      <header className="page-header">
        <h1>{t('priceLists.title')}</h1>
        {can('pricing:write') && (
          <Link className="button" href="/price-lists/new">
            {t('priceLists.new')}
          </Link>
        )}
      </header>
      <ErrorMessage error={lists.error} />
      <table data-testid="price-lists-table">
        <thead>
          <tr>
            <th scope="col">{t('taxonomy.name')}</th>
            <th scope="col">{t('priceLists.type')}</th>
            <th scope="col">{t('orders.status')}</th>
            <th scope="col">{t('priceLists.startsAt')}</th>
            <th scope="col">{t('priceLists.endsAt')}</th>
            <th scope="col">{t('priceLists.groups')}</th>
          </tr>
        </thead>
        <tbody>
          {lists.data?.data.length === 0 && (
            <tr>
              <td colSpan={6}>{t('common.none')}</td>
            </tr>
          )}
          {lists.data?.data.map((list) => (
            <tr key={list.id}>
              <td>
                <Link href={`/price-lists/${list.id}`}>{list.name}</Link>
              </td>
              <td>{list.type === 'sale' ? t('priceLists.sale') : t('priceLists.override')}</td>
              <td>{list.status === 'active' ? t('priceLists.active') : t('product.draft')}</td>
              <td>{when(list.starts_at)}</td>
              <td>{when(list.ends_at)}</td>
              <td>{list.customer_group_ids.length || t('priceLists.everyone')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager cursors={cursors} setCursors={setCursors} next={lists.data?.next_cursor} />
    </section>
  );
}

interface PriceRow {
  variant_id: string;
  currency_code: string;
  amount: string;
  min_quantity: string;
}

interface Draft {
  name: string;
  description: string;
  type: 'sale' | 'override';
  status: 'active' | 'draft';
  starts_at: string;
  ends_at: string;
  customer_group_ids: string[];
  prices: PriceRow[];
}

const EMPTY: Draft = {
  name: '',
  description: '',
  type: 'sale',
  status: 'active',
  starts_at: '',
  ends_at: '',
  customer_group_ids: [],
  prices: [],
};

function toDraft(list: PriceList): Draft {
  return {
    name: list.name,
    description: list.description ?? '',
    type: list.type === 'override' ? 'override' : 'sale',
    status: list.status === 'draft' ? 'draft' : 'active',
    starts_at: localInput(list.starts_at),
    ends_at: localInput(list.ends_at),
    customer_group_ids: list.customer_group_ids,
    prices: list.prices.map((p) => ({
      variant_id: p.variant_id,
      currency_code: p.currency_code.toLowerCase(),
      amount: majorUnits(p.amount, p.currency_code),
      min_quantity: String(p.min_quantity),
    })),
  };
}

/** `datetime-local` (the browser's zone) → ISO instant, or null when empty. */
const instant = (local: string) => (local ? new Date(local).toISOString() : null);

/** Create (`id` absent) or edit a price list and every price in it; one save writes it all. */
export function PriceListEdit({ id }: { id?: string }) {
  const t = useT();
  const { can } = useSession();
  const [, navigate] = useLocation();
  const canWrite = can('pricing:write');
  const existing = useLoad(
    async () => (id ? must(await api.GET('/admin/price-lists/{id}', { params: { path: { id } } })) : null),
    [id],
  );
  const groups = useLoad(
    async () => (can('customers:read') ? must(await api.GET('/admin/customer-groups')).data : null),
    [],
  );
  const regions = useLoad(() => loadRegions(can('regions:read')), []);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [labels, setLabels] = useState<Record<string, VariantLabel>>({});
  const action = useAction();
  useEffect(() => {
    if (!existing.data) return;
    setDraft(toDraft(existing.data));
    const ids = [...new Set(existing.data.prices.map((p) => p.variant_id))].slice(0, 200);
    if (ids.length > 0 && can('catalog:read'))
      void api.GET('/admin/variants', { params: { query: { ids } } }).then((answer) => {
        if (answer.data) setLabels(Object.fromEntries(answer.data.data.map((v) => [v.id, v])));
      });
  }, [existing.data, can]);
  const currencies = [
    ...new Set([
      ...(regions.data ?? []).map((r) => r.currency_code.toLowerCase()),
      ...draft.prices.map((p) => p.currency_code),
    ]),
  ].sort();
  const set = (change: Partial<Draft>) => setDraft({ ...draft, ...change });
  const setPrice = (index: number, change: Partial<PriceRow>) =>
    set({ prices: draft.prices.map((p, i) => (i === index ? { ...p, ...change } : p)) });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action
      .run(async () => {
        const prices = draft.prices.map((p, i) => {
          const amount = minorUnits(p.amount, p.currency_code);
          if (amount === null) throw new Error(t('priceLists.badAmount', { n: i + 1 }));
          return {
            variant_id: p.variant_id,
            currency_code: p.currency_code,
            amount,
            min_quantity: Math.max(1, Math.round(Number(p.min_quantity) || 1)),
          };
        });
        const body = {
          name: draft.name.trim(),
          description: draft.description.trim() || null,
          type: draft.type,
          status: draft.status,
          starts_at: instant(draft.starts_at),
          ends_at: instant(draft.ends_at),
          ...(groups.data ? { customer_group_ids: draft.customer_group_ids } : {}),
          prices,
        };
        return must(
          id
            ? await api.PATCH('/admin/price-lists/{id}', { params: { path: { id } }, body })
            : await api.POST('/admin/price-lists', { body }),
        );
      })
      .then((saved) => saved && navigate('/price-lists'));
  };
  const destroy = () => {
    if (!id || !window.confirm(t('priceLists.confirmDelete', { name: draft.name }))) return;
    void action
      .run(async () => must(await api.DELETE('/admin/price-lists/{id}', { params: { path: { id } } })))
      .then((deleted) => deleted && navigate('/price-lists'));
  };

  if (existing.error) return <ErrorMessage error={existing.error} />;
  if (id && !existing.data) return <p className="loading">{t('common.loading')}</p>;
  const label = (variantId: string) => {
    const v = labels[variantId];
    return v ? `${v.product_title} — ${v.title}${v.sku ? ` (${v.sku})` : ''}` : variantId;
  };
  return (
    <section>
      <header className="page-header">
        <h1>{id ? t('priceLists.edit') : t('priceLists.new')}</h1>
        <Link href="/price-lists">{t('priceLists.back')}</Link>
      </header>
      <form className="editor wide" onSubmit={submit}>
        <fieldset disabled={!canWrite}>
          <legend>{t('editor.details')}</legend>
          <label>
            {t('taxonomy.name')}
            <input
              value={draft.name}
              onChange={(e) => set({ name: e.target.value })}
              required
              maxLength={200}
            />
          </label>
          <label>
            {t('products.description')}
            <textarea
              value={draft.description}
              onChange={(e) => set({ description: e.target.value })}
              rows={2}
              maxLength={2000}
            />
          </label>
          <div className="row">
            <label>
              {t('priceLists.type')}
              <select value={draft.type} onChange={(e) => set({ type: e.target.value as Draft['type'] })}>
                <option value="sale">{t('priceLists.sale')}</option>
                <option value="override">{t('priceLists.override')}</option>
              </select>
            </label>
            <label>
              {t('orders.status')}
              <select
                value={draft.status}
                onChange={(e) => set({ status: e.target.value as Draft['status'] })}
              >
                <option value="active">{t('priceLists.active')}</option>
                <option value="draft">{t('product.draft')}</option>
              </select>
            </label>
            <label>
              {t('priceLists.startsAt')}
              <input
                type="datetime-local"
                value={draft.starts_at}
                onChange={(e) => set({ starts_at: e.target.value })}
              />
            </label>
            <label>
              {t('priceLists.endsAt')}
              <input
                type="datetime-local"
                value={draft.ends_at}
                onChange={(e) => set({ ends_at: e.target.value })}
              />
            </label>
          </div>
          <p className="muted">{t('priceLists.typeHelp')}</p>
        </fieldset>
        {groups.data && (
          <fieldset disabled={!canWrite} className="checklist">
            <legend>{t('priceLists.groups')}</legend>
            <p className="muted">{t('priceLists.groupsHelp')}</p>
            {groups.data.length === 0 && <p className="muted">{t('common.none')}</p>}
            {groups.data.map((group) => (
              <label key={group.id} className="inline">
                <input
                  type="checkbox"
                  checked={draft.customer_group_ids.includes(group.id)}
                  onChange={() =>
                    set({
                      customer_group_ids: draft.customer_group_ids.includes(group.id)
                        ? draft.customer_group_ids.filter((g) => g !== group.id)
                        : [...draft.customer_group_ids, group.id],
                    })
                  }
                />
                {group.name}
              </label>
            ))}
          </fieldset>
        )}
        <fieldset disabled={!canWrite}>
          <legend>{t('priceLists.prices')}</legend>
          <p className="muted">{t('priceLists.tiersHelp')}</p>
          <div className="scroll">
            <table data-testid="price-list-prices">
              <thead>
                <tr>
                  <th scope="col">{t('priceLists.variant')}</th>
                  <th scope="col">{t('priceLists.currency')}</th>
                  <th scope="col">{t('priceLists.amount')}</th>
                  <th scope="col">{t('priceLists.minQuantity')}</th>
                  <th scope="col">
                    <span className="sr-only">{t('taxonomy.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {draft.prices.length === 0 && (
                  <tr>
                    <td colSpan={5}>{t('common.none')}</td>
                  </tr>
                )}
                {draft.prices.map((price, index) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place
                  <tr key={index}>
                    <td>{label(price.variant_id)}</td>
                    <td>
                      <select
                        aria-label={t('priceLists.currencyOf', { n: index + 1 })}
                        value={price.currency_code}
                        onChange={(e) => setPrice(index, { currency_code: e.target.value })}
                      >
                        {currencies.map((c) => (
                          <option key={c} value={c}>
                            {c.toUpperCase()}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>
                      <input
                        aria-label={t('priceLists.amountOf', { n: index + 1 })}
                        inputMode="decimal"
                        required
                        value={price.amount}
                        onChange={(e) => setPrice(index, { amount: e.target.value })}
                      />
                    </td>
                    <td>
                      <input
                        aria-label={t('priceLists.minQuantityOf', { n: index + 1 })}
                        type="number"
                        min={1}
                        step={1}
                        value={price.min_quantity}
                        onChange={(e) => setPrice(index, { min_quantity: e.target.value })}
                      />
                    </td>
                    <td>
                      <button
                        type="button"
                        className="link"
                        onClick={() => set({ prices: draft.prices.filter((_, i) => i !== index) })}
                      >
                        {t('priceLists.removePrice', { n: index + 1 })}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {canWrite && can('catalog:read') && (
            <VariantPicker
              onPick={(variant) => {
                setLabels({ ...labels, [variant.id]: variant });
                set({
                  prices: [
                    ...draft.prices,
                    {
                      variant_id: variant.id,
                      currency_code: currencies[0] ?? 'eur',
                      amount: '',
                      min_quantity: '1',
                    },
                  ],
                });
              }}
            />
          )}
        </fieldset>
        <ErrorMessage error={action.error ?? groups.error ?? regions.error} />
        {canWrite && (
          <div className="actions">
            <button type="submit" disabled={action.busy}>
              {id ? t('common.save') : t('priceLists.create')}
            </button>
            {id && (
              <button type="button" className="danger" disabled={action.busy} onClick={destroy}>
                {t('priceLists.delete')}
              </button>
            )}
          </div>
        )}
      </form>
    </section>
  );
}

/** Find a product by title or SKU and pick one of its variants. */
function VariantPicker({ onPick }: { onPick: (variant: VariantLabel) => void }) {
  const t = useT();
  const [q, setQ] = useState('');
  const found = useLoad(
    async () =>
      q.trim()
        ? must(await api.GET('/admin/products', { params: { query: { limit: 10, q: q.trim() } } })).data
        : [],
    [q],
  );
  return (
    <div>
      <label>
        {t('priceLists.findVariant')}
        <input type="search" value={q} onChange={(e) => setQ(e.target.value)} />
      </label>
      <ErrorMessage error={found.error} />
      <ul data-testid="variant-results">
        {found.data?.flatMap((product) =>
          product.variants.map((variant) => {
            const picked = {
              id: variant.id,
              product_id: product.id,
              product_title: product.title,
              title: variant.title,
              sku: variant.sku,
            };
            const name = `${product.title} — ${variant.title}${variant.sku ? ` (${variant.sku})` : ''}`;
            return (
              <li key={variant.id}>
                {name}{' '}
                <button
                  type="button"
                  className="link"
                  onClick={() => onPick(picked)}
                  aria-label={t('priceLists.addPriceFor', { name })}
                >
                  {t('priceLists.addPrice')}
                </button>
              </li>
            );
          }),
        )}
      </ul>
    </div>
  );
}
