/**
 * Bot filtering: a user-agent pattern for self-declared crawlers and headless browsers, and a per-visitor
 * rate ceiling for the rest (no human views 600 pages a minute).
 */
const BOT_UA =
  /bot|crawl|spider|slurp|headless|phantomjs|puppeteer|playwright|selenium|lighthouse|pingdom|uptime|monitor|curl\/|wget\/|python-requests|httpclient|go-http-client|java\/|scrapy|facebookexternalhit|preview/i;

export function isBotUserAgent(userAgent: string | undefined): boolean {
  if (!userAgent) return true;
  return BOT_UA.test(userAgent);
}

export function deviceClassOf(userAgent: string | undefined): string | null {
  if (!userAgent) return null;
  if (/ipad|tablet|kindle|silk|playbook|(android(?!.*mobile))/i.test(userAgent)) return 'tablet';
  if (/mobi|iphone|ipod|android|blackberry|opera mini|iemobile/i.test(userAgent)) return 'mobile';
  return 'desktop';
}

/** Fixed one-minute windows per visitor; memory is bounded by dropping the previous window wholesale. */
export class VisitorRateLimiter {
  #window = 0;
  #counts = new Map<string, number>();
  readonly #limit: number;

  constructor(limitPerMinute: number) {
    this.#limit = limitPerMinute;
  }

  /** Counts one event for `visitor`; false once the visitor is over the ceiling this minute. */
  allow(visitor: string, nowMs: number): boolean {
    const window = Math.floor(nowMs / 60_000);
    if (window !== this.#window) {
      this.#window = window;
      this.#counts = new Map();
    }
    const count = (this.#counts.get(visitor) ?? 0) + 1;
    this.#counts.set(visitor, count);
    return count <= this.#limit;
  }
}
