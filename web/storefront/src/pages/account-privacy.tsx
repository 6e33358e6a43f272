import { useState } from 'react';
import { CONSENT_TEXT_VERSION, useAccount } from '../account.js';
import { useLoad } from '../hooks.js';
import { useT } from '../i18n.js';
import { analyticsChoice, setAnalyticsChoice } from '../tracking.js';

interface ConsentRecord {
  purpose: 'marketing_email' | 'analytics_cookies';
  granted: boolean;
  created_at: string;
}
const PURPOSES = [
  ['marketing_email', 'privacy.marketing'],
  ['analytics_cookies', 'privacy.analytics'],
] as const;

/** Consent settings (recorded through the consent API, newest record wins) and the GDPR export. */
export function PrivacyPage() {
  const t = useT();
  const { call } = useAccount();
  const [version, setVersion] = useState(0);
  const [status, setStatus] = useState<string | null>(null);
  // The box follows the click at once; a refused change puts it back.
  const [chosen, setChosen] = useState<Partial<Record<ConsentRecord['purpose'], boolean>>>({});
  const history = useLoad(`consents|${version}`, () =>
    call<{ data: ConsentRecord[] }>('/store/customers/me/consents'),
  );
  // The history is newest first: the first record of a purpose is its current state.
  // Without a record, analytics follows this browser's banner choice (made before signing in).
  const current = (purpose: ConsentRecord['purpose']) =>
    history.data?.data.find((c) => c.purpose === purpose)?.granted ??
    (purpose === 'analytics_cookies' && analyticsChoice() === true);

  async function change(purpose: ConsentRecord['purpose'], granted: boolean) {
    setStatus(null);
    setChosen((c) => ({ ...c, [purpose]: granted }));
    try {
      await call('/store/customers/me/consents', {
        method: 'POST',
        body: { purpose, granted, source: 'storefront_account', text_version: CONSENT_TEXT_VERSION },
      });
      if (purpose === 'analytics_cookies') setAnalyticsChoice(granted);
      setVersion((v) => v + 1);
      setStatus(t('privacy.saved'));
    } catch {
      setChosen((c) => ({ ...c, [purpose]: !granted }));
      setStatus(t('error.load'));
    }
  }

  async function download() {
    setStatus(null);
    try {
      const data = await call<unknown>('/store/customers/me/export');
      const url = URL.createObjectURL(
        new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }),
      );
      const link = document.createElement('a');
      link.href = url;
      link.download = 'my-data.json';
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch {
      setStatus(t('error.load'));
    }
  }

  return (
    <>
      <h1>{t('account.privacy')}</h1>
      <fieldset className="consents">
        <legend>{t('privacy.consents')}</legend>
        {PURPOSES.map(([purpose, label]) => (
          <label key={purpose} className="inline">
            <input
              type="checkbox"
              name={purpose}
              disabled={history.state !== 'ready'}
              checked={chosen[purpose] ?? current(purpose)}
              onChange={(e) => change(purpose, e.target.checked)}
            />
            {t(label)}
          </label>
        ))}
      </fieldset>
      <h2>{t('privacy.export')}</h2>
      <p>{t('privacy.exportNote')}</p>
      <button type="button" className="button" onClick={download} data-testid="download-data">
        {t('privacy.export')}
      </button>
      {status && <p role="status">{status}</p>}
    </>
  );
}
