import type { Db } from '../../platform/db/database.js';
import { newId } from '../../platform/db/ids.js';
import { now } from '../../platform/db/time.js';
import { type DbOrTrx, inTransaction } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import type { Principal } from '../../platform/http/auth.js';
import { AppError, PlatformErrors } from '../../platform/http/errors.js';
import { type AuditActor, recordAudit } from '../audit/index.js';
import { IdentityErrors } from './identity.errors.js';
import type { RolesTable } from './identity.tables.js';
import { BUILTIN_ROLES, coversAll, PERMISSIONS, parsePermissions } from './permissions.js';

export interface RoleView {
  id: string;
  name: string;
  description: string | null;
  permissions: string[];
  builtin: boolean;
}

export function roleView(row: RolesTable): RoleView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    permissions: JSON.parse(row.permissions) as string[],
    builtin: row.builtin === 1,
  };
}

/**
 * Writes the built-in roles at start-up (once per process): inserted on a new database, and brought
 * in line with the code on an existing one, so a release that changes a built-in role applies it.
 */
export async function ensureBuiltinRoles(db: Db): Promise<void> {
  const at = now();
  for (const role of BUILTIN_ROLES) {
    const permissions = JSON.stringify(role.permissions === '*' ? ['*'] : role.permissions);
    await db
      .insertInto('roles')
      .values({
        id: role.id,
        name: role.name,
        description: role.description,
        permissions,
        builtin: 1,
        created_at: at,
        updated_at: at,
      })
      .onConflict((oc) => oc.column('id').doUpdateSet({ permissions, description: role.description }))
      .execute();
  }
}

export async function findRole(db: DbOrTrx, idOrName: string): Promise<RolesTable> {
  const row = await db
    .selectFrom('roles')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .executeTakeFirst();
  if (!row) throw new AppError(PlatformErrors.NOT_FOUND, 'Role not found');
  return row;
}

export function assertKnownPermissions(permissions: string[], field = 'body.permissions'): void {
  const unknown = permissions.filter((p) => !PERMISSIONS.includes(p));
  if (unknown.length > 0)
    throw new AppError(IdentityErrors.UNKNOWN_PERMISSION, `Unknown permission ${unknown.join(', ')}`, [
      { field, message: `unknown: ${unknown.join(', ')}` },
    ]);
}

/** No one grants what they do not hold: an admin cannot mint an owner, a key cannot outrank its maker. */
export function assertCanGrant(granter: Principal, wanted: ReadonlySet<string> | '*'): void {
  if (!coversAll(granter.permissions, wanted))
    throw new AppError(IdentityErrors.PRIVILEGE_ESCALATION, 'You cannot grant permissions you do not hold');
}

export async function listRoles(db: Db): Promise<RoleView[]> {
  return (await db.selectFrom('roles').selectAll().orderBy('builtin', 'desc').orderBy('name').execute()).map(
    roleView,
  );
}

export async function createRole(
  db: Db,
  granter: Principal,
  input: { name: string; description?: string | undefined; permissions: string[] },
  actor: AuditActor,
): Promise<RoleView> {
  assertKnownPermissions(input.permissions);
  assertCanGrant(granter, new Set(input.permissions));
  return inTransaction(db, async (trx) => {
    const taken = await trx
      .selectFrom('roles')
      .select('id')
      .where('name', '=', input.name)
      .executeTakeFirst();
    if (taken) throw new AppError(PlatformErrors.CONFLICT, 'A role with this name exists');
    const at = now();
    const row: RolesTable = {
      id: newId('role'),
      name: input.name,
      description: input.description ?? null,
      permissions: JSON.stringify([...new Set(input.permissions)].sort()),
      builtin: 0,
      created_at: at,
      updated_at: at,
    };
    await trx.insertInto('roles').values(row).execute();
    const after = roleView(row);
    await recordAudit(trx, actor, { action: 'role.created', target_type: 'role', target_id: row.id, after });
    await emit(trx, { topic: 'role.created', payload: { id: row.id } });
    return after;
  });
}

export async function updateRole(
  db: Db,
  granter: Principal,
  id: string,
  patch: { description?: string | undefined; permissions?: string[] | undefined },
  actor: AuditActor,
): Promise<RoleView> {
  if (patch.permissions) {
    assertKnownPermissions(patch.permissions);
    assertCanGrant(granter, new Set(patch.permissions));
  }
  return inTransaction(db, async (trx) => {
    const row = await findRole(trx, id);
    if (row.builtin) throw new AppError(IdentityErrors.ROLE_READ_ONLY, 'Built-in roles cannot be changed');
    // Narrowing a role someone else made broader is fine only for those who hold it all.
    assertCanGrant(granter, parsePermissions(row.permissions));
    const set: Partial<RolesTable> = { updated_at: now() };
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.permissions) set.permissions = JSON.stringify([...new Set(patch.permissions)].sort());
    await trx.updateTable('roles').set(set).where('id', '=', row.id).execute();
    const after = roleView(await findRole(trx, row.id));
    await recordAudit(trx, actor, {
      action: 'role.updated',
      target_type: 'role',
      target_id: row.id,
      before: roleView(row),
      after,
    });
    await emit(trx, { topic: 'role.updated', payload: { id: row.id } });
    return after;
  });
}

export async function deleteRole(db: Db, granter: Principal, id: string, actor: AuditActor): Promise<void> {
  await inTransaction(db, async (trx) => {
    const row = await findRole(trx, id);
    if (row.builtin) throw new AppError(IdentityErrors.ROLE_READ_ONLY, 'Built-in roles cannot be deleted');
    assertCanGrant(granter, parsePermissions(row.permissions));
    const staff = await trx
      .selectFrom('staff_users')
      .select('id')
      .where('role_id', '=', row.id)
      .executeTakeFirst();
    const invite = await trx
      .selectFrom('staff_invitations')
      .select('id')
      .where('role_id', '=', row.id)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (staff || invite) throw new AppError(IdentityErrors.ROLE_IN_USE, 'The role is still assigned');
    await trx.deleteFrom('roles').where('id', '=', row.id).execute();
    await recordAudit(trx, actor, {
      action: 'role.deleted',
      target_type: 'role',
      target_id: row.id,
      before: roleView(row),
    });
    await emit(trx, { topic: 'role.deleted', payload: { id: row.id } });
  });
}
