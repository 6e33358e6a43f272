import { type FormEvent, useState } from 'react';
import { useLocation } from 'wouter';
import { api, must } from '../api/client.js';
import { ErrorMessage } from '../components/layout.js';
import { minorUnits } from '../format.js';
import { useAction, useLoad } from '../hooks.js';
import { useT } from '../i18n.js';

interface VariantDraft {
  option: string;
  sku: string;
  prices: Record<string, string>;
}

/** A new product: title, description, status, one option, and variants with a SKU and prices per currency. */
export default function ProductNew() {
  const t = useT();
  const [, navigate] = useLocation();
  const regions = useLoad(async () => must(await api.GET('/admin/regions')), []);
  const currencies = [...new Set((regions.data?.data ?? []).map((r) => r.currency_code))].sort();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [status, setStatus] = useState<'draft' | 'published'>('draft');
  const [optionName, setOptionName] = useState('');
  const [variants, setVariants] = useState<VariantDraft[]>([{ option: '', sku: '', prices: {} }]);
  const action = useAction();

  const update = (index: number, change: Partial<VariantDraft>) =>
    setVariants(variants.map((v, i) => (i === index ? { ...v, ...change } : v)));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const option = optionName.trim();
    void action
      .run(async () =>
        must(
          await api.POST('/admin/products', {
            body: {
              title,
              description,
              status,
              ...(option
                ? { options: [{ name: option, values: variants.map((v) => v.option.trim()) }] }
                : {}),
              variants: variants.map((v) => ({
                sku: v.sku.trim(),
                ...(option ? { options: { [option]: v.option.trim() } } : {}),
                prices: currencies.flatMap((currency) => {
                  const amount = minorUnits(v.prices[currency] ?? '', currency);
                  return amount === null ? [] : [{ currency_code: currency, amount }];
                }),
              })),
            },
          }),
        ),
      )
      .then((created) => created && navigate('/products'));
  };

  return (
    <section>
      <h1>{t('products.new')}</h1>
      <form className="editor" onSubmit={submit}>
        <label>
          {t('products.name')}
          <input value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={300} />
        </label>
        <label>
          {t('products.description')}
          <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={4} />
        </label>
        <label>
          {t('orders.status')}
          <select value={status} onChange={(e) => setStatus(e.target.value as 'draft' | 'published')}>
            <option value="draft">{t('product.draft')}</option>
            <option value="published">{t('product.published')}</option>
          </select>
        </label>
        <label>
          {t('products.optionName')}
          <input
            value={optionName}
            onChange={(e) => setOptionName(e.target.value)}
            placeholder={t('products.optionExample')}
          />
        </label>
        <fieldset>
          <legend>{t('products.variants')}</legend>
          {variants.map((variant, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place, never reordered
            <div className="variant-row" key={index} data-testid="variant-row">
              {optionName.trim() && (
                <label>
                  {t('products.optionValue', { option: optionName.trim(), n: index + 1 })}
                  <input
                    value={variant.option}
                    onChange={(e) => update(index, { option: e.target.value })}
                    required
                  />
                </label>
              )}
              <label>
                {t('products.sku', { n: index + 1 })}
                <input
                  value={variant.sku}
                  onChange={(e) => update(index, { sku: e.target.value })}
                  required
                />
              </label>
              {currencies.map((currency) => (
                <label key={currency}>
                  {t('products.price', { currency: currency.toUpperCase(), n: index + 1 })}
                  <input
                    inputMode="decimal"
                    value={variant.prices[currency] ?? ''}
                    onChange={(e) =>
                      update(index, { prices: { ...variant.prices, [currency]: e.target.value } })
                    }
                  />
                </label>
              ))}
              {variants.length > 1 && (
                <button
                  type="button"
                  className="link"
                  onClick={() => setVariants(variants.filter((_, i) => i !== index))}
                >
                  {t('products.removeVariant', { n: index + 1 })}
                </button>
              )}
            </div>
          ))}
          <button
            type="button"
            className="secondary"
            onClick={() => setVariants([...variants, { option: '', sku: '', prices: {} }])}
          >
            {t('products.addVariant')}
          </button>
        </fieldset>
        <ErrorMessage error={action.error ?? regions.error} />
        <button type="submit" disabled={action.busy}>
          {t('products.create')}
        </button>
      </form>
    </section>
  );
}
