import { sql } from 'kysely';
import type { Config } from '../../config/config.js';
import type { Db } from '../../platform/db/database.js';
import { after, now } from '../../platform/db/time.js';

/**
 * Login throttling. Failures are counted per account name (the blind index of the email, whether or
 * not an account exists, so a locked answer reveals nothing) and per client IP (with a five times
 * higher threshold). Each failure past the second adds a growing delay; reaching the threshold
 * locks the key for the lockout period.
 */
export interface Throttle {
  /** Seconds until the first locked key unlocks, or 0. */
  lockedFor(keys: string[]): Promise<number>;
  fail(keys: { key: string; max: number }[]): Promise<number>;
  succeed(key: string): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function progressiveDelayMs(failures: number): number {
  return failures < 3 ? 0 : Math.min(250 * 2 ** (failures - 3), 2000);
}

export function createThrottle(db: Db, config: Config['auth']): Throttle {
  const windowMs = config.lockoutMinutes * 60_000;
  return {
    async lockedFor(keys) {
      if (keys.length === 0) return 0;
      const rows = await db.selectFrom('login_throttle').selectAll().where('key', 'in', keys).execute();
      const at = Date.now();
      let seconds = 0;
      for (const row of rows) {
        if (row.locked_until) {
          const left = Math.ceil((Date.parse(row.locked_until) - at) / 1000);
          if (left > seconds) seconds = left;
        }
      }
      return seconds;
    },
    async fail(keys) {
      let worst = 0;
      const stale = after(-windowMs);
      for (const { key, max } of keys) {
        // A counter whose window has passed (or whose lock has ended) starts again.
        await db
          .deleteFrom('login_throttle')
          .where('key', '=', key)
          .where((eb) =>
            eb.or([
              eb.and([eb('locked_until', 'is', null), eb('first_failure_at', '<', stale)]),
              eb('locked_until', '<', now()),
            ]),
          )
          .execute();
        await db
          .insertInto('login_throttle')
          .values({ key, failures: 1, first_failure_at: now(), locked_until: null })
          .onConflict((oc) => oc.column('key').doUpdateSet({ failures: sql`login_throttle.failures + 1` }))
          .execute();
        const row = await db
          .selectFrom('login_throttle')
          .selectAll()
          .where('key', '=', key)
          .executeTakeFirst();
        const failures = row?.failures ?? 1;
        if (failures >= max && !row?.locked_until)
          await db
            .updateTable('login_throttle')
            .set({ locked_until: after(windowMs) })
            .where('key', '=', key)
            .execute();
        if (max === keys[0]?.max) worst = Math.max(worst, failures);
      }
      const delay = progressiveDelayMs(worst);
      if (delay > 0) await sleep(delay);
      return worst;
    },
    async succeed(key) {
      await db.deleteFrom('login_throttle').where('key', '=', key).execute();
    },
  };
}
