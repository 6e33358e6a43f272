import { type FormEvent, useState } from 'react';
import { Link } from 'wouter';
import { api, must } from '../api/client.js';
import { ErrorMessage } from '../components/layout.js';
import { OrderReturns } from '../components/order-returns.js';
import { PickList, type PickLocation } from '../components/pick-list.js';
import { dateTime, money } from '../format.js';
import { useAction, useLoad } from '../hooks.js';
import { type MessageKey, useLocale, useT } from '../i18n.js';
import { useSession } from '../session.js';

export default function OrderDetail({ id }: { id: string }) {
  const t = useT();
  const { locale } = useLocale();
  const { can } = useSession();
  const order = useLoad(
    async () => must(await api.GET('/admin/orders/{id}', { params: { path: { id } } })),
    [id],
  );
  const timeline = useLoad(
    async () => must(await api.GET('/admin/orders/{id}/timeline', { params: { path: { id } } })),
    [id, order.data],
  );
  const fulfillments = useLoad(
    async () => must(await api.GET('/admin/orders/{id}/fulfillments', { params: { path: { id } } })),
    [id, order.data],
  );
  // Location names for the fulfil buttons and pick lists; without inventory:read the ids stand in.
  const stockLocations = useLoad(
    async () =>
      can('inventory:read')
        ? new Map(must(await api.GET('/admin/stock-locations')).data.map((l) => [l.id, l]))
        : new Map<string, PickLocation>(),
    [],
  );
  const locationNames = {
    get: (id: string) => stockLocations.data?.get(id)?.name,
  };
  const pickLocation = (id: string): PickLocation =>
    stockLocations.data?.get(id) ?? { id, name: id, code: id };
  const action = useAction();
  const [refund, setRefund] = useState('');
  const [shipping, setShipping] = useState<Record<string, { carrier: string; tracking_number: string }>>({});

  const o = order.data;
  if (order.error) return <ErrorMessage error={order.error} />;
  if (!o) return <p className="loading">{t('common.loading')}</p>;
  const canWrite = can('orders:write');
  const canRefund = can('payments:write') && o.payment_id !== null;
  const locations = [...new Set(o.allocations.map((a) => a.location_id))];
  const unfulfilled = o.items.some((line) => line.fulfilled_quantity < line.quantity);
  const open = o.status !== 'canceled';
  const act = (run: () => Promise<unknown>) =>
    action.run(async () => {
      await run();
      order.reload();
    });
  const fmt = (amount: number) => money(amount, o.currency_code, locale);

  return (
    <section>
      <p>
        <Link href="/orders">← {t('orders.title')}</Link>
      </p>
      <header className="page-header">
        <h1>
          {t('orders.order')} {o.display_number}
        </h1>
        <span className="badge" data-testid="order-status">
          {t(`state.${o.status}` as MessageKey)}
        </span>
      </header>
      <ErrorMessage error={action.error} />
      <div className="grid-2">
        <article className="panel">
          <h2>{t('orders.items')}</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('common.product')}</th>
                <th scope="col">{t('orders.quantity')}</th>
                <th scope="col">{t('orders.fulfilled')}</th>
                <th scope="col">{t('orders.total')}</th>
              </tr>
            </thead>
            <tbody>
              {o.items.map((line) => (
                <tr key={line.id}>
                  <td>
                    {line.title} {line.sku && <small>({line.sku})</small>}
                  </td>
                  <td>{line.quantity}</td>
                  <td>{line.fulfilled_quantity}</td>
                  <td>{fmt(line.total)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <dl className="totals">
            <dt>{t('orders.subtotal')}</dt>
            <dd>{fmt(o.subtotal)}</dd>
            <dt>{t('orders.shipping')}</dt>
            <dd>{fmt(o.shipping_total)}</dd>
            <dt>{t('orders.tax')}</dt>
            <dd>{fmt(o.tax_total)}</dd>
            <dt>{t('orders.total')}</dt>
            <dd data-testid="order-total">{fmt(o.total)}</dd>
            <dt>{t('orders.refunded')}</dt>
            <dd data-testid="order-refunded">{fmt(o.refunded_total)}</dd>
          </dl>
          <p>
            {t('orders.customer')}: {o.email}
          </p>
          <p>
            {t('orders.payment')}: {t(`state.${o.payment_status}` as MessageKey)} · {t('orders.fulfilment')}:{' '}
            {t(`state.${o.fulfillment_status}` as MessageKey)}
          </p>
        </article>
        <article className="panel">
          <h2>{t('orders.actions')}</h2>
          {canWrite && open && o.payment_id && ['awaiting', 'authorized'].includes(o.payment_status) && (
            <button
              type="button"
              disabled={action.busy}
              onClick={() =>
                act(async () =>
                  must(await api.POST('/admin/orders/{id}/mark-paid', { params: { path: { id } } })),
                )
              }
            >
              {t('orders.capture')}
            </button>
          )}
          {canRefund && ['captured', 'partially_refunded'].includes(o.payment_status) && (
            <form
              className="inline-form"
              onSubmit={(event: FormEvent) => {
                event.preventDefault();
                const amount = Math.round(Number(refund.replace(',', '.')) * 100);
                void act(async () =>
                  must(
                    await api.POST('/admin/orders/{id}/refunds', {
                      params: { path: { id } },
                      body: { amount },
                    }),
                  ),
                ).then((done) => done && setRefund(''));
              }}
            >
              <label>
                {t('orders.refundAmount', { currency: o.currency_code.toUpperCase() })}
                <input
                  inputMode="decimal"
                  value={refund}
                  onChange={(e) => setRefund(e.target.value)}
                  required
                />
              </label>
              <button type="submit" disabled={action.busy}>
                {t('orders.refund')}
              </button>
            </form>
          )}
          {open &&
            unfulfilled &&
            locations.map((location) => (
              <div key={location} className="fulfil-location">
                <PickList key={o.updated_at} location={pickLocation(location)} orderId={o.id} />
                {canWrite && (
                  <button
                    type="button"
                    disabled={action.busy}
                    onClick={() =>
                      act(async () =>
                        must(
                          await api.POST('/admin/orders/{id}/fulfillments', {
                            params: { path: { id } },
                            body: { location_id: location },
                          }),
                        ),
                      )
                    }
                  >
                    {t('orders.fulfilFrom', { location: locationNames.get(location) ?? location })}
                  </button>
                )}
              </div>
            ))}
          {canWrite && open && ['pending', 'paid'].includes(o.status) && (
            <button
              type="button"
              className="danger"
              disabled={action.busy}
              onClick={() => {
                if (window.confirm(t('orders.cancelConfirm')))
                  void act(async () =>
                    must(await api.POST('/admin/orders/{id}/cancel', { params: { path: { id } }, body: {} })),
                  );
              }}
            >
              {t('orders.cancel')}
            </button>
          )}
          <h3>{t('orders.fulfillments')}</h3>
          {fulfillments.data?.data.length === 0 && <p>{t('common.none')}</p>}
          <ul className="fulfillments">
            {fulfillments.data?.data.map((f) => {
              const form = shipping[f.id] ?? { carrier: '', tracking_number: '' };
              return (
                <li key={f.id} data-testid="fulfillment">
                  <strong>{t(`state.${f.status}` as MessageKey)}</strong> ·{' '}
                  {locationNames.get(f.location_id) ?? f.location_id}
                  {f.tracking_number && ` · ${f.carrier} ${f.tracking_number}`}
                  {canWrite && f.status === 'pending' && (
                    <form
                      className="inline-form"
                      onSubmit={(event) => {
                        event.preventDefault();
                        void act(async () =>
                          must(
                            await api.POST('/admin/orders/{id}/fulfillments/{fulfillment_id}/shipments', {
                              params: { path: { id, fulfillment_id: f.id } },
                              body: form,
                            }),
                          ),
                        );
                      }}
                    >
                      <label>
                        {t('orders.carrier')}
                        <input
                          value={form.carrier}
                          required
                          onChange={(e) =>
                            setShipping({ ...shipping, [f.id]: { ...form, carrier: e.target.value } })
                          }
                        />
                      </label>
                      <label>
                        {t('orders.tracking')}
                        <input
                          value={form.tracking_number}
                          required
                          onChange={(e) =>
                            setShipping({ ...shipping, [f.id]: { ...form, tracking_number: e.target.value } })
                          }
                        />
                      </label>
                      <button type="submit" disabled={action.busy}>
                        {t('orders.ship')}
                      </button>
                    </form>
                  )}
                </li>
              );
            })}
          </ul>
        </article>
      </div>
      <OrderReturns order={o} canWrite={canWrite} onChange={order.reload} />
      <article className="panel">
        <h2>{t('orders.timeline')}</h2>
        <ol className="timeline" data-testid="timeline">
          {timeline.data?.data.map((entry) => (
            <li key={entry.id} data-kind={entry.kind}>
              <time dateTime={entry.created_at}>{dateTime(entry.created_at, locale)}</time>{' '}
              <span>{entry.message}</span>
            </li>
          ))}
        </ol>
      </article>
    </section>
  );
}
