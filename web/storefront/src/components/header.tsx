import { Link } from 'wouter';
import { LOCALES, type Locale, useT } from '../i18n.js';
import { useShop } from '../store.js';
import { SearchBox } from './search-box.js';

export function Header({
  cartButton,
  accountLink,
}: {
  cartButton?: React.ReactNode;
  accountLink?: React.ReactNode;
}) {
  const t = useT();
  const { locale, setLocale, regions, region, setRegion } = useShop();
  return (
    <header className="header">
      <Link href="/" className="header__logo">
        Stratus
      </Link>
      <SearchBox />
      <div className="header__switch">
        <label>
          <span className="sr-only">{t('switch.region')}</span>
          <select
            aria-label={t('switch.region')}
            value={region?.id ?? ''}
            onChange={(event) => setRegion(event.target.value)}
            data-testid="region-select"
          >
            {regions.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name} ({r.currency_code.toUpperCase()})
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className="sr-only">{t('switch.language')}</span>
          <select
            aria-label={t('switch.language')}
            value={locale}
            onChange={(event) => setLocale(event.target.value as Locale)}
            data-testid="language-select"
          >
            {LOCALES.map((l) => (
              <option key={l} value={l}>
                {t(`language.${l}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {accountLink}
      {cartButton}
    </header>
  );
}
