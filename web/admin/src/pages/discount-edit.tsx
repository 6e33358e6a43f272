import { type FormEvent, useEffect, useState } from 'react';
import { useLocation } from 'wouter';
import { productsById, searchProducts, searchVariants } from '../api/catalog-search.js';
import { api, must } from '../api/client.js';
import { loadRegions } from '../api/regions.js';
import { ErrorMessage } from '../components/layout.js';
import { SearchPicker } from '../components/search-picker.js';
import { localInput, majorUnits, minorUnits } from '../format.js';
import { useAction, useLoad } from '../hooks.js';
import { useT } from '../i18n.js';
import { useSession } from '../session.js';
import { KIND_LABELS } from './discounts.js';

type Kind = 'percentage' | 'fixed' | 'free_shipping' | 'buy_x_get_y';
type IdList = 'product_ids' | 'variant_ids' | 'category_ids' | 'collection_ids' | 'customer_group_ids';

interface Draft {
  code: string;
  kind: Kind;
  value: string;
  currency: string;
  minSubtotal: string;
  ids: Record<IdList, string[]>;
  buyQuantity: string;
  getQuantity: string;
  maxApplications: string;
  startsAt: string;
  endsAt: string;
  usageLimit: string;
  perCustomerLimit: string;
  stacking: 'exclusive' | 'combinable';
  priority: string;
  active: boolean;
}

const EMPTY: Draft = {
  code: '',
  kind: 'percentage',
  value: '',
  currency: 'EUR',
  minSubtotal: '',
  ids: { product_ids: [], variant_ids: [], category_ids: [], collection_ids: [], customer_group_ids: [] },
  buyQuantity: '',
  getQuantity: '',
  maxApplications: '',
  startsAt: '',
  endsAt: '',
  usageLimit: '',
  perCustomerLimit: '',
  stacking: 'combinable',
  priority: '0',
  active: true,
};

const whole = (typed: string): number | null => (typed.trim() ? Math.round(Number(typed)) : null);
/** Percent typed by the merchant → basis points the engine uses (15 → 1500). */
const basisPoints = (typed: string): number => Math.round(Number(typed.replace(',', '.')) * 100);

