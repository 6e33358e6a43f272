import { useState } from 'react';
import { Link } from 'wouter';
import { api, must, ok } from '../api/client.js';
import { ErrorMessage } from '../components/layout.js';
import { dateTime, money } from '../format.js';
import { useAction, useLoad } from '../hooks.js';
import { type MessageKey, useLocale, useT } from '../i18n.js';
import { useSession } from '../session.js';

/** A customer with their orders and consents; GDPR export and erasure for those allowed. */
export default function CustomerDetail({ id }: { id: string }) {
  const t = useT();
  const { locale } = useLocale();
  const { can } = useSession();
  const customer = useLoad(
    async () => must(await api.GET('/admin/customers/{id}', { params: { path: { id } } })),
    [id],
  );
  const consents = useLoad(
    async () => must(await api.GET('/admin/customers/{id}/consents', { params: { path: { id } } })),
    [id],
  );
  const orders = useLoad(
    async () =>
      customer.data && can('orders:read')
        ? must(await api.GET('/admin/orders', { params: { query: { q: customer.data.email, limit: 50 } } }))
        : null,
    [customer.data],
  );
  const action = useAction();
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState('');
  const [erased, setErased] = useState(false);
  const c = customer.data;
  if (customer.error) return <ErrorMessage error={customer.error} />;
  if (!c) return <p className="loading">{t('common.loading')}</p>;

  const exportData = () =>
    action.run(async () => {
      const data = must(await api.GET('/admin/customers/{id}/export', { params: { path: { id } } }));
      const url = URL.createObjectURL(
        new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }),
      );
      const link = document.createElement('a');
      link.href = url;
      link.download = `customer-${id}.json`;
      link.click();
      URL.revokeObjectURL(url);
    });
  const erase = () =>
    action.run(async () => {
      ok(await api.POST('/admin/customers/{id}/erase', { params: { path: { id } } }));
      setConfirming(false);
      setErased(true);
      customer.reload();
    });

  return (
    <section>
      <p>
        <Link href="/customers">← {t('customers.title')}</Link>
      </p>
      <header className="page-header">
        <h1>{c.email}</h1>
        <div className="actions">
          {can('customers:export') && (
            <button
              type="button"
              className="secondary"
              data-testid="customer-export"
              disabled={action.busy}
              onClick={() => void exportData()}
            >
              {action.busy ? t('customers.exporting') : t('customers.export')}
            </button>
          )}
          {can('customers:erase') && (
            <button
              type="button"
              className="danger"
              disabled={action.busy}
              onClick={() => setConfirming(true)}
            >
              {t('customers.erase')}
            </button>
          )}
        </div>
      </header>
      <ErrorMessage error={action.error} />
      {erased && <p role="status">{t('customers.erased')}</p>}
      {confirming && (
        <div role="dialog" aria-modal="true" aria-labelledby="erase-title" className="panel danger-zone">
          <h2 id="erase-title">{t('customers.eraseTitle')}</h2>
          <p>{t('customers.eraseWarning')}</p>
          <label>
            {t('customers.eraseType', { email: c.email })}
            <input value={typed} onChange={(e) => setTyped(e.target.value)} />
          </label>
          <div className="actions">
            <button
              type="button"
              className="danger"
              disabled={typed !== c.email || action.busy}
              onClick={() => void erase()}
            >
              {t('customers.eraseConfirm')}
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </div>
      )}
      <div className="grid-2">
        <article className="panel">
          <h2>{t('customers.profile')}</h2>
          <dl className="totals">
            <dt>{t('customers.name')}</dt>
            <dd>{[c.first_name, c.last_name].filter(Boolean).join(' ') || '—'}</dd>
            <dt>{t('customers.phone')}</dt>
            <dd>{c.phone ?? '—'}</dd>
            <dt>{t('orders.status')}</dt>
            <dd>{c.status}</dd>
            <dt>{t('customers.since')}</dt>
            <dd>{dateTime(c.created_at, locale)}</dd>
          </dl>
        </article>
        <article className="panel">
          <h2>{t('customers.consents')}</h2>
          <ul>
            {(consents.data?.data ?? []).length === 0 && <li>{t('common.none')}</li>}
            {consents.data?.data.map((consent) => (
              <li key={consent.id}>
                {consent.purpose}: {consent.granted ? t('customers.granted') : t('customers.withdrawn')} ·{' '}
                {dateTime(consent.created_at, locale)}
              </li>
            ))}
          </ul>
        </article>
      </div>
      {orders.data && (
        <article className="panel">
          <h2>{t('orders.title')}</h2>
          <ul>
            {orders.data.data.length === 0 && <li>{t('common.none')}</li>}
            {orders.data.data.map((o) => (
              <li key={o.id}>
                <Link href={`/orders/${o.id}`}>{o.display_number}</Link> · {dateTime(o.created_at, locale)} ·{' '}
                {t(`state.${o.status}` as MessageKey)} · {money(o.total, o.currency_code, locale)}
              </li>
            ))}
          </ul>
        </article>
      )}
    </section>
  );
}
