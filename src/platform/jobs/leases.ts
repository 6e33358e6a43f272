import type { Db } from '../db/database.js';
import { after, now } from '../db/time.js';

/**
 * Takes or renews the named lease for `owner`. Returns true when `owner` holds it afterwards. One
 * upsert, atomic on both dialects: it only overwrites a row that is ours or has expired.
 */
export async function acquireLease(db: Db, name: string, owner: string, ttlMs: number): Promise<boolean> {
  const result = await db
    .insertInto('leases')
    .values({ name, owner, expires_at: after(ttlMs) })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet((eb) => ({ owner: eb.ref('excluded.owner'), expires_at: eb.ref('excluded.expires_at') }))
        .where((eb) => eb.or([eb('leases.owner', '=', owner), eb('leases.expires_at', '<', now())])),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function releaseLease(db: Db, name: string, owner: string): Promise<void> {
  await db.deleteFrom('leases').where('name', '=', name).where('owner', '=', owner).execute();
}
