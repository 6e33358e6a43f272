import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { useAccount } from '../account.js';
import { ApiError, api } from '../api.js';
import { useT } from '../i18n.js';

/** A form that shows the server's message on failure and stays disabled while a request is in flight. */
function useSubmit() {
  const t = useT();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = (action: () => Promise<void>) => async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : t('error.load'));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit };
}

function Card({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="auth">
      <h1>{title}</h1>
      {children}
    </main>
  );
}

function Alert({ error }: { error: string | null }) {
  return error ? (
    <p role="alert" className="error">
      {error}
    </p>
  ) : null;
}

/** Only paths inside the shop may be a `next` target (no open redirect). */
function nextPath(search: string): string {
  const next = new URLSearchParams(search).get('next') ?? '';
  return next.startsWith('/') && !next.startsWith('//') ? next : '/account';
}

export function LoginPage() {
  const t = useT();
  const { login } = useAccount();
  const search = useSearch();
  const [, navigate] = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, submit } = useSubmit();
  return (
    <Card title={t('account.signIn')}>
      <form
        onSubmit={submit(async () => {
          await login(email, password);
          navigate(nextPath(search));
        })}
      >
        <label>
          {t('account.email')}
          <input
            type="email"
            name="email"
            required
            autoComplete="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label>
          {t('account.password')}
          <input
            type="password"
            name="password"
            required
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <button type="submit" className="button button--primary" disabled={busy}>
          {t('account.signIn')}
        </button>
        <Alert error={error} />
      </form>
      <p>
        <Link href="/account/reset-password">{t('account.forgot')}</Link>
      </p>
      <p>
        {t('account.noAccount')} <Link href="/account/register">{t('account.register')}</Link>
      </p>
    </Card>
  );
}

export function RegisterPage() {
  const t = useT();
  const [form, setForm] = useState({ email: '', password: '', first_name: '', last_name: '' });
  const [done, setDone] = useState(false);
  const { busy, error, submit } = useSubmit();
  const set = (name: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [name]: e.target.value });
  if (done)
    return (
      <Card title={t('account.register')}>
        <p role="status" data-testid="registered">
          {t('account.registered')}
        </p>
        <Link href="/account/login" className="button button--primary">
          {t('account.signIn')}
        </Link>
      </Card>
    );
  return (
    <Card title={t('account.register')}>
      <form
        onSubmit={submit(async () => {
          await api('/store/customers', {
            method: 'POST',
            body: {
              email: form.email,
              password: form.password,
              ...(form.first_name.trim() ? { first_name: form.first_name.trim() } : {}),
              ...(form.last_name.trim() ? { last_name: form.last_name.trim() } : {}),
            },
          });
          setDone(true);
        })}
      >
        <label>
          {t('address.firstName')}
          <input
            name="first_name"
            autoComplete="given-name"
            value={form.first_name}
            onChange={set('first_name')}
          />
        </label>
        <label>
          {t('address.lastName')}
          <input
            name="last_name"
            autoComplete="family-name"
            value={form.last_name}
            onChange={set('last_name')}
          />
        </label>
        <label>
          {t('account.email')}
          <input
            type="email"
            name="email"
            required
            autoComplete="email"
            value={form.email}
            onChange={set('email')}
          />
        </label>
        <label>
          {t('account.password')}
          <input
            type="password"
            name="password"
            required
            minLength={8}
            autoComplete="new-password"
            value={form.password}
            onChange={set('password')}
          />
          <small>{t('account.passwordHint')}</small>
        </label>
        <button type="submit" className="button button--primary" disabled={busy}>
          {t('account.register')}
        </button>
        <Alert error={error} />
      </form>
    </Card>
  );
}

/** Without a token: ask for the emailed link. With one (the link opens this page): set the new password. */
export function ResetPasswordPage() {
  const t = useT();
  const token = new URLSearchParams(useSearch()).get('token');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const { busy, error, submit } = useSubmit();
  if (!token)
    return (
      <Card title={t('account.reset.title')}>
        {done ? (
          <p role="status" data-testid="reset-sent">
            {t('account.reset.sent')}
          </p>
        ) : (
          <form
            onSubmit={submit(async () => {
              await api('/store/auth/password-reset', { method: 'POST', body: { email } });
              setDone(true);
            })}
          >
            <label>
              {t('account.email')}
              <input
                type="email"
                name="email"
                required
                autoComplete="email"
                value={email}
                onChange={(e) => setEmail(e.target.value)}
              />
            </label>
            <button type="submit" className="button button--primary" disabled={busy}>
              {t('account.reset.send')}
            </button>
            <Alert error={error} />
          </form>
        )}
      </Card>
    );
  return (
    <Card title={t('account.reset.choose')}>
      {done ? (
        <>
          <p role="status" data-testid="reset-done">
            {t('account.reset.done')}
          </p>
          <Link href="/account/login" className="button button--primary">
            {t('account.signIn')}
          </Link>
        </>
      ) : (
        <form
          onSubmit={submit(async () => {
            await api('/store/auth/password-reset/confirm', { method: 'POST', body: { token, password } });
            setDone(true);
          })}
        >
          <label>
            {t('account.newPassword')}
            <input
              type="password"
              name="password"
              required
              minLength={8}
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            <small>{t('account.passwordHint')}</small>
          </label>
          <button type="submit" className="button button--primary" disabled={busy}>
            {t('account.reset.save')}
          </button>
          <Alert error={error} />
        </form>
      )}
    </Card>
  );
}

/** The page the verification email links to: confirms once, on arrival. */
export function VerifyEmailPage() {
  const t = useT();
  const token = new URLSearchParams(useSearch()).get('token');
  const [state, setState] = useState<'pending' | 'done' | 'failed'>('pending');
  useEffect(() => {
    if (!token) return setState('failed');
    api('/store/auth/verify-email', { method: 'POST', body: { token } }).then(
      () => setState('done'),
      () => setState('failed'),
    );
  }, [token]);
  return (
    <Card title={t('account.verify.title')}>
      {state === 'pending' && <p>{t('common.loading')}</p>}
      {state !== 'pending' && (
        <p role="status" data-testid="verify-result">
          {t(state === 'done' ? 'account.verify.done' : 'account.verify.failed')}
        </p>
      )}
      <Link href="/account">{t('account.title')}</Link>
    </Card>
  );
}
