import { type FormEvent, useState } from 'react';
import { api, must } from '../api/client.js';
import { ErrorMessage } from '../components/layout.js';
import { dateTime } from '../format.js';
import { useAction, useLoad } from '../hooks.js';
import { useLocale, useT } from '../i18n.js';
import { useSession } from '../session.js';

/** Staff members with their roles, invitations, and the roles' permission matrix. */
export default function Staff() {
  const t = useT();
  const { locale } = useLocale();
  const { can, me } = useSession();
  const staff = useLoad(
    async () => must(await api.GET('/admin/staff', { params: { query: { limit: 200 } } })),
    [],
  );
  const roles = useLoad(async () => must(await api.GET('/admin/roles')), []);
  const permissions = useLoad(async () => must(await api.GET('/admin/permissions')), []);
  const invitations = useLoad(async () => must(await api.GET('/admin/invitations')), []);
  const action = useAction();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('support');
  const canWrite = can('staff:write');
  const roleNames = (roles.data?.data ?? []).map((r) => r.name);
  const update = (id: string, body: { role?: string; status?: 'active' | 'disabled' }) =>
    action.run(async () => {
      must(await api.PATCH('/admin/staff/{id}', { params: { path: { id } }, body }));
      staff.reload();
    });
  const invite = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      must(await api.POST('/admin/invitations', { body: { email, role } }));
      setEmail('');
      invitations.reload();
    });
  };

  return (
    <section>
      <h1>{t('staff.title')}</h1>
      <ErrorMessage error={staff.error ?? action.error} />
      <table data-testid="staff-table">
        <thead>
          <tr>
            <th scope="col">{t('auth.email')}</th>
            <th scope="col">{t('account.role')}</th>
            <th scope="col">{t('orders.status')}</th>
            <th scope="col">MFA</th>
          </tr>
        </thead>
        <tbody>
          {staff.data?.data.map((member) => {
            const self = member.id === me?.staff.id;
            return (
              <tr key={member.id}>
                <td>{member.email}</td>
                <td>
                  {canWrite && !self ? (
                    <select
                      aria-label={t('staff.roleOf', { email: member.email })}
                      value={member.role}
                      disabled={action.busy}
                      onChange={(e) => void update(member.id, { role: e.target.value })}
                    >
                      {roleNames.map((name) => (
                        <option key={name} value={name}>
                          {name}
                        </option>
                      ))}
                    </select>
                  ) : (
                    member.role
                  )}
                </td>
                <td>
                  {member.status === 'active' ? t('staff.active') : t('staff.disabled')}{' '}
                  {canWrite && !self && (
                    <button
                      type="button"
                      className="link"
                      disabled={action.busy}
                      onClick={() =>
                        void update(member.id, { status: member.status === 'active' ? 'disabled' : 'active' })
                      }
                    >
                      {member.status === 'active' ? t('staff.disable') : t('staff.enable')}
                    </button>
                  )}
                </td>
                <td>{member.mfa_enabled ? '✓' : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {canWrite && (
        <article className="panel">
          <h2>{t('staff.invite')}</h2>
          <form className="inline-form" onSubmit={invite}>
            <label>
              {t('auth.email')}
              <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
            </label>
            <label>
              {t('account.role')}
              <select value={role} onChange={(e) => setRole(e.target.value)}>
                {roleNames.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" disabled={action.busy}>
              {t('staff.sendInvite')}
            </button>
          </form>
          <ul>
            {invitations.data?.data
              .filter((i) => !i.accepted_at && !i.revoked_at)
              .map((i) => (
                <li key={i.id}>
                  {i.email} · {t('staff.expires', { at: dateTime(i.expires_at, locale) })}
                </li>
              ))}
          </ul>
        </article>
      )}
      <article className="panel matrix">
        <h2>{t('staff.matrix')}</h2>
        <div className="scroll">
          <table data-testid="permission-matrix">
            <thead>
              <tr>
                <th scope="col">{t('staff.permission')}</th>
                {roles.data?.data.map((r) => (
                  <th scope="col" key={r.id}>
                    {r.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {permissions.data?.data.map((permission) => (
                <tr key={permission}>
                  <th scope="row">{permission}</th>
                  {roles.data?.data.map((r) => {
                    const granted = r.permissions.includes('*') || r.permissions.includes(permission);
                    return (
                      <td key={r.id} aria-label={granted ? t('staff.granted') : t('staff.notGranted')}>
                        {granted ? '●' : '·'}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </article>
    </section>
  );
}
