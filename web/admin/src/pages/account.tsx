import { type FormEvent, useState } from 'react';
import { api, must, ok } from '../api/client.js';
import { ErrorMessage } from '../components/layout.js';
import { dateTime } from '../format.js';
import { useAction, useLoad } from '../hooks.js';
import { useLocale, useT } from '../i18n.js';
import { useSession } from '../session.js';

/** Your own account: MFA enrolment and recovery codes, sessions, password. */
export default function Account() {
  const t = useT();
  const { me } = useSession();
  return (
    <section>
      <h1>{t('account.title')}</h1>
      <p>
        {me?.staff.email} · {t('account.role')}: {me?.staff.role}
      </p>
      <Mfa />
      <Sessions />
      <Password />
    </section>
  );
}

function Mfa() {
  const t = useT();
  const { me, refresh } = useSession();
  const action = useAction();
  const [enrolment, setEnrolment] = useState<{ secret: string; qr_data_url: string } | null>(null);
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState<string[] | null>(null);
  const enabled = me?.staff.mfa_enabled;
  const confirm = (event: FormEvent) => {
    event.preventDefault();
    void action.run(async () => {
      const answer = must(await api.POST('/admin/me/mfa/confirm', { body: { code: code.trim() } }));
      setRecovery(answer.recovery_codes);
      setEnrolment(null);
      setCode('');
      await refresh();
    });
  };
  return (
    <article className="panel" aria-labelledby="mfa-heading">
      <h2 id="mfa-heading">{t('account.mfa')}</h2>
      {me?.mfa_enrollment_required && !enabled && <p role="status">{t('account.mfaRequired')}</p>}
      <p data-testid="mfa-state">{enabled ? t('account.mfaOn') : t('account.mfaOff')}</p>
      <ErrorMessage error={action.error} />
      {!enabled && !enrolment && (
        <button
          type="button"
          disabled={action.busy}
          onClick={() => void action.run(async () => setEnrolment(must(await api.POST('/admin/me/mfa'))))}
        >
          {t('account.mfaStart')}
        </button>
      )}
      {enrolment && (
        <form onSubmit={confirm}>
          <p>{t('account.mfaScan')}</p>
          <img src={enrolment.qr_data_url} alt={t('account.qr')} width={180} height={180} />
          <p>
            {t('account.secret')}: <code data-testid="mfa-secret">{enrolment.secret}</code>
          </p>
          <label>
            {t('auth.code')}
            <input
              inputMode="numeric"
              autoComplete="one-time-code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              required
            />
          </label>
          <button type="submit" disabled={action.busy}>
            {t('account.mfaConfirm')}
          </button>
        </form>
      )}
      {recovery && (
        <div role="status">
          <p>{t('account.recoveryNote')}</p>
          <ul className="codes" data-testid="recovery-codes">
            {recovery.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
    </article>
  );
}

function Sessions() {
  const t = useT();
  const { locale } = useLocale();
  const sessions = useLoad(async () => must(await api.GET('/admin/me/sessions')), []);
  const action = useAction();
  return (
    <article className="panel" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">{t('account.sessions')}</h2>
      <ErrorMessage error={sessions.error ?? action.error} />
      <table data-testid="sessions">
        <thead>
          <tr>
            <th scope="col">{t('account.device')}</th>
            <th scope="col">{t('account.lastSeen')}</th>
            <th scope="col">
              <span className="sr-only">{t('orders.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sessions.data?.data.map((s) => (
            <tr key={s.id}>
              <td>
                {s.user_agent ?? '—'} {s.ip && <small>({s.ip})</small>}
              </td>
              <td>{dateTime(s.last_seen_at, locale)}</td>
              <td>
                {s.current ? (
                  t('account.current')
                ) : (
                  <button
                    type="button"
                    disabled={action.busy}
                    onClick={() =>
                      void action.run(async () => {
                        ok(await api.DELETE('/admin/me/sessions/{id}', { params: { path: { id: s.id } } }));
                        sessions.reload();
                      })
                    }
                  >
                    {t('account.revoke')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  );
}

function Password() {
  const t = useT();
  const action = useAction();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [done, setDone] = useState(false);
  return (
    <article className="panel" aria-labelledby="password-heading">
      <h2 id="password-heading">{t('account.password')}</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setDone(false);
          void action
            .run(async () =>
              must(
                await api.POST('/admin/me/password', {
                  body: { current_password: current, new_password: next },
                }),
              ),
            )
            .then((changed) => {
              if (!changed) return;
              setDone(true);
              setCurrent('');
              setNext('');
            });
        }}
      >
        <label>
          {t('account.currentPassword')}
          <input
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            required
          />
        </label>
        <label>
          {t('account.newPassword')}
          <input
            type="password"
            autoComplete="new-password"
            minLength={8}
            value={next}
            onChange={(e) => setNext(e.target.value)}
            required
          />
        </label>
        <ErrorMessage error={action.error} />
        {done && <p role="status">{t('account.passwordChanged')}</p>}
        <button type="submit" disabled={action.busy}>
          {t('account.changePassword')}
        </button>
      </form>
    </article>
  );
}
