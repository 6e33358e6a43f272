import { newId } from '../../platform/db/ids.js';
import { now } from '../../platform/db/time.js';
import { type DbOrTrx, inTransaction, type Trx } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import { AppError, PlatformErrors } from '../../platform/http/errors.js';
import { type AuditActor, recordAudit } from '../audit/index.js';
import type { IdentityDeps } from './deps.js';
import type { CustomerAddressesTable } from './identity.tables.js';

export interface AddressInput {
  first_name?: string | null | undefined;
  last_name?: string | null | undefined;
  company?: string | null | undefined;
  address_1: string;
  address_2?: string | null | undefined;
  city: string;
  province?: string | null | undefined;
  postal_code?: string | null | undefined;
  country_code: string;
  phone?: string | null | undefined;
  is_default?: boolean | undefined;
}

export interface AddressView extends Required<Omit<AddressInput, 'is_default'>> {
  id: string;
  is_default: boolean;
  created_at: string;
  updated_at: string;
}

async function view(deps: IdentityDeps, row: CustomerAddressesTable): Promise<AddressView> {
  const d = (v: string | null) => deps.crypto.decryptNullable(v);
  return {
    id: row.id,
    first_name: await d(row.first_name_enc),
    last_name: await d(row.last_name_enc),
    company: await d(row.company_enc),
    address_1: await deps.crypto.decrypt(row.address_1_enc),
    address_2: await d(row.address_2_enc),
    city: await deps.crypto.decrypt(row.city_enc),
    province: await d(row.province_enc),
    postal_code: await d(row.postal_code_enc),
    country_code: row.country_code,
    phone: await d(row.phone_enc),
    is_default: row.is_default === 1,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

function encrypted(deps: IdentityDeps, input: Partial<AddressInput>): Partial<CustomerAddressesTable> {
  const e = (v: string | null | undefined) => deps.crypto.encryptNullable(v);
  const out: Partial<CustomerAddressesTable> = {};
  if (input.first_name !== undefined) out.first_name_enc = e(input.first_name);
  if (input.last_name !== undefined) out.last_name_enc = e(input.last_name);
  if (input.company !== undefined) out.company_enc = e(input.company);
  if (input.address_1 !== undefined) out.address_1_enc = deps.crypto.encrypt(input.address_1);
  if (input.address_2 !== undefined) out.address_2_enc = e(input.address_2);
  if (input.city !== undefined) out.city_enc = deps.crypto.encrypt(input.city);
  if (input.province !== undefined) out.province_enc = e(input.province);
  if (input.postal_code !== undefined) out.postal_code_enc = e(input.postal_code);
  if (input.country_code !== undefined) out.country_code = input.country_code.toLowerCase();
  if (input.phone !== undefined) out.phone_enc = e(input.phone);
  if (input.is_default !== undefined) out.is_default = input.is_default ? 1 : 0;
  return out;
}

/** Every query is scoped by the owner's id: another customer's address id is simply not found. */
async function owned(db: DbOrTrx, customerId: string, id: string): Promise<CustomerAddressesTable> {
  const row = await db
    .selectFrom('customer_addresses')
    .selectAll()
    .where('id', '=', id)
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
  if (!row) throw new AppError(PlatformErrors.NOT_FOUND, 'Address not found');
  return row;
}

async function clearDefault(trx: Trx, customerId: string, keep: string): Promise<void> {
  await trx
    .updateTable('customer_addresses')
    .set({ is_default: 0 })
    .where('customer_id', '=', customerId)
    .where('id', '!=', keep)
    .execute();
}

export async function listAddresses(deps: IdentityDeps, customerId: string): Promise<AddressView[]> {
  const rows = await deps.db
    .selectFrom('customer_addresses')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('id')
    .limit(200)
    .execute();
  return Promise.all(rows.map((row) => view(deps, row)));
}

export async function getAddress(deps: IdentityDeps, customerId: string, id: string): Promise<AddressView> {
  return view(deps, await owned(deps.db, customerId, id));
}

export async function addAddress(
  deps: IdentityDeps,
  customerId: string,
  input: AddressInput,
  actor: AuditActor,
): Promise<AddressView> {
  return inTransaction(deps.db, async (trx) => {
    const at = now();
    const row = {
      id: newId('addr'),
      customer_id: customerId,
      first_name_enc: null,
      last_name_enc: null,
      company_enc: null,
      address_2_enc: null,
      province_enc: null,
      postal_code_enc: null,
      phone_enc: null,
      is_default: 0,
      ...encrypted(deps, input),
      created_at: at,
      updated_at: at,
    } as CustomerAddressesTable;
    await trx.insertInto('customer_addresses').values(row).execute();
    if (row.is_default) await clearDefault(trx, customerId, row.id);
    const after = await view(deps, row);
    await recordAudit(trx, actor, {
      action: 'address.created',
      target_type: 'address',
      target_id: row.id,
      after,
    });
    await emit(trx, { topic: 'customer.address_added', payload: { id: row.id, customer_id: customerId } });
    return after;
  });
}

export async function updateAddress(
  deps: IdentityDeps,
  customerId: string,
  id: string,
  patch: Partial<AddressInput>,
  actor: AuditActor,
): Promise<AddressView> {
  return inTransaction(deps.db, async (trx) => {
    const before = await view(deps, await owned(trx, customerId, id));
    await trx
      .updateTable('customer_addresses')
      .set({ ...encrypted(deps, patch), updated_at: now() })
      .where('id', '=', id)
      .where('customer_id', '=', customerId)
      .execute();
    if (patch.is_default) await clearDefault(trx, customerId, id);
    const after = await view(deps, await owned(trx, customerId, id));
    await recordAudit(trx, actor, {
      action: 'address.updated',
      target_type: 'address',
      target_id: id,
      before,
      after,
    });
    await emit(trx, { topic: 'customer.address_updated', payload: { id, customer_id: customerId } });
    return after;
  });
}

export async function deleteAddress(
  deps: IdentityDeps,
  customerId: string,
  id: string,
  actor: AuditActor,
): Promise<void> {
  await inTransaction(deps.db, async (trx) => {
    await owned(trx, customerId, id);
    await trx
      .deleteFrom('customer_addresses')
      .where('id', '=', id)
      .where('customer_id', '=', customerId)
      .execute();
    await recordAudit(trx, actor, { action: 'address.deleted', target_type: 'address', target_id: id });
    await emit(trx, { topic: 'customer.address_deleted', payload: { id, customer_id: customerId } });
  });
}
