import { useMemo, useState } from 'react';
import { Link } from 'wouter';
import { api, must } from '../api/client.js';
import { ErrorMessage } from '../components/layout.js';
import { Pager } from '../components/pager.js';
import { dateTime } from '../format.js';
import { useLoad } from '../hooks.js';
import { useLocale, useT } from '../i18n.js';

export default function Customers() {
  const t = useT();
  const { locale } = useLocale();
  const [email, setEmail] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const query = useMemo(
    () => ({
      limit: 25,
      ...(email.trim() ? { email: email.trim() } : {}),
      ...(cursors.length ? { cursor: cursors[cursors.length - 1] } : {}),
    }),
    [email, cursors],
  );
  const customers = useLoad(
    async () => must(await api.GET('/admin/customers', { params: { query } })),
    [query],
  );
  return (
    <section>
      <h1>{t('customers.title')}</h1>
      <p className="muted">{t('customers.segmentsSoon')}</p>
      <search>
        <form className="filters" onSubmit={(event) => event.preventDefault()}>
          <label>
            {t('auth.email')}
            <input
              type="search"
              value={email}
              onChange={(e) => {
                setCursors([]);
                setEmail(e.target.value);
              }}
            />
          </label>
        </form>
      </search>
      <ErrorMessage error={customers.error} />
      <table data-testid="customers-table">
        <thead>
          <tr>
            <th scope="col">{t('auth.email')}</th>
            <th scope="col">{t('customers.name')}</th>
            <th scope="col">{t('orders.status')}</th>
            <th scope="col">{t('customers.since')}</th>
          </tr>
        </thead>
        <tbody>
          {customers.data?.data.length === 0 && (
            <tr>
              <td colSpan={4}>{t('common.none')}</td>
            </tr>
          )}
          {customers.data?.data.map((c) => (
            <tr key={c.id}>
              <td>
                <Link href={`/customers/${c.id}`}>{c.email}</Link>
              </td>
              <td>{[c.first_name, c.last_name].filter(Boolean).join(' ') || '—'}</td>
              <td>{c.status}</td>
              <td>{dateTime(c.created_at, locale)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager cursors={cursors} setCursors={setCursors} next={customers.data?.next_cursor} />
    </section>
  );
}
