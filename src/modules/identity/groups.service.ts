import type { Db } from '../../platform/db/database.js';
import { newId } from '../../platform/db/ids.js';
import { now } from '../../platform/db/time.js';
import { type DbOrTrx, inTransaction } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import { AppError, PlatformErrors } from '../../platform/http/errors.js';
import { type AuditActor, recordAudit } from '../audit/index.js';
import type { CustomerGroupsTable } from './identity.tables.js';

export async function listGroups(db: Db): Promise<CustomerGroupsTable[]> {
  return db.selectFrom('customer_groups').selectAll().orderBy('name').limit(500).execute();
}

export async function createGroup(db: Db, name: string, actor: AuditActor): Promise<CustomerGroupsTable> {
  return inTransaction(db, async (trx) => {
    if (await trx.selectFrom('customer_groups').select('id').where('name', '=', name).executeTakeFirst())
      throw new AppError(PlatformErrors.CONFLICT, 'A group with this name exists');
    const at = now();
    const row = { id: newId('cgrp'), name, created_at: at, updated_at: at };
    await trx.insertInto('customer_groups').values(row).execute();
    await recordAudit(trx, actor, {
      action: 'customer_group.created',
      target_type: 'customer_group',
      target_id: row.id,
      after: row,
    });
    await emit(trx, { topic: 'customer_group.created', payload: { id: row.id } });
    return row;
  });
}

export async function renameGroup(
  db: Db,
  id: string,
  name: string,
  actor: AuditActor,
): Promise<CustomerGroupsTable> {
  return inTransaction(db, async (trx) => {
    const before = await trx
      .selectFrom('customer_groups')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!before) throw new AppError(PlatformErrors.NOT_FOUND, 'Customer group not found');
    if (
      await trx
        .selectFrom('customer_groups')
        .select('id')
        .where('name', '=', name)
        .where('id', '!=', id)
        .executeTakeFirst()
    )
      throw new AppError(PlatformErrors.CONFLICT, 'A group with this name exists');
    const after = { ...before, name, updated_at: now() };
    await trx
      .updateTable('customer_groups')
      .set({ name, updated_at: after.updated_at })
      .where('id', '=', id)
      .execute();
    await recordAudit(trx, actor, {
      action: 'customer_group.updated',
      target_type: 'customer_group',
      target_id: id,
      before,
      after,
    });
    await emit(trx, { topic: 'customer_group.updated', payload: { id } });
    return after;
  });
}

export async function deleteGroup(db: Db, id: string, actor: AuditActor): Promise<void> {
  await inTransaction(db, async (trx) => {
    const result = await trx.deleteFrom('customer_groups').where('id', '=', id).executeTakeFirst();
    if (Number(result.numDeletedRows) !== 1)
      throw new AppError(PlatformErrors.NOT_FOUND, 'Customer group not found');
    await trx.updateTable('customers').set({ group_id: null }).where('group_id', '=', id).execute();
    await recordAudit(trx, actor, {
      action: 'customer_group.deleted',
      target_type: 'customer_group',
      target_id: id,
    });
    await emit(trx, { topic: 'customer_group.deleted', payload: { id } });
  });
}

/**
 * The customer groups a customer belongs to (today at most one), for discount conditions. Erased or
 * unknown customers belong to none.
 */
export async function customerGroupIds(db: DbOrTrx, customerId: string): Promise<string[]> {
  const row = await db
    .selectFrom('customers')
    .select('group_id')
    .where('id', '=', customerId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return row?.group_id ? [row.group_id] : [];
}
