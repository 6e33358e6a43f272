import { hostname } from 'node:os';
import type { Db } from '../../platform/db/database.js';
import { newId } from '../../platform/db/ids.js';
import { now } from '../../platform/db/time.js';
import { inTransaction } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import type { ProbeTable } from './probes.tables.js';

const NODE = `${hostname()}:${process.pid}`;

/**
 * Records a probe and its `probe.created` event in one transaction. The idempotency key makes a
 * retry (say, after the node that took the first attempt was stopped) return the same probe.
 * `holdMs` keeps the transaction open that long, to have requests in flight during drain drills.
 */
export async function createProbe(
  db: Db,
  idempotencyKey: string,
  holdMs = 0,
): Promise<{ probe: ProbeTable; created: boolean }> {
  return inTransaction(db, async (trx) => {
    const existing = await trx
      .selectFrom('probes')
      .selectAll()
      .where('idempotency_key', '=', idempotencyKey)
      .executeTakeFirst();
    if (existing) return { probe: existing, created: false };
    const probe: ProbeTable = {
      id: newId('prb'),
      idempotency_key: idempotencyKey,
      node: NODE,
      created_at: now(),
      delivered_at: null,
      deliveries: 0,
    };
    await trx.insertInto('probes').values(probe).execute();
    await emit(trx, { topic: 'probe.created', payload: { probe_id: probe.id } });
    if (holdMs > 0) await new Promise((resolve) => setTimeout(resolve, holdMs));
    return { probe, created: true };
  });
}

export async function getProbe(db: Db, id: string): Promise<ProbeTable | undefined> {
  return db.selectFrom('probes').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function markDelivered(db: Db, probeId: string): Promise<void> {
  await db
    .updateTable('probes')
    .set((eb) => ({
      delivered_at: eb.fn.coalesce('delivered_at', eb.val(now())),
      deliveries: eb('deliveries', '+', 1),
    }))
    .where('id', '=', probeId)
    .execute();
}
