import { type FormEvent, useState } from 'react';
import { api, must, setCsrfToken } from '../api/client.js';
import { ErrorMessage } from '../components/layout.js';
import { useT } from '../i18n.js';
import { useSession } from '../session.js';

/** Password, then (when the account has MFA) a TOTP code or a single-use recovery code. */
export function LoginPage() {
  const t = useT();
  const { refresh } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const [useRecovery, setUseRecovery] = useState(false);
  const [code, setCode] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const finish = async (answer: { mfa_required?: true; mfa_token?: string; csrf_token?: string }) => {
    if ('mfa_required' in answer && answer.mfa_token) {
      setMfaToken(answer.mfa_token);
      return;
    }
    setCsrfToken(answer.csrf_token);
    await refresh();
  };
  const run = (action: () => Promise<void>) => async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  if (mfaToken) {
    return (
      <main className="login">
        <h1>{t('auth.mfaTitle')}</h1>
        <form
          onSubmit={run(async () => {
            const body = useRecovery
              ? { mfa_token: mfaToken, recovery_code: code.trim() }
              : { mfa_token: mfaToken, code: code.trim() };
            await finish(must(await api.POST('/admin/auth/mfa', { body })));
          })}
        >
          <label>
            {useRecovery ? t('auth.recoveryCode') : t('auth.code')}
            <input
              name="code"
              autoComplete="one-time-code"
              inputMode={useRecovery ? 'text' : 'numeric'}
              value={code}
              onChange={(event) => setCode(event.target.value)}
              required
            />
          </label>
          <ErrorMessage error={error} />
          <button type="submit" disabled={busy}>
            {t('auth.verify')}
          </button>
          <button type="button" className="link" onClick={() => setUseRecovery(!useRecovery)}>
            {useRecovery ? t('auth.useCode') : t('auth.useRecovery')}
          </button>
        </form>
      </main>
    );
  }
  return (
    <main className="login">
      <h1>{t('auth.title')}</h1>
      <form
        onSubmit={run(async () =>
          finish(
            must(await api.POST('/admin/auth/login', { body: { email, password, transport: 'cookie' } })),
          ),
        )}
      >
        <label>
          {t('auth.email')}
          <input
            type="email"
            autoComplete="username"
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            required
          />
        </label>
        <label>
          {t('auth.password')}
          <input
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            required
          />
        </label>
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy}>
          {t('auth.signIn')}
        </button>
      </form>
    </main>
  );
}
