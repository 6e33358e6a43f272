import { useRef } from 'react';
import { Link } from 'wouter';
import { api, must } from '../api/client.js';
import { useLoad } from '../hooks.js';
import { useT } from '../i18n.js';
import { ErrorMessage } from './layout.js';

export interface PickLocation {
  id: string;
  name: string;
  code: string;
}

/**
 * Prints only `element`: the print stylesheet (styles.css, `html.printing`) hides everything else
 * while it is marked, and the mark goes once the print dialog closes.
 */
export function printOnly(element: HTMLElement | null): void {
  if (!element) return;
  const root = document.documentElement;
  element.setAttribute('data-print-target', '');
  root.classList.add('printing');
  const done = () => {
    element.removeAttribute('data-print-target');
    root.classList.remove('printing');
    window.removeEventListener('afterprint', done);
  };
  window.addEventListener('afterprint', done);
  window.print();
}

/** What to pick at one location, for one order (`orderId`) or every open order, with a print button. */
export function PickList({ location, orderId }: { location: PickLocation; orderId?: string }) {
  const t = useT();
  const sheet = useRef<HTMLDivElement>(null);
  const list = useLoad(
    async () =>
      must(
        await api.GET('/admin/pick-lists', {
          params: { query: { location_id: location.id, ...(orderId ? { order_id: orderId } : {}) } },
        }),
      ).data,
    [location.id, orderId],
  );
  const entries = list.data ?? [];
  const title = t('pickList.titleFor', { location: location.name });
  // A picker walks the shelves once: the same SKU over several orders is one stop.
  const totals = new Map<string, { sku: string | null; title: string; quantity: number }>();
  for (const entry of entries) {
    const total = totals.get(entry.variant_id) ?? { sku: entry.sku, title: entry.title, quantity: 0 };
    total.quantity += entry.quantity;
    totals.set(entry.variant_id, total);
  }
  return (
    <div className="pick-list" ref={sheet} data-testid="pick-list" data-location={location.id}>
      <div className="panel-header">
        <h3>{title}</h3>
        <button
          type="button"
          className="secondary no-print"
          onClick={() => printOnly(sheet.current)}
          disabled={entries.length === 0}
        >
          {t('pickList.print', { location: location.name })}
        </button>
      </div>
      <ErrorMessage error={list.error} />
      {list.data && entries.length === 0 && <p>{t('pickList.empty')}</p>}
      {entries.length > 0 && (
        <table>
          <caption className="sr-only">{title}</caption>
          <thead>
            <tr>
              {!orderId && <th scope="col">{t('orders.order')}</th>}
              <th scope="col">{t('common.product')}</th>
              <th scope="col">{t('pickList.sku')}</th>
              <th scope="col">{t('orders.quantity')}</th>
              <th scope="col">{t('pickList.location')}</th>
              <th scope="col" className="print-only">
                {t('pickList.picked')}
              </th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={`${entry.order_id}:${entry.variant_id}`}>
                {!orderId && (
                  <td>
                    <Link href={`/orders/${entry.order_id}`}>#{entry.order_number}</Link>
                  </td>
                )}
                <td>{entry.title}</td>
                <td>{entry.sku ?? '—'}</td>
                <td data-testid="pick-quantity">{entry.quantity}</td>
                <td>
                  {location.name} ({location.code})
                </td>
                <td className="print-only">☐</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!orderId && totals.size > 0 && (
        <table data-testid="pick-totals">
          <caption>{t('pickList.totals')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('pickList.sku')}</th>
              <th scope="col">{t('common.product')}</th>
              <th scope="col">{t('orders.quantity')}</th>
            </tr>
          </thead>
          <tbody>
            {[...totals.entries()]
              .sort(([, a], [, b]) => (a.sku ?? a.title).localeCompare(b.sku ?? b.title))
              .map(([variantId, total]) => (
                <tr key={variantId}>
                  <td>{total.sku ?? '—'}</td>
                  <td>{total.title}</td>
                  <td>{total.quantity}</td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
