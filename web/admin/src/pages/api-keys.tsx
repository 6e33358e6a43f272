import { type FormEvent, useState } from 'react';
import { api, must } from '../api/client.js';
import { ErrorMessage } from '../components/layout.js';
import { dateTime } from '../format.js';
import { useAction, useLoad } from '../hooks.js';
import { useLocale, useT } from '../i18n.js';
import { useSession } from '../session.js';

/** Publishable and secret API keys: create (the key is shown once), list, revoke. */
export default function ApiKeys() {
  const t = useT();
  const { locale } = useLocale();
  const { can } = useSession();
  const keys = useLoad(async () => must(await api.GET('/admin/api-keys')), []);
  const permissions = useLoad(async () => must(await api.GET('/admin/permissions')), []);
  const action = useAction();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'secret' | 'publishable'>('secret');
  const [scopes, setScopes] = useState<string[]>([]);
  const [created, setCreated] = useState<string | null>(null);
  const canWrite = can('settings:write');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const answer = must(
        await api.POST('/admin/api-keys', { body: { kind, name, ...(kind === 'secret' ? { scopes } : {}) } }),
      );
      setCreated(answer.token);
      setName('');
      setScopes([]);
      keys.reload();
    });
  };
  return (
    <section>
      <h1>{t('keys.title')}</h1>
      <ErrorMessage error={keys.error ?? action.error} />
      {created && (
        <p role="status" className="panel">
          {t('keys.createdOnce')} <code data-testid="new-key">{created}</code>
        </p>
      )}
      <table data-testid="keys-table">
        <thead>
          <tr>
            <th scope="col">{t('keys.name')}</th>
            <th scope="col">{t('keys.kind')}</th>
            <th scope="col">{t('keys.prefix')}</th>
            <th scope="col">{t('keys.scopes')}</th>
            <th scope="col">{t('keys.lastUsed')}</th>
            <th scope="col">
              <span className="sr-only">{t('orders.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.data?.data.length === 0 && (
            <tr>
              <td colSpan={6}>{t('common.none')}</td>
            </tr>
          )}
          {keys.data?.data.map((key) => (
            <tr key={key.id}>
              <td>{key.name}</td>
              <td>{key.kind}</td>
              <td>
                <code>{key.prefix}…</code>
              </td>
              <td>{key.scopes.join(', ') || '—'}</td>
              <td>{key.last_used_at ? dateTime(key.last_used_at, locale) : '—'}</td>
              <td>
                {key.revoked_at ? (
                  t('keys.revoked')
                ) : canWrite ? (
                  <button
                    type="button"
                    className="link"
                    disabled={action.busy}
                    onClick={() =>
                      void action.run(async () => {
                        must(
                          await api.POST('/admin/api-keys/{id}/revoke', { params: { path: { id: key.id } } }),
                        );
                        keys.reload();
                      })
                    }
                  >
                    {t('keys.revoke')}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {canWrite && (
        <article className="panel">
          <h2>{t('keys.create')}</h2>
          <form className="editor" onSubmit={submit}>
            <label>
              {t('keys.name')}
              <input value={name} onChange={(e) => setName(e.target.value)} required />
            </label>
            <label>
              {t('keys.kind')}
              <select value={kind} onChange={(e) => setKind(e.target.value as 'secret' | 'publishable')}>
                <option value="secret">{t('keys.secret')}</option>
                <option value="publishable">{t('keys.publishable')}</option>
              </select>
            </label>
            {kind === 'secret' && (
              <fieldset>
                <legend>{t('keys.scopes')}</legend>
                <div className="scopes">
                  {permissions.data?.data.map((permission) => (
                    <label key={permission} className="inline">
                      <input
                        type="checkbox"
                        checked={scopes.includes(permission)}
                        onChange={(e) =>
                          setScopes(
                            e.target.checked
                              ? [...scopes, permission]
                              : scopes.filter((s) => s !== permission),
                          )
                        }
                      />
                      {permission}
                    </label>
                  ))}
                </div>
              </fieldset>
            )}
            <button type="submit" disabled={action.busy}>
              {t('keys.createButton')}
            </button>
          </form>
        </article>
      )}
    </section>
  );
}
