import { useMemo, useState } from 'react';
import { Link } from 'wouter';
import { api, must } from '../api/client.js';
import type { paths } from '../api/schema.js';
import { ErrorMessage } from '../components/layout.js';
import { Pager } from '../components/pager.js';
import { dateTime, money } from '../format.js';
import { useLoad } from '../hooks.js';
import { type MessageKey, useLocale, useT } from '../i18n.js';

type Query = NonNullable<paths['/admin/orders']['get']['parameters']['query']>;
const STATUSES = [
  'pending',
  'paid',
  'partially_fulfilled',
  'fulfilled',
  'shipped',
  'delivered',
  'canceled',
  'partially_refunded',
  'refunded',
] as const;
const PAYMENT = ['awaiting', 'authorized', 'captured', 'partially_refunded', 'refunded', 'canceled'] as const;
const FULFILMENT = ['not_fulfilled', 'partially_fulfilled', 'fulfilled', 'shipped', 'delivered'] as const;

export default function Orders() {
  const t = useT();
  const { locale } = useLocale();
  const [filters, setFilters] = useState({
    status: '',
    payment_status: '',
    fulfillment_status: '',
    from: '',
    to: '',
    q: '',
  });
  const [cursors, setCursors] = useState<string[]>([]);
  const query = useMemo(() => {
    const q: Query = { limit: 25 };
    if (filters.status) q.status = filters.status as Query['status'];
    if (filters.payment_status) q.payment_status = filters.payment_status as Query['payment_status'];
    if (filters.fulfillment_status)
      q.fulfillment_status = filters.fulfillment_status as Query['fulfillment_status'];
    if (filters.from) q.created_from = new Date(`${filters.from}T00:00:00`).toISOString();
    if (filters.to) q.created_to = new Date(`${filters.to}T23:59:59.999`).toISOString();
    if (filters.q.trim()) q.q = filters.q.trim();
    const cursor = cursors[cursors.length - 1];
    if (cursor) q.cursor = cursor;
    return q;
  }, [filters, cursors]);
  const orders = useLoad(async () => must(await api.GET('/admin/orders', { params: { query } })), [query]);
  const set = (key: keyof typeof filters) => (event: { target: { value: string } }) => {
    setCursors([]);
    setFilters({ ...filters, [key]: event.target.value });
  };
  const select = (
    key: 'status' | 'payment_status' | 'fulfillment_status',
    label: MessageKey,
    values: readonly string[],
  ) => (
    <label>
      {t(label)}
      <select value={filters[key]} onChange={set(key)}>
        <option value="">{t('common.any')}</option>
        {values.map((v) => (
          <option key={v} value={v}>
            {t(`state.${v}` as MessageKey)}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <section>
      <header className="page-header">
        <h1>{t('orders.title')}</h1>
      </header>
      <search>
        <form className="filters" onSubmit={(event) => event.preventDefault()}>
          <label>
            {t('orders.search')}
            <input
              type="search"
              value={filters.q}
              onChange={set('q')}
              placeholder={t('orders.searchPlaceholder')}
            />
          </label>
          {select('status', 'orders.status', STATUSES)}
          {select('payment_status', 'orders.payment', PAYMENT)}
          {select('fulfillment_status', 'orders.fulfilment', FULFILMENT)}
          <label>
            {t('dashboard.from')}
            <input type="date" value={filters.from} onChange={set('from')} />
          </label>
          <label>
            {t('dashboard.to')}
            <input type="date" value={filters.to} onChange={set('to')} />
          </label>
        </form>
      </search>
      <ErrorMessage error={orders.error} />
      <table data-testid="orders-table">
        <thead>
          <tr>
            <th scope="col">{t('orders.number')}</th>
            <th scope="col">{t('orders.placed')}</th>
            <th scope="col">{t('orders.customer')}</th>
            <th scope="col">{t('orders.status')}</th>
            <th scope="col">{t('orders.payment')}</th>
            <th scope="col">{t('orders.fulfilment')}</th>
            <th scope="col">{t('orders.total')}</th>
          </tr>
        </thead>
        <tbody>
          {orders.data?.data.length === 0 && (
            <tr>
              <td colSpan={7}>{t('orders.none')}</td>
            </tr>
          )}
          {orders.data?.data.map((order) => (
            <tr key={order.id}>
              <td>
                <Link href={`/orders/${order.id}`}>{order.display_number}</Link>
              </td>
              <td>{dateTime(order.created_at, locale)}</td>
              <td>{order.email}</td>
              <td>{t(`state.${order.status}` as MessageKey)}</td>
              <td>{t(`state.${order.payment_status}` as MessageKey)}</td>
              <td>{t(`state.${order.fulfillment_status}` as MessageKey)}</td>
              <td>{money(order.total, order.currency_code, locale)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager cursors={cursors} setCursors={setCursors} next={orders.data?.next_cursor} />
    </section>
  );
}
