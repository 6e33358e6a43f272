/**
 * The analytics tracker (`/tracker.js`, served by Stratus) and the shopper's consent. The tracker is a
 * plain same-origin script (the CSP allows no inline code). Without analytics consent it keeps no ids
 * and sends only event names, which the server keeps as cookieless counts; with consent it sends full
 * GA4-style e-commerce events (docs/analytics.md).
 */
interface Tracker {
  track(name: string, params?: Record<string, unknown>): void;
  consent(granted: boolean): void;
  flush(): void;
  identify(customerId: string): void;
}
declare global {
  interface Window {
    stratus?: Tracker;
  }
}

export interface TrackedItem {
  item_id: string;
  item_variant?: string;
  item_name?: string;
  price?: number;
  quantity?: number;
  currency?: string;
}

const CHOICE_KEY = 'stratus.consent.analytics';
/** The tracker's own consent flag (see src/modules/analytics/tracker.ts). */
const TRACKER_FLAG = 'stratus_consent';
const waiting: Array<(tracker: Tracker) => void> = [];

export function loadTracker(): void {
  if (document.getElementById('stratus-tracker')) return;
  const script = document.createElement('script');
  script.id = 'stratus-tracker';
  script.src = '/tracker.js';
  script.async = true;
  script.onload = () => {
    const tracker = window.stratus;
    if (tracker) for (const run of waiting.splice(0)) run(tracker);
  };
  document.head.appendChild(script);
}

function withTracker(run: (tracker: Tracker) => void): void {
  if (window.stratus) run(window.stratus);
  else waiting.push(run);
}

export function track(name: string, params: Record<string, unknown> = {}): void {
  withTracker((tracker) => tracker.track(name, params));
}

/** The shopper's analytics choice: true, false, or null when they have not decided yet. */
export function analyticsChoice(): boolean | null {
  const value = localStorage.getItem(CHOICE_KEY);
  return value === 'granted' ? true : value === 'denied' ? false : null;
}

export function setAnalyticsChoice(granted: boolean): void {
  localStorage.setItem(CHOICE_KEY, granted ? 'granted' : 'denied');
  // Set the flag directly too, so events queued before the tracker loads follow the choice.
  if (granted) localStorage.setItem(TRACKER_FLAG, '1');
  else localStorage.removeItem(TRACKER_FLAG);
  withTracker((tracker) => tracker.consent(granted));
  window.dispatchEvent(new Event('stratus:consent'));
}

/** The visitor id the tracker keeps, only with consent: carts carry it so orders join the session. */
export function visitorId(): string | undefined {
  return analyticsChoice() ? (localStorage.getItem('stratus_vid') ?? undefined) : undefined;
}
