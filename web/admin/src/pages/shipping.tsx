import { type FormEvent, useState } from 'react';
import { api, must } from '../api/client.js';
import { loadRegions } from '../api/regions.js';
import { ErrorMessage } from '../components/layout.js';
import { majorUnits, minorUnits, money } from '../format.js';
import { useAction, useLoad } from '../hooks.js';
import { type MessageKey, useLocale, useT } from '../i18n.js';
import { useSession } from '../session.js';

type PriceType = 'flat' | 'free_above' | 'weight_table';
const PRICE_TYPES: Record<PriceType, MessageKey> = {
  flat: 'shipping.flat',
  free_above: 'shipping.freeAbove',
  weight_table: 'shipping.weightTable',
};

type Option = NonNullable<Awaited<ReturnType<typeof loadOptions>>>[number];
const loadOptions = async (regionId: string) =>
  must(await api.GET('/admin/shipping-options', { params: { query: { region_id: regionId } } })).data;

/**
 * Shipping options of one region: flat, free above a subtotal, or priced by weight brackets; added,
 * edited, switched off or deleted (while unused) here.
 */
export default function Shipping() {
  const t = useT();
  const { locale } = useLocale();
  const { can } = useSession();
  const regions = useLoad(() => loadRegions(can('regions:read')), []);
  const [regionId, setRegionId] = useState('');
  const region = regions.data?.find((r) => r.id === regionId) ?? regions.data?.[0];
  const options = useLoad(async () => (region ? loadOptions(region.id) : []), [region?.id]);
  const action = useAction();
  const [name, setName] = useState('');
  const [provider, setProvider] = useState<'manual' | 'courier'>('manual');
  const [priceType, setPriceType] = useState<PriceType>('flat');
  const [amount, setAmount] = useState('');
  const [freeAbove, setFreeAbove] = useState('');
  const [brackets, setBrackets] = useState<{ maxGrams: string; amount: string }[]>([]);
  const [active, setActive] = useState(true);
  /** The option being edited; null: the form adds a new one. */
  const [editing, setEditing] = useState<Option | null>(null);
  const remove = useAction();
  const currency = region?.currency_code ?? 'EUR';

  const clear = () => {
    setEditing(null);
    setName('');
    setProvider('manual');
    setPriceType('flat');
    setAmount('');
    setFreeAbove('');
    setBrackets([]);
    setActive(true);
  };
  const edit = (option: Option) => {
    setEditing(option);
    setName(option.name);
    setProvider(option.provider === 'courier' ? 'courier' : 'manual');
    setPriceType(option.price_type);
    setAmount(majorUnits(option.amount, currency));
    setFreeAbove(majorUnits(option.free_above, currency));
    setBrackets(
      option.weight_table.map((b) => ({
        maxGrams: String(b.max_grams),
        amount: majorUnits(b.amount, currency),
      })),
    );
    setActive(option.active);
  };
  // Refused (409) while open orders or active carts use it: the API's message says to deactivate it instead.
  const deleteOption = (option: Option) => {
    if (!window.confirm(t('shipping.deleteConfirm', { name: option.name }))) return;
    void remove.run(async () => {
      must(await api.DELETE('/admin/shipping-options/{id}', { params: { path: { id: option.id } } }));
      if (editing?.id === option.id) clear();
      options.reload();
    });
  };

  const describe = (option: Option) => {
    if (option.price_type === 'free_above')
      return t('shipping.freeAboveSummary', {
        amount: money(option.amount, currency, locale),
        threshold: money(option.free_above, currency, locale),
      });
    if (option.price_type === 'weight_table')
      return option.weight_table
        .map((b) =>
          t('shipping.bracketSummary', { grams: b.max_grams, amount: money(b.amount, currency, locale) }),
        )
        .join(', ');
    return money(option.amount, currency, locale);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!region) return;
    void action.run(async () => {
      const fields = {
        name: name.trim(),
        provider,
        price_type: priceType,
        amount: minorUnits(amount || '0', currency) ?? 0,
        active,
        ...(priceType === 'free_above' ? { free_above: minorUnits(freeAbove, currency) } : {}),
        ...(priceType === 'weight_table'
          ? {
              weight_table: brackets.map((b) => ({
                max_grams: Math.round(Number(b.maxGrams)),
                amount: minorUnits(b.amount, currency) ?? 0,
              })),
            }
          : {}),
      };
      if (editing)
        must(
          await api.PATCH('/admin/shipping-options/{id}', {
            params: { path: { id: editing.id } },
            body: fields,
          }),
        );
      else must(await api.POST('/admin/shipping-options', { body: { region_id: region.id, ...fields } }));
      clear();
      options.reload();
    });
  };

  return (
    <section>
      <h1>{t('shipping.title')}</h1>
      <ErrorMessage error={regions.error ?? options.error} />
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('shipping.region')}
          <select
            value={region?.id ?? ''}
            onChange={(e) => {
              setRegionId(e.target.value);
              clear();
            }}
          >
            {regions.data?.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name} ({r.currency_code.toUpperCase()})
              </option>
            ))}
          </select>
        </label>
      </form>
      <table data-testid="shipping-table">
        <thead>
          <tr>
            <th scope="col">{t('shipping.name')}</th>
            <th scope="col">{t('shipping.provider')}</th>
            <th scope="col">{t('shipping.priceType')}</th>
            <th scope="col">{t('shipping.price')}</th>
            <th scope="col">{t('discounts.active')}</th>
            <th scope="col">
              <span className="sr-only">{t('orders.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {options.data?.length === 0 && (
            <tr>
              <td colSpan={6}>{t('common.none')}</td>
            </tr>
          )}
          {options.data?.map((option) => (
            <tr key={option.id}>
              <td>{option.name}</td>
              <td>{option.provider}</td>
              <td>{t(PRICE_TYPES[option.price_type])}</td>
              <td>{describe(option)}</td>
              <td>{t(option.active ? 'common.yes' : 'common.no')}</td>
              <td>
                {can('shipping:write') && (
                  <>
                    <button type="button" className="link" onClick={() => edit(option)}>
                      {t('shipping.edit', { name: option.name })}
                    </button>{' '}
                    <button
                      type="button"
                      className="link danger"
                      disabled={remove.busy}
                      onClick={() => deleteOption(option)}
                    >
                      {t('shipping.delete', { name: option.name })}
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorMessage error={remove.error} />
      {can('shipping:write') && region && (
        <article className="panel">
          <h2>
            {editing
              ? t('shipping.editTitle', { name: editing.name })
              : t('shipping.add', { region: region.name })}
          </h2>
          <form className="editor" onSubmit={submit}>
            <label>
              {t('shipping.name')}
              <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
            </label>
            <label>
              {t('shipping.provider')}
              <select value={provider} onChange={(e) => setProvider(e.target.value as 'manual' | 'courier')}>
                <option value="manual">{t('shipping.manual')}</option>
                <option value="courier">{t('shipping.courier')}</option>
              </select>
            </label>
            <label>
              {t('shipping.priceType')}
              <select value={priceType} onChange={(e) => setPriceType(e.target.value as PriceType)}>
                {Object.entries(PRICE_TYPES).map(([value, label]) => (
                  <option key={value} value={value}>
                    {t(label)}
                  </option>
                ))}
              </select>
            </label>
            {priceType !== 'weight_table' && (
              <label>
                {t('shipping.amountIn', { currency: currency.toUpperCase() })}
                <input
                  inputMode="decimal"
                  value={amount}
                  onChange={(e) => setAmount(e.target.value)}
                  required
                />
              </label>
            )}
            {priceType === 'free_above' && (
              <label>
                {t('shipping.freeAboveIn', { currency: currency.toUpperCase() })}
                <input
                  inputMode="decimal"
                  value={freeAbove}
                  onChange={(e) => setFreeAbove(e.target.value)}
                  required
                />
              </label>
            )}
            {priceType === 'weight_table' && (
              <fieldset>
                <legend>{t('shipping.weightTable')}</legend>
                {brackets.map((bracket, index) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity until saved
                  <div className="variant-row" key={index}>
                    <label>
                      {t('shipping.maxGramsOf', { n: index + 1 })}
                      <input
                        type="number"
                        min={1}
                        value={bracket.maxGrams}
                        onChange={(e) =>
                          setBrackets(
                            brackets.map((b, i) => (i === index ? { ...b, maxGrams: e.target.value } : b)),
                          )
                        }
                        required
                      />
                    </label>
                    <label>
                      {t('shipping.bracketAmountOf', { n: index + 1, currency: currency.toUpperCase() })}
                      <input
                        inputMode="decimal"
                        value={bracket.amount}
                        onChange={(e) =>
                          setBrackets(
                            brackets.map((b, i) => (i === index ? { ...b, amount: e.target.value } : b)),
                          )
                        }
                        required
                      />
                    </label>
                    <button
                      type="button"
                      className="link"
                      onClick={() => setBrackets(brackets.filter((_, i) => i !== index))}
                    >
                      {t('shipping.removeBracket', { n: index + 1 })}
                    </button>
                  </div>
                ))}
                <button
                  type="button"
                  className="secondary"
                  onClick={() => setBrackets([...brackets, { maxGrams: '', amount: '' }])}
                >
                  {t('shipping.addBracket')}
                </button>
              </fieldset>
            )}
            <label className="inline">
              <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
              {t('shipping.activeHint')}
            </label>
            <ErrorMessage error={action.error} />
            <div className="actions">
              <button type="submit" disabled={action.busy}>
                {editing ? t('common.save') : t('shipping.create')}
              </button>
              {editing && (
                <button type="button" className="secondary" onClick={clear}>
                  {t('common.cancel')}
                </button>
              )}
            </div>
          </form>
        </article>
      )}
    </section>
  );
}
