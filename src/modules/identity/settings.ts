import { now } from '../../platform/db/time.js';
import type { DbOrTrx } from '../../platform/db/transaction.js';

/** Security and privacy settings an owner changes at run time (stored as JSON in `settings`). */
export interface SecuritySettings {
  /** Every staff member must enrol in TOTP before doing anything else. */
  require_staff_mfa: boolean;
  /** Expired or revoked sessions are deleted this many days after they end. */
  session_retention_days: number;
  /**
   * Behavioural events (analytics) older than this are purged by modules that keep them. Until an
   * owner stores a value, each module keeps its own default (analytics: STRATUS_ANALYTICS_RETENTION_MONTHS).
   */
  event_retention_days: number;
}

export const DEFAULT_SETTINGS: SecuritySettings = {
  require_staff_mfa: false,
  session_retention_days: 30,
  event_retention_days: 395,
};

let cached: { at: number; value: SecuritySettings; db: unknown } | undefined;
const TTL_MS = 2000;

/** Read on every staff request, so cached briefly; a change reaches every node within seconds. */
export async function getSettings(db: DbOrTrx): Promise<SecuritySettings> {
  if (cached && cached.db === db && Date.now() - cached.at < TTL_MS) return cached.value;
  const value: SecuritySettings = { ...DEFAULT_SETTINGS, ...(await storedSettings(db)) };
  cached = { at: Date.now(), value, db };
  return value;
}

/** Only the settings an owner has stored (no defaults): tells "set to the default" from "never set". */
export async function storedSettings(db: DbOrTrx): Promise<Partial<SecuritySettings>> {
  const rows = await db.selectFrom('settings').selectAll().where('key', 'like', 'security.%').execute();
  const stored: Record<string, unknown> = {};
  for (const row of rows) {
    const key = row.key.slice('security.'.length);
    if (key in DEFAULT_SETTINGS) stored[key] = JSON.parse(row.value);
  }
  return stored as Partial<SecuritySettings>;
}

export async function putSettings(db: DbOrTrx, patch: Partial<SecuritySettings>): Promise<void> {
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    await db
      .insertInto('settings')
      .values({ key: `security.${key}`, value: JSON.stringify(value), updated_at: now() })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: now() }))
      .execute();
  }
  cached = undefined;
}
