import { type FormEvent, useState } from 'react';
import { api, must } from '../api/client.js';
import { ErrorMessage } from '../components/layout.js';
import { useAction, useLoad } from '../hooks.js';
import { useT } from '../i18n.js';
import { useSession } from '../session.js';

type Region = NonNullable<ReturnType<typeof useRegions>['data']>['data'][number];

interface Draft {
  name: string;
  currency: string;
  countries: string;
  taxInclusive: boolean;
  defaultRate: string;
  overrides: { taxClassId: string; rate: string }[];
}

const EMPTY: Draft = {
  name: '',
  currency: '',
  countries: '',
  taxInclusive: true,
  defaultRate: '',
  overrides: [],
};

/** Percent as typed (23 or 7,5) → basis points (2300, 750); and back for the form. */
const toBp = (typed: string) => Math.round(Number(typed.replace(',', '.')) * 100);
const fromBp = (bp: number) => String(bp / 100);

function useRegions() {
  return useLoad(
    async () => must(await api.GET('/admin/regions', { params: { query: { limit: 200 } } })),
    [],
  );
}

/** Regions (countries, currency, tax-inclusive prices, default rate and per-class overrides) and tax classes. */
export default function Regions() {
  const t = useT();
  const { can } = useSession();
  const canWrite = can('regions:write');
  const regions = useRegions();
  const classes = useLoad(async () => must(await api.GET('/admin/tax-classes')), []);
  const action = useAction();
  const classAction = useAction();
  const removeRegion = useAction();
  const removeClass = useAction();
  const [editing, setEditing] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [klass, setKlass] = useState({ code: '', name: '' });
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const className = (id: string) => classes.data?.data.find((c) => c.id === id)?.name ?? id;

  const edit = (region: Region) => {
    setEditing(region.id);
    setDraft({
      name: region.name,
      currency: region.currency_code.toUpperCase(),
      countries: region.countries.join(', '),
      taxInclusive: region.tax_inclusive,
      defaultRate: fromBp(region.default_tax_rate_bp),
      overrides: region.tax_overrides.map((o) => ({ taxClassId: o.tax_class_id, rate: fromBp(o.rate_bp) })),
    });
  };
  const reset = () => {
    setEditing(null);
    setDraft(EMPTY);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const body = {
        name: draft.name.trim(),
        currency_code: draft.currency.trim(),
        tax_inclusive: draft.taxInclusive,
        default_tax_rate_bp: toBp(draft.defaultRate || '0'),
        countries: draft.countries
          .split(/[\s,;]+/)
          .map((c) => c.trim().toUpperCase())
          .filter(Boolean),
        tax_overrides: draft.overrides
          .filter((o) => o.taxClassId)
          .map((o) => ({ tax_class_id: o.taxClassId, rate_bp: toBp(o.rate || '0') })),
      };
      if (editing) must(await api.PATCH('/admin/regions/{id}', { params: { path: { id: editing } }, body }));
      else must(await api.POST('/admin/regions', { body }));
      reset();
      regions.reload();
    });
  };

  const addClass = (event: FormEvent) => {
    event.preventDefault();
    void classAction.run(async () => {
      must(
        await api.POST('/admin/tax-classes', { body: { code: klass.code.trim(), name: klass.name.trim() } }),
      );
      setKlass({ code: '', name: '' });
      classes.reload();
    });
  };

  // The API refuses (409) while orders, carts, shipping options or variants still use it; its message says which.
  const deleteRegion = (region: Region) => {
    if (!window.confirm(t('regions.deleteConfirm', { name: region.name }))) return;
    void removeRegion.run(async () => {
      must(await api.DELETE('/admin/regions/{id}', { params: { path: { id: region.id } } }));
      if (editing === region.id) reset();
      regions.reload();
    });
  };
  const deleteClass = (taxClass: { id: string; name: string }) => {
    if (!window.confirm(t('taxClasses.deleteConfirm', { name: taxClass.name }))) return;
    void removeClass.run(async () => {
      must(await api.DELETE('/admin/tax-classes/{id}', { params: { path: { id: taxClass.id } } }));
      classes.reload();
      regions.reload();
    });
  };

  return (
    <section>
      <h1>{t('regions.title')}</h1>
      <ErrorMessage error={regions.error ?? classes.error} />
      <ErrorMessage error={removeRegion.error} />
      <table data-testid="regions-table">
        <thead>
          <tr>
            <th scope="col">{t('regions.name')}</th>
            <th scope="col">{t('regions.countries')}</th>
            <th scope="col">{t('regions.currency')}</th>
            <th scope="col">{t('regions.taxInclusive')}</th>
            <th scope="col">{t('regions.defaultRate')}</th>
            <th scope="col">{t('regions.overrides')}</th>
            <th scope="col">
              <span className="sr-only">{t('orders.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {regions.data?.data.length === 0 && (
            <tr>
              <td colSpan={7}>{t('common.none')}</td>
            </tr>
          )}
          {regions.data?.data.map((region) => (
            <tr key={region.id}>
              <td>{region.name}</td>
              <td>{region.countries.join(', ').toUpperCase() || '—'}</td>
              <td>{region.currency_code.toUpperCase()}</td>
              <td>{t(region.tax_inclusive ? 'common.yes' : 'common.no')}</td>
              <td>{fromBp(region.default_tax_rate_bp)} %</td>
              <td>
                {region.tax_overrides
                  .map((o) => `${className(o.tax_class_id)}: ${fromBp(o.rate_bp)} %`)
                  .join(', ') || '—'}
              </td>
              <td>
                {canWrite && (
                  <>
                    <button type="button" className="link" onClick={() => edit(region)}>
                      {t('regions.edit', { name: region.name })}
                    </button>{' '}
                    <button
                      type="button"
                      className="link danger"
                      disabled={removeRegion.busy}
                      onClick={() => deleteRegion(region)}
                    >
                      {t('regions.delete', { name: region.name })}
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {canWrite && (
        <article className="panel">
          <h2>{editing ? t('regions.editTitle') : t('regions.create')}</h2>
          <form className="editor" onSubmit={submit}>
            <label>
              {t('regions.name')}
              <input
                value={draft.name}
                onChange={(e) => set('name', e.target.value)}
                required
                maxLength={200}
              />
            </label>
            <label>
              {t('regions.countriesHint')}
              <input value={draft.countries} onChange={(e) => set('countries', e.target.value)} />
            </label>
            <label>
              {t('regions.currency')}
              <input
                value={draft.currency}
                onChange={(e) => set('currency', e.target.value)}
                required
                pattern="[A-Za-z]{3}"
                maxLength={3}
              />
            </label>
            <label className="inline">
              <input
                type="checkbox"
                checked={draft.taxInclusive}
                onChange={(e) => set('taxInclusive', e.target.checked)}
              />
              {t('regions.taxInclusive')}
            </label>
            <label>
              {t('regions.defaultRatePercent')}
              <input
                inputMode="decimal"
                value={draft.defaultRate}
                onChange={(e) => set('defaultRate', e.target.value)}
                required
              />
            </label>
            <fieldset>
              <legend>{t('regions.overrides')}</legend>
              {draft.overrides.map((override, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity until saved
                <div className="variant-row" key={index}>
                  <label>
                    {t('regions.taxClassOf', { n: index + 1 })}
                    <select
                      value={override.taxClassId}
                      onChange={(e) =>
                        set(
                          'overrides',
                          draft.overrides.map((o, i) =>
                            i === index ? { ...o, taxClassId: e.target.value } : o,
                          ),
                        )
                      }
                      required
                    >
                      <option value="">—</option>
                      {classes.data?.data.map((c) => (
                        <option key={c.id} value={c.id}>
                          {c.name}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label>
                    {t('regions.rateOf', { n: index + 1 })}
                    <input
                      inputMode="decimal"
                      value={override.rate}
                      onChange={(e) =>
                        set(
                          'overrides',
                          draft.overrides.map((o, i) => (i === index ? { ...o, rate: e.target.value } : o)),
                        )
                      }
                      required
                    />
                  </label>
                  <button
                    type="button"
                    className="link"
                    onClick={() =>
                      set(
                        'overrides',
                        draft.overrides.filter((_, i) => i !== index),
                      )
                    }
                  >
                    {t('regions.removeOverride', { n: index + 1 })}
                  </button>
                </div>
              ))}
              <button
                type="button"
                className="secondary"
                onClick={() => set('overrides', [...draft.overrides, { taxClassId: '', rate: '' }])}
              >
                {t('regions.addOverride')}
              </button>
            </fieldset>
            <ErrorMessage error={action.error} />
            <div className="actions">
              <button type="submit" disabled={action.busy}>
                {editing ? t('common.save') : t('regions.createButton')}
              </button>
              {editing && (
                <button type="button" className="secondary" onClick={reset}>
                  {t('common.cancel')}
                </button>
              )}
            </div>
          </form>
        </article>
      )}
      <h2>{t('taxClasses.title')}</h2>
      <table data-testid="tax-classes-table">
        <thead>
          <tr>
            <th scope="col">{t('taxClasses.code')}</th>
            <th scope="col">{t('taxClasses.name')}</th>
            <th scope="col">
              <span className="sr-only">{t('orders.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {classes.data?.data.length === 0 && (
            <tr>
              <td colSpan={3}>{t('common.none')}</td>
            </tr>
          )}
          {classes.data?.data.map((c) => (
            <tr key={c.id}>
              <td>
                <code>{c.code}</code>
              </td>
              <td>{c.name}</td>
              <td>
                {canWrite && (
                  <button
                    type="button"
                    className="link danger"
                    disabled={removeClass.busy}
                    onClick={() => deleteClass(c)}
                  >
                    {t('taxClasses.delete', { name: c.name })}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorMessage error={removeClass.error} />
      {canWrite && (
        <form className="inline-form" onSubmit={addClass}>
          <label>
            {t('taxClasses.code')}
            <input
              value={klass.code}
              onChange={(e) => setKlass({ ...klass, code: e.target.value })}
              required
              pattern="[a-z0-9][a-z0-9_\-]{0,63}"
            />
          </label>
          <label>
            {t('taxClasses.name')}
            <input
              value={klass.name}
              onChange={(e) => setKlass({ ...klass, name: e.target.value })}
              required
            />
          </label>
          <button type="submit" disabled={classAction.busy}>
            {t('taxClasses.add')}
          </button>
          <ErrorMessage error={classAction.error} />
        </form>
      )}
    </section>
  );
}
