import { api, must } from '../api/client.js';
import { ErrorMessage } from '../components/layout.js';
import { useLoad } from '../hooks.js';
import { useT } from '../i18n.js';

/** The payment providers this store has configured (from the environment; read-only here). */
export default function PaymentProviders() {
  const t = useT();
  const providers = useLoad(async () => must(await api.GET('/admin/payment-providers')), []);
  return (
    <section>
      <h1>{t('payments.title')}</h1>
      <p className="muted">{t('payments.configuredInEnv')}</p>
      <ErrorMessage error={providers.error} />
      <table data-testid="payment-providers-table">
        <thead>
          <tr>
            <th scope="col">{t('payments.provider')}</th>
            <th scope="col">{t('payments.methods')}</th>
            <th scope="col">{t('payments.publicKey')}</th>
            <th scope="col">{t('payments.webhook')}</th>
          </tr>
        </thead>
        <tbody>
          {providers.data?.data.map((provider) => (
            <tr key={provider.id}>
              <td>{provider.id}</td>
              <td>{provider.methods.join(', ') || '—'}</td>
              <td>
                {provider.publishable_key || provider.client_id ? (
                  <code>{provider.publishable_key ?? provider.client_id}</code>
                ) : (
                  '—'
                )}
              </td>
              <td>{provider.webhook_path ? <code>{provider.webhook_path}</code> : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
