import { useMemo, useState } from 'react';
import { Link } from 'wouter';
import { api, must } from '../api/client.js';
import { ErrorMessage } from '../components/layout.js';
import { Pager } from '../components/pager.js';
import { count, dateTime, money } from '../format.js';
import { useLoad } from '../hooks.js';
import { type MessageKey, useLocale, useT } from '../i18n.js';
import { useSession } from '../session.js';

export const KIND_LABELS: Record<string, MessageKey> = {
  percentage: 'discounts.kind.percentage',
  fixed: 'discounts.kind.fixed',
  free_shipping: 'discounts.kind.freeShipping',
  buy_x_get_y: 'discounts.kind.buyXGetY',
};

/** Promotions and discount codes, newest first, with what each gives and how often it was used. */
export default function Discounts() {
  const t = useT();
  const { locale } = useLocale();
  const { can } = useSession();
  const [cursors, setCursors] = useState<string[]>([]);
  const query = useMemo(
    () => ({ limit: 25, ...(cursors.length ? { cursor: cursors[cursors.length - 1] } : {}) }),
    [cursors],
  );
  const promotions = useLoad(
    async () => must(await api.GET('/admin/promotions', { params: { query } })),
    [query],
  );
  return (
    <section>
      <header className="page-header">
        <h1>{t('discounts.title')}</h1>
        {can('discounts:write') && (
          <Link href="/discounts/new" className="button">
            {t('discounts.new')}
          </Link>
        )}
      </header>
      <ErrorMessage error={promotions.error} />
      <table data-testid="discounts-table">
        <thead>
          <tr>
            <th scope="col">{t('discounts.code')}</th>
            <th scope="col">{t('discounts.kind')}</th>
            <th scope="col">{t('discounts.value')}</th>
            <th scope="col">{t('discounts.minSubtotal')}</th>
            <th scope="col">{t('discounts.used')}</th>
            <th scope="col">{t('discounts.window')}</th>
            <th scope="col">{t('discounts.stacking')}</th>
            <th scope="col">{t('discounts.active')}</th>
          </tr>
        </thead>
        <tbody>
          {promotions.data?.data.length === 0 && (
            <tr>
              <td colSpan={8}>{t('common.none')}</td>
            </tr>
          )}
          {promotions.data?.data.map((p) => (
            <tr key={p.id}>
              <td>
                <Link href={`/discounts/${p.id}`}>{p.code ?? t('discounts.automatic')}</Link>
              </td>
              <td>{t(KIND_LABELS[p.kind] ?? 'discounts.kind.percentage')}</td>
              <td>
                {p.kind === 'fixed' && p.currency_code
                  ? money(p.value, p.currency_code, locale)
                  : p.kind === 'free_shipping'
                    ? '—'
                    : `${p.value / 100} %`}
              </td>
              <td>
                {p.conditions.min_subtotal !== undefined && p.currency_code
                  ? money(p.conditions.min_subtotal, p.currency_code, locale)
                  : '—'}
              </td>
              <td>
                {count(p.usage_count, locale)}
                {p.usage_limit ? ` / ${count(p.usage_limit, locale)}` : ''}
              </td>
              <td>
                {p.starts_at ? dateTime(p.starts_at, locale) : '…'} –{' '}
                {p.ends_at ? dateTime(p.ends_at, locale) : '…'}
              </td>
              <td>
                {t(p.stacking === 'exclusive' ? 'discounts.exclusive' : 'discounts.combinable')} ({p.priority}
                )
              </td>
              <td>{t(p.active ? 'common.yes' : 'common.no')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager cursors={cursors} setCursors={setCursors} next={promotions.data?.next_cursor} />
    </section>
  );
}
