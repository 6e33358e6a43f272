import { ConfigError } from '../../config/config.js';
import { isValidTimeZone } from './time-zone.js';

/** Analytics configuration, read from the environment once per process (and overridable in tests). */
export interface AnalyticsSettings {
  /** IANA zone of the store: sessions end at its midnight, daily rollups are its days. */
  timeZone: string;
  /** Money KPIs are reported in this currency; orders in others are left out of them. */
  currency: string;
  retentionMonths: number;
  flushIntervalMs: number;
  flushMaxEvents: number;
  sessionTimeoutMs: number;
  /** Events per visitor per minute above which the visitor is treated as a bot. */
  maxEventsPerVisitorMinute: number;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new ConfigError(name, `must be an integer between ${min} and ${max}, got "${raw}"`);
  return value;
}

export function loadAnalyticsSettings(env: Env = process.env): AnalyticsSettings {
  const timeZone = env.STRATUS_STORE_TIMEZONE || 'UTC';
  if (!isValidTimeZone(timeZone))
    throw new ConfigError('STRATUS_STORE_TIMEZONE', `is not an IANA zone: "${timeZone}"`);
  const currency = (env.STRATUS_STORE_CURRENCY || 'usd').toLowerCase();
  if (!/^[a-z]{3}$/.test(currency))
    throw new ConfigError('STRATUS_STORE_CURRENCY', 'must be an ISO 4217 code');
  return {
    timeZone,
    currency,
    retentionMonths: int(env, 'STRATUS_ANALYTICS_RETENTION_MONTHS', 13, 1, 120),
    flushIntervalMs: int(env, 'STRATUS_ANALYTICS_FLUSH_MS', 250, 1, 60_000),
    flushMaxEvents: int(env, 'STRATUS_ANALYTICS_FLUSH_EVENTS', 2000, 1, 100_000),
    sessionTimeoutMs: 30 * 60_000,
    maxEventsPerVisitorMinute: int(env, 'STRATUS_ANALYTICS_MAX_EVENTS_PER_VISITOR_MINUTE', 600, 1, 1_000_000),
  };
}

let current: AnalyticsSettings | undefined;

/** The process-wide settings (environment on first use). */
export function analyticsSettings(): AnalyticsSettings {
  current ??= loadAnalyticsSettings();
  return current;
}

/** Replaces the process-wide settings (tests, and `stratus seed --traffic`). */
export function setAnalyticsSettings(settings: Partial<AnalyticsSettings>): AnalyticsSettings {
  current = { ...analyticsSettings(), ...settings };
  return current;
}
