import type { Db } from '../../platform/db/database.js';
import { after } from '../../platform/db/time.js';

/** A cart counts as active while open (or checking out) and changed within this window. */
export const ACTIVE_CART_WINDOW_MS = 60 * 60_000;
/** Scrapes from every node and every Prometheus replica share one count for this long. */
const CACHE_MS = 15_000;

const cached = new WeakMap<Db, { at: number; value: Promise<number> }>();

/** Carts open or completing and updated in the last hour (index `carts_activity_idx`), cached 15 s. */
export function countActiveCarts(db: Db, nowMs = Date.now()): Promise<number> {
  const hit = cached.get(db);
  if (hit && nowMs - hit.at < CACHE_MS) return hit.value;
  const value = db
    .selectFrom('carts')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('status', 'in', ['open', 'completing'])
    .where('updated_at', '>=', after(-ACTIVE_CART_WINDOW_MS, nowMs))
    .executeTakeFirstOrThrow()
    .then((row) => Number(row.n));
  cached.set(db, { at: nowMs, value });
  value.catch(() => cached.delete(db));
  return value;
}