/** Create (`id` absent) or edit a promotion: every rule kind, condition, limit and the stacking order. */
export default function DiscountEdit({ id }: { id?: string }) {
  const t = useT();
  const { can } = useSession();
  const [, navigate] = useLocation();
  const action = useAction();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const existing = useLoad(
    async () => (id ? must(await api.GET('/admin/promotions/{id}', { params: { path: { id } } })) : null),
    [id],
  );
  const regions = useLoad(() => loadRegions(can('regions:read')), []);
  // The condition pickers: each list needs its own read permission, so a list the user cannot read is left out.
  // Products and variants are searched as typed (a shop has thousands); the shorter lists are listed whole.
  const categories = useLoad(
    async () =>
      can('catalog:read')
        ? must(await api.GET('/admin/categories', { params: { query: { limit: 200 } } })).data
        : [],
    [],
  );
  const collections = useLoad(
    async () =>
      can('catalog:read')
        ? must(await api.GET('/admin/collections', { params: { query: { limit: 200 } } })).data
        : [],
    [],
  );
  const groups = useLoad(
    async () => (can('customers:read') ? must(await api.GET('/admin/customer-groups')).data : []),
    [],
  );

  useEffect(() => {
    const p = existing.data;
    if (!p) return;
    const currency = (p.currency_code ?? 'EUR').toUpperCase();
    setDraft({
      code: p.code ?? '',
      kind: p.kind,
      value:
        p.kind === 'fixed'
          ? majorUnits(p.value, currency)
          : p.kind === 'free_shipping'
            ? ''
            : String(p.value / 100),
      currency,
      minSubtotal: majorUnits(p.conditions.min_subtotal, currency),
      ids: {
        product_ids: p.conditions.product_ids ?? [],
        variant_ids: p.conditions.variant_ids ?? [],
        category_ids: p.conditions.category_ids ?? [],
        collection_ids: p.conditions.collection_ids ?? [],
        customer_group_ids: p.conditions.customer_group_ids ?? [],
      },
      buyQuantity: p.buy_quantity ? String(p.buy_quantity) : '',
      getQuantity: p.get_quantity ? String(p.get_quantity) : '',
      maxApplications: p.max_applications ? String(p.max_applications) : '',
      startsAt: localInput(p.starts_at),
      endsAt: localInput(p.ends_at),
      usageLimit: p.usage_limit ? String(p.usage_limit) : '',
      perCustomerLimit: p.per_customer_limit ? String(p.per_customer_limit) : '',
      stacking: p.stacking,
      priority: String(p.priority),
      active: p.active,
    });
  }, [existing.data]);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const currencies = [
    ...new Set([draft.currency, ...(regions.data?.map((r) => r.currency_code.toUpperCase()) ?? [])]),
  ];
  const needsCurrency = draft.kind === 'fixed' || draft.minSubtotal.trim() !== '';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const value =
        draft.kind === 'fixed'
          ? (minorUnits(draft.value, draft.currency) ?? 0)
          : draft.kind === 'free_shipping'
            ? 0
            : basisPoints(draft.value || '0');
      const minSubtotal = minorUnits(draft.minSubtotal, draft.currency);
      const conditions = {
        ...(minSubtotal !== null ? { min_subtotal: minSubtotal } : {}),
        ...Object.fromEntries(Object.entries(draft.ids).filter(([, list]) => list.length > 0)),
      };
      const body = {
        code: draft.code.trim() || null,
        kind: draft.kind,
        value,
        currency_code: needsCurrency ? draft.currency : null,
        conditions,
        buy_quantity: draft.kind === 'buy_x_get_y' ? whole(draft.buyQuantity) : null,
        get_quantity: draft.kind === 'buy_x_get_y' ? whole(draft.getQuantity) : null,
        max_applications: whole(draft.maxApplications),
        starts_at: draft.startsAt ? new Date(draft.startsAt).toISOString() : null,
        ends_at: draft.endsAt ? new Date(draft.endsAt).toISOString() : null,
        usage_limit: whole(draft.usageLimit),
        per_customer_limit: whole(draft.perCustomerLimit),
        stacking: draft.stacking,
        priority: whole(draft.priority) ?? 0,
        active: draft.active,
      };
      if (id) must(await api.PATCH('/admin/promotions/{id}', { params: { path: { id } }, body }));
      else must(await api.POST('/admin/promotions', { body }));
      navigate('/discounts');
    });
  };

  const picker = (list: IdList, label: string, options: { id: string; label: string }[] | null) =>
    options && options.length > 0 ? (
      <label>
        {label}
        <select
          multiple
          size={Math.min(6, options.length)}
          value={draft.ids[list]}
          onChange={(e) =>
            set('ids', {
              ...draft.ids,
              // Ids beyond the listed first page stay chosen: the picker cannot show them, so cannot unchoose them.
              [list]: [
                ...draft.ids[list].filter((chosen) => !options.some((option) => option.id === chosen)),
                ...[...e.target.selectedOptions].map((option) => option.value),
              ],
            })
          }
        >
          {options.map((option) => (
            <option key={option.id} value={option.id}>
              {option.label}
            </option>
          ))}
        </select>
      </label>
    ) : null;

  const readOnly = !can('discounts:write');
  return (
    <section>
      <h1>{id ? t('discounts.editTitle') : t('discounts.newTitle')}</h1>
      <ErrorMessage error={existing.error} />
      <form className="editor" onSubmit={submit}>
        <fieldset disabled={readOnly}>
          <legend>{t('discounts.rule')}</legend>
          <label>
            {t('discounts.code')}
            <input
              value={draft.code}
              onChange={(e) => set('code', e.target.value)}
              pattern="[A-Za-z0-9_\-]{2,64}"
              aria-describedby="code-hint"
            />
          </label>
          <p id="code-hint" className="muted">
            {t('discounts.codeHint')}
          </p>
          <label>
            {t('discounts.kind')}
            <select value={draft.kind} onChange={(e) => set('kind', e.target.value as Kind)}>
              {Object.entries(KIND_LABELS).map(([kind, label]) => (
                <option key={kind} value={kind}>
                  {t(label)}
                </option>
              ))}
            </select>
          </label>
          {draft.kind === 'percentage' && (
            <label>
              {t('discounts.percentOff')}
              <input
                inputMode="decimal"
                value={draft.value}
                onChange={(e) => set('value', e.target.value)}
                required
              />
            </label>
          )}
          {draft.kind === 'fixed' && (
            <label>
              {t('discounts.amountOff')}
              <input
                inputMode="decimal"
                value={draft.value}
                onChange={(e) => set('value', e.target.value)}
                required
              />
            </label>
          )}
          {draft.kind === 'buy_x_get_y' && (
            <>
              <label>
                {t('discounts.buyQuantity')}
                <input
                  type="number"
                  min={1}
                  value={draft.buyQuantity}
                  onChange={(e) => set('buyQuantity', e.target.value)}
                  required
                />
              </label>
              <label>
                {t('discounts.getQuantity')}
                <input
                  type="number"
                  min={1}
                  value={draft.getQuantity}
                  onChange={(e) => set('getQuantity', e.target.value)}
                  required
                />
              </label>
              <label>
                {t('discounts.getPercentOff')}
                <input
                  inputMode="decimal"
                  value={draft.value}
                  onChange={(e) => set('value', e.target.value)}
                  required
                />
              </label>
              <label>
                {t('discounts.maxApplications')}
                <input
                  type="number"
                  min={1}
                  value={draft.maxApplications}
                  onChange={(e) => set('maxApplications', e.target.value)}
                />
              </label>
            </>
          )}
          <label>
            {t('discounts.currency')}
            <select value={draft.currency} onChange={(e) => set('currency', e.target.value)}>
              {currencies.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
        </fieldset>
        <fieldset disabled={readOnly}>
          <legend>{t('discounts.conditions')}</legend>
          <label>
            {t('discounts.minSubtotal')}
            <input
              inputMode="decimal"
              value={draft.minSubtotal}
              onChange={(e) => set('minSubtotal', e.target.value)}
            />
          </label>
          {can('catalog:read') && (
            <>
              <SearchPicker
                label={t('discounts.products')}
                what={t('discounts.products')}
                value={draft.ids.product_ids}
                onChange={(ids) => set('ids', { ...draft.ids, product_ids: ids })}
                search={searchProducts}
                resolve={productsById}
                disabled={readOnly}
              />
              <SearchPicker
                label={t('discounts.variants')}
                what={t('discounts.variants')}
                value={draft.ids.variant_ids}
                onChange={(ids) => set('ids', { ...draft.ids, variant_ids: ids })}
                search={searchVariants}
                disabled={readOnly}
              />
            </>
          )}
          {picker(
            'category_ids',
            t('discounts.categories'),
            categories.data?.map((c) => ({ id: c.id, label: c.name })) ?? null,
          )}
          {picker(
            'collection_ids',
            t('discounts.collections'),
            collections.data?.map((c) => ({ id: c.id, label: c.title })) ?? null,
          )}
          {picker(
            'customer_group_ids',
            t('discounts.customerGroups'),
            groups.data?.map((g) => ({ id: g.id, label: g.name })) ?? null,
          )}
        </fieldset>
        <fieldset disabled={readOnly}>
          <legend>{t('discounts.limits')}</legend>
          <label>
            {t('discounts.usageLimit')}
            <input
              type="number"
              min={1}
              value={draft.usageLimit}
              onChange={(e) => set('usageLimit', e.target.value)}
            />
          </label>
          <label>
            {t('discounts.perCustomerLimit')}
            <input
              type="number"
              min={1}
              value={draft.perCustomerLimit}
              onChange={(e) => set('perCustomerLimit', e.target.value)}
            />
          </label>
          <label>
            {t('discounts.startsAt')}
            <input
              type="datetime-local"
              value={draft.startsAt}
              onChange={(e) => set('startsAt', e.target.value)}
            />
          </label>
          <label>
            {t('discounts.endsAt')}
            <input
              type="datetime-local"
              value={draft.endsAt}
              onChange={(e) => set('endsAt', e.target.value)}
            />
          </label>
          <label>
            {t('discounts.stacking')}
            <select
              value={draft.stacking}
              onChange={(e) => set('stacking', e.target.value as Draft['stacking'])}
            >
              <option value="combinable">{t('discounts.combinable')}</option>
              <option value="exclusive">{t('discounts.exclusive')}</option>
            </select>
          </label>
          <label>
            {t('discounts.priority')}
            <input
              type="number"
              min={-1000}
              max={1000}
              value={draft.priority}
              onChange={(e) => set('priority', e.target.value)}
            />
          </label>
          <label className="inline">
            <input type="checkbox" checked={draft.active} onChange={(e) => set('active', e.target.checked)} />
            {t('discounts.active')}
          </label>
        </fieldset>
        <ErrorMessage error={action.error} />
        {!readOnly && (
          <button type="submit" disabled={action.busy}>
            {id ? t('common.save') : t('discounts.create')}
          </button>
        )}
      </form>
    </section>
  );
}
