import { useEffect, useState } from 'react';
import { CONSENT_TEXT_VERSION, useAccount } from '../account.js';
import { useT } from '../i18n.js';
import { analyticsChoice, setAnalyticsChoice } from '../tracking.js';

const OPEN_EVENT = 'stratus:consent-open';

export function openConsentBanner(): void {
  window.dispatchEvent(new Event(OPEN_EVENT));
}

/**
 * Asks once for analytics consent. Until the shopper accepts, the tracker sends only event names,
 * kept by the server as cookieless counts. A signed-in customer's choice is also recorded through the
 * consent API, so the shop can prove it.
 */
export function ConsentBanner() {
  const t = useT();
  const { customer, call } = useAccount();
  const [open, setOpen] = useState(() => analyticsChoice() === null);
  useEffect(() => {
    const show = () => setOpen(true);
    // A choice made elsewhere (account page, or the account's record applied at sign-in) closes it.
    const chosen = () => setOpen(false);
    window.addEventListener(OPEN_EVENT, show);
    window.addEventListener('stratus:consent', chosen);
    return () => {
      window.removeEventListener(OPEN_EVENT, show);
      window.removeEventListener('stratus:consent', chosen);
    };
  }, []);
  if (!open) return null;
  const choose = (granted: boolean) => {
    setAnalyticsChoice(granted);
    setOpen(false);
    if (customer)
      call('/store/customers/me/consents', {
        method: 'POST',
        body: {
          purpose: 'analytics_cookies',
          granted,
          source: 'storefront_banner',
          text_version: CONSENT_TEXT_VERSION,
        },
      }).catch(() => {});
  };
  return (
    <section className="consent" role="dialog" aria-label={t('consent.title')} data-testid="consent-banner">
      <p>
        <strong>{t('consent.title')}</strong> {t('consent.text')}
      </p>
      <div className="consent__actions">
        <button type="button" className="button" onClick={() => choose(false)}>
          {t('consent.reject')}
        </button>
        <button type="button" className="button button--primary" onClick={() => choose(true)}>
          {t('consent.accept')}
        </button>
      </div>
    </section>
  );
}
