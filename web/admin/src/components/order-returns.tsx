import { type FormEvent, useState } from 'react';
import { api, must } from '../api/client.js';
import type { paths } from '../api/schema.js';
import { useAction, useLoad } from '../hooks.js';
import { type MessageKey, useLocale, useT } from '../i18n.js';
import { ErrorMessage } from './layout.js';

type Order = paths['/admin/orders/{id}']['get']['responses']['200']['content']['application/json'];

/** Returns of one order: request one for shipped units, then receive it (restock, refund). */
export function OrderReturns({
  order,
  canWrite,
  onChange,
}: {
  order: Order;
  canWrite: boolean;
  onChange: () => void;
}) {
  const t = useT();
  const { locale } = useLocale();
  const returns = useLoad(
    async () => must(await api.GET('/admin/orders/{id}/returns', { params: { path: { id: order.id } } })),
    [order],
  );
  const action = useAction();
  const [quantities, setQuantities] = useState<Record<string, string>>({});
  const [reason, setReason] = useState('');
  const [receiving, setReceiving] = useState<Record<string, { restock: boolean; refund: string }>>({});
  const returnable = order.items.filter((line) => line.fulfilled_quantity - line.returned_quantity > 0);
  const titles = new Map(order.items.map((line) => [line.id, line.title]));
  const decimals =
    new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: order.currency_code.toUpperCase(),
    }).resolvedOptions().maximumFractionDigits ?? 2;

  const request = (event: FormEvent) => {
    event.preventDefault();
    const items = returnable
      .map((line) => ({ line_item_id: line.id, quantity: Number(quantities[line.id] ?? 0) }))
      .filter((item) => item.quantity > 0);
    void action
      .run(async () =>
        must(
          await api.POST('/admin/orders/{id}/returns', {
            params: { path: { id: order.id } },
            body: { items, ...(reason.trim() ? { reason: reason.trim() } : {}) },
          }),
        ),
      )
      .then((done) => {
        if (!done) return;
        setQuantities({});
        setReason('');
        onChange();
      });
  };

  return (
    <article className="panel" aria-labelledby="returns-heading">
      <h2 id="returns-heading">{t('returns.title')}</h2>
      <ErrorMessage error={returns.error ?? action.error} />
      <ul className="fulfillments" data-testid="returns">
        {returns.data?.data.length === 0 && <li>{t('common.none')}</li>}
        {returns.data?.data.map((ret) => {
          const form = receiving[ret.id] ?? { restock: true, refund: '' };
          return (
            <li key={ret.id}>
              <strong>{t(`returns.${ret.status}` as MessageKey)}</strong> ·{' '}
              {ret.items
                .map((i) => `${i.quantity} × ${titles.get(i.line_item_id) ?? i.line_item_id}`)
                .join(', ')}
              {ret.reason && ` · ${ret.reason}`}
              {canWrite && ret.status === 'requested' && (
                <form
                  className="inline-form"
                  onSubmit={(event) => {
                    event.preventDefault();
                    const refund = form.refund.trim()
                      ? { refund_amount: Math.round(Number(form.refund.replace(',', '.')) * 10 ** decimals) }
                      : {};
                    void action
                      .run(async () =>
                        must(
                          await api.POST('/admin/orders/{id}/returns/{return_id}/receive', {
                            params: { path: { id: order.id, return_id: ret.id } },
                            body: { restock: form.restock, ...refund },
                          }),
                        ),
                      )
                      .then((done) => done && onChange());
                  }}
                >
                  <label className="inline">
                    <input
                      type="checkbox"
                      checked={form.restock}
                      onChange={(e) =>
                        setReceiving({ ...receiving, [ret.id]: { ...form, restock: e.target.checked } })
                      }
                    />
                    {t('returns.restock')}
                  </label>
                  <label>
                    {t('returns.refund', { currency: order.currency_code.toUpperCase() })}
                    <input
                      inputMode="decimal"
                      value={form.refund}
                      placeholder={t('returns.refundDefault')}
                      onChange={(e) =>
                        setReceiving({ ...receiving, [ret.id]: { ...form, refund: e.target.value } })
                      }
                    />
                  </label>
                  <button type="submit" disabled={action.busy}>
                    {t('returns.receive')}
                  </button>
                </form>
              )}
            </li>
          );
        })}
      </ul>
      {canWrite && returnable.length > 0 && order.status !== 'canceled' && (
        <form className="inline-form" onSubmit={request}>
          {returnable.map((line) => (
            <label key={line.id}>
              {t('returns.quantityOf', { title: line.title })}
              <input
                type="number"
                min={0}
                max={line.fulfilled_quantity - line.returned_quantity}
                value={quantities[line.id] ?? ''}
                onChange={(e) => setQuantities({ ...quantities, [line.id]: e.target.value })}
              />
            </label>
          ))}
          <label>
            {t('inventory.reason')}
            <input value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
          <button type="submit" disabled={action.busy}>
            {t('returns.request')}
          </button>
        </form>
      )}
    </article>
  );
}
