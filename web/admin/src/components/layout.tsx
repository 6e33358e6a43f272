import { Link, useLocation } from 'wouter';
import { SCREENS } from '../app.js';
import { LOCALES, type Locale, useLocale, useT } from '../i18n.js';
import { useSession } from '../session.js';

export function Layout({ children }: { children: React.ReactNode }) {
  const t = useT();
  const { me, can, signOut } = useSession();
  const { locale, setLocale } = useLocale();
  const [location] = useLocation();
  return (
    <div className="layout">
      <header className="topbar">
        <span className="brand">{t('app.title')}</span>
        <label className="inline">
          {t('switch.language')}
          <select
            data-testid="language-select"
            value={locale}
            onChange={(event) => setLocale(event.target.value as Locale)}
          >
            {LOCALES.map((l) => (
              <option key={l} value={l}>
                {t(`language.${l}`)}
              </option>
            ))}
          </select>
        </label>
        <Link href="/account" className="who">
          {me?.staff.name ?? me?.staff.email}
        </Link>
        <button type="button" onClick={() => void signOut()}>
          {t('auth.signOut')}
        </button>
      </header>
      <nav aria-label={t('nav.label')} className="sidebar">
        <ul>
          {SCREENS.filter((screen) => can(screen.permission)).map((screen) => (
            <li key={screen.path}>
              <Link href={screen.path} aria-current={location.startsWith(screen.path) ? 'page' : undefined}>
                {t(screen.label)}
              </Link>
            </li>
          ))}
          <li>
            <Link href="/account" aria-current={location === '/account' ? 'page' : undefined}>
              {t('nav.account')}
            </Link>
          </li>
        </ul>
      </nav>
      <main className="content">{children}</main>
    </div>
  );
}

/** The API's message, shown where the action was taken. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p role="alert" className="error">
      {error instanceof Error ? error.message : String(error)}
    </p>
  );
}
