import type { Db } from '../../platform/db/database.js';
import type { AnalyticsSettings } from './analytics.settings.js';
import { dropPartitionsBefore } from './partitions.js';

/** The instant before which raw behaviour data is deleted: `retentionMonths` calendar months ago. */
export function retentionCutoff(settings: AnalyticsSettings, nowMs = Date.now()): string {
  const d = new Date(nowMs);
  d.setUTCMonth(d.getUTCMonth() - settings.retentionMonths);
  return d.toISOString();
}

/**
 * Deletes raw events, sessions, idle visitors and cookieless counts older than the retention
 * cutoff: `cutoff` when given (the `event_retention_days` security setting), else
 * `STRATUS_ANALYTICS_RETENTION_MONTHS` back from now. On PostgreSQL whole monthly partitions are dropped first, so only the boundary month is
 * deleted row by row. Rollups are aggregates without personal data and are kept.
 */
export async function purgeExpired(
  db: Db,
  settings: AnalyticsSettings,
  nowMs = Date.now(),
  cutoff = retentionCutoff(settings, nowMs),
) {
  const droppedMonths = await dropPartitionsBefore(db, cutoff);
  const events = await db.deleteFrom('analytics_events').where('occurred_at', '<', cutoff).executeTakeFirst();
  const sessions = await db
    .deleteFrom('analytics_sessions')
    .where('started_at', '<', cutoff)
    .executeTakeFirst();
  const visitors = await db
    .deleteFrom('analytics_visitors')
    .where('last_event_at', '<', cutoff)
    .executeTakeFirst();
  await db.deleteFrom('analytics_cookieless_counts').where('bucket', '<', cutoff).execute();
  return {
    cutoff,
    dropped_months: droppedMonths,
    events: Number(events.numDeletedRows),
    sessions: Number(sessions.numDeletedRows),
    visitors: Number(visitors.numDeletedRows),
  };
}
