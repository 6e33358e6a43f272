import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/modules/audit/index.js';
import { identityDeps } from '../../src/modules/identity/index.js';
import { registerErasureHandler, registerExportSection } from '../../src/modules/privacy/index.js';
import { fieldCrypto } from '../../src/platform/crypto/field-crypto.js';
import { keyUsage, rotateKeys } from '../../src/platform/crypto/key-rotation.js';
import { readyCart, seedShop } from '../checkout/store-fixture.js';
import { type CustomerCredentials, customerCredentials, staffCredentials } from '../helpers/identity.js';
import { createTestApp, type TestApp, testDialect } from '../helpers/test-context.js';

const run = promisify(execFile);

const people = [
  {
    email: 'grace.hopper@navy.example',
    phone: '+1 202 555 0142',
    street: 'Arlington Ridge Road',
    first: 'Grace',
  },
  {
    email: 'alan.turing@bletchley.example',
    phone: '+44 1908 640404',
    street: 'Sherwood Drive',
    first: 'Alan',
  },
  {
    email: 'katherine.johnson@nasa.example',
    phone: '+1 757 864 1000',
    street: 'Langley Boulevard',
    first: 'Katherine',
  },
];

/** Everything the database holds, as bytes: the SQLite file (and its WAL), or a PostgreSQL dump. */
async function rawDatabase(t: TestApp): Promise<string> {
  if (t.config.database.kind === 'sqlite') {
    const file = t.config.database.file;
    return [file, `${file}-wal`]
      .filter(existsSync)
      .map((f) => readFileSync(f).toString('latin1'))
      .join('\n');
  }
  const { url, searchPath } = t.config.database;
  try {
    const { stdout } = await run('pg_dump', ['--data-only', '--inserts', `--schema=${searchPath}`, url], {
      maxBuffer: 256 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    // No pg_dump binary: an SQL dump of every table in the schema, row by row.
    const tables = await sql<{
      table_name: string;
    }>`select table_name from information_schema.tables where table_schema = ${searchPath!}`.execute(
      t.ctx.db,
    );
    const parts: string[] = [];
    for (const { table_name } of tables.rows) {
      const rows = await sql<{
        row: string;
      }>`select row_to_json(x)::text as row from ${sql.table(table_name)} x`.execute(t.ctx.db);
      parts.push(...rows.rows.map((r) => r.row));
    }
    return parts.join('\n');
  }
}

describe('data protection: encryption at rest, key rotation, audit chain, GDPR', () => {
  let t: TestApp;
  const customers: CustomerCredentials[] = [];
  const orderIds: string[] = [];
  beforeAll(async () => {
    t = await createTestApp({ env: { STRATUS_RATE_LIMIT_PER_MINUTE: '100000' } });
    for (const p of people) {
      const c = await customerCredentials(t, {
        email: p.email,
        phone: p.phone,
        first_name: p.first,
        last_name: 'Example',
      });
      const res = await t.app.inject({
        method: 'POST',
        url: '/store/customers/me/addresses',
        headers: c.headers,
        payload: {
          address_1: `12 ${p.street}`,
          city: 'Springfield',
          postal_code: '12345',
          country_code: 'us',
          phone: p.phone,
          first_name: p.first,
        },
      });
      expect(res.statusCode).toBe(201);
      customers.push(c);
    }
    // Each person also checks out (signed in, replayable with an Idempotency-Key) and leaves an
    // open cart with their details: carts, orders and stored responses all hold personal data.
    const owner = await staffCredentials(t, 'owner');
    const shop = await seedShop(t, owner.headers, { products: 1 });
    for (const [i, p] of people.entries()) {
      const as = {
        headers: customers[i]!.headers,
        address: {
          first_name: p.first,
          last_name: 'Example',
          address_1: `12 ${p.street}`,
          city: 'Berlin',
          postal_code: '10115',
          country_code: 'de',
          phone: p.phone,
        },
      };
      const lines = [{ variant: shop.variants[0]!, quantity: 1 }];
      const cart = await readyCart({ ...shop, app: t.app }, lines, p.email, as);
      const done = await t.app.inject({
        method: 'POST',
        url: `/store/carts/${cart.id}/complete`,
        headers: { ...customers[i]!.headers, 'idempotency-key': `order-${i}` },
      });
      expect(done.statusCode, done.body).toBe(200);
      expect(done.json().order).toMatchObject({ email: p.email, customer_id: customers[i]!.id });
      orderIds.push(done.json().order.id);
      // Staff notes are free text about the person: personal data too.
      const note = await t.app.inject({
        method: 'POST',
        url: `/admin/orders/${done.json().order.id}/notes`,
        headers: owner.headers,
        payload: { message: `Called ${p.first} on ${p.phone} about the parcel to ${p.street}` },
      });
      expect(note.statusCode, note.body).toBe(204);
      await readyCart({ ...shop, app: t.app }, lines, p.email.toUpperCase(), as);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('the raw database holds no plaintext emails, phones or street names', async () => {
    if (t.config.database.kind === 'sqlite') await sql`pragma wal_checkpoint(TRUNCATE)`.execute(t.ctx.db);
    const raw = await rawDatabase(t);
    expect(raw.length).toBeGreaterThan(1000);
    expect(raw).toContain('enc:v1:'); // the scan does see the encrypted columns
    for (const p of people) {
      for (const needle of [
        p.email,
        p.email.split('@')[0]!,
        p.phone,
        p.phone.replace(/\s/g, ''),
        p.street,
        p.first,
      ]) {
        expect(raw.includes(needle), `${needle} found in the raw ${testDialect} database`).toBe(false);
      }
    }
    // ...while the API still answers in clear and finds a customer by email (blind index).
    const owner = await staffCredentials(t, 'owner');
    const found = await t.app.inject({
      url: `/admin/customers?email=${encodeURIComponent(people[0]!.email.toUpperCase())}`,
      headers: owner.headers,
    });
    expect(found.json().data.map((c: { email: string }) => c.email)).toEqual([people[0]!.email]);
    // Orders too, through their own blind index, and they read back in clear.
    const orders = await t.app.inject({
      url: `/admin/orders?email=${encodeURIComponent(` ${people[1]!.email.toUpperCase()}`)}`,
      headers: owner.headers,
    });
    expect(orders.statusCode).toBe(200);
    expect(orders.json().data.map((o: { id: string }) => o.id)).toEqual([orderIds[1]]);
    expect(orders.json().data[0].shipping_address).toMatchObject({
      address_1: `12 ${people[1]!.street}`,
      phone: people[1]!.phone,
    });
    const history = await t.app.inject({
      url: `/admin/orders/${orderIds[1]}/timeline`,
      headers: owner.headers,
    });
    expect(history.json().data).toContainEqual(
      expect.objectContaining({ kind: 'note', message: expect.stringContaining(people[1]!.phone) }),
    );
    // A replayed completion answers the same order from its (encrypted) stored response.
    const replay = await t.app.inject({
      method: 'POST',
      url: `/store/carts/${orders.json().data[0].cart_id}/complete`,
      headers: { ...customers[1]!.headers, 'idempotency-key': 'order-1' },
    });
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json().order).toMatchObject({ id: orderIds[1], email: people[1]!.email });
  });

  it('rotates the data key in batches while reads keep working, and re-encrypts every value', async () => {
    const deps = await identityDeps(t.ctx);
    const oldKey = deps.crypto.activeKeyId();
    const before = await keyUsage(t.ctx.db, t.ctx.secrets);
    expect(before[oldKey]).toBeGreaterThan(10);
    // Reads during the rotation see whole, decryptable data.
    const reader = (async () => {
      for (let i = 0; i < 10; i++) {
        const res = await t.app.inject({
          url: '/store/customers/me/addresses',
          headers: customers[0]!.headers,
        });
        expect(res.json().data[0].address_1).toBe(`12 ${people[0]!.street}`);
      }
    })();
    const report = await rotateKeys(t.ctx.db, t.ctx.secrets, { batchSize: 2 });
    await reader;
    expect(report.key_id).not.toBe(oldKey);
    expect(report.tables.find((r) => r.table === 'customers')!.rows).toBeGreaterThanOrEqual(people.length);
    expect(report.tables.find((r) => r.table === 'orders')!.rows).toBe(people.length);
    expect(report.tables.find((r) => r.table === 'carts')!.rows).toBe(2 * people.length);
    // Stored Idempotency-Key responses (the checkout's completions) are rotated too.
    expect(report.tables.find((r) => r.table === 'idempotency_keys')!.rows).toBeGreaterThan(0);
    const after = await keyUsage(t.ctx.db, t.ctx.secrets);
    expect(after[oldKey] ?? 0).toBe(0);
    expect(after[report.key_id]).toBe(before[oldKey]);
    // A node that loaded the ring before rotation still decrypts (it reloads on an unknown key id).
    const me = await t.app.inject({ url: '/store/customers/me', headers: customers[1]!.headers });
    expect(me.json().email).toBe(people[1]!.email);
    const order = await t.app.inject({
      url: `/store/customers/me/orders/${orderIds[1]}`,
      headers: customers[1]!.headers,
    });
    expect(order.json().shipping_address.address_1).toBe(`12 ${people[1]!.street}`);
    expect((await fieldCrypto(t.ctx.db, t.ctx.secrets)).activeKeyId()).toBe(report.key_id);
  });

  it('detects an edited row and a deleted row in the audit log', async () => {
    expect(await verifyAuditChain(t.ctx.db)).toMatchObject({ ok: true, problems: [] });
    const rows = await t.ctx.db.selectFrom('audit_log').select(['seq', 'action']).orderBy('seq').execute();
    expect(rows.length).toBeGreaterThan(5);
    const owner = await staffCredentials(t, 'owner');
    const viaApi = await t.app.inject({
      method: 'POST',
      url: '/admin/audit-log/verify',
      headers: owner.headers,
    });
    expect(viaApi.json().ok).toBe(true);

    const target = rows[2]!;
    await t.ctx.db
      .updateTable('audit_log')
      .set({ action: 'nothing.happened' })
      .where('seq', '=', target.seq)
      .execute();
    const edited = await verifyAuditChain(t.ctx.db);
    expect(edited.ok).toBe(false);
    expect(edited.problems).toContainEqual({ seq: target.seq, problem: 'content does not match its hash' });
    await t.ctx.db
      .updateTable('audit_log')
      .set({ action: target.action })
      .where('seq', '=', target.seq)
      .execute();
    expect((await verifyAuditChain(t.ctx.db)).ok).toBe(true);

    const gone = rows[4]!;
    await t.ctx.db.deleteFrom('audit_log').where('seq', '=', gone.seq).execute();
    const deleted = await verifyAuditChain(t.ctx.db);
    expect(deleted.ok).toBe(false);
    expect(deleted.problems.map((p) => p.seq)).toContain(gone.seq + 1);
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/audit-log/verify',
      headers: owner.headers,
    });
    expect(res.json().ok).toBe(false);
  });

  it('searches the audit log by action, and redacts personal data in diffs', async () => {
    const owner = await staffCredentials(t, 'owner');
    const res = await t.app.inject({
      url: '/admin/audit-log?action=address.created&limit=2',
      headers: owner.headers,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toHaveLength(2);
    expect(res.json().next_cursor).not.toBeNull();
    const next = await t.app.inject({
      url: `/admin/audit-log?action=address.created&limit=2&cursor=${res.json().next_cursor}`,
      headers: owner.headers,
    });
    expect(next.json().data).toHaveLength(1);
    const entry = res.json().data[0];
    expect(entry.diff.after.address_1).toBe('[redacted]');
    expect(entry.diff.after.country_code).toBe('us');
    expect(entry.ip).toMatch(/^hmac:/);
    const all = JSON.stringify(await t.ctx.db.selectFrom('audit_log').selectAll().execute());
    for (const p of people) expect(all).not.toContain(p.street);
  });

  it('exports a customer’s data to them and to staff with customers:export only', async () => {
    registerExportSection({ name: 'test_section', collect: async (_db, id) => ({ customer: id }) });
    const [c] = customers;
    const mine = await t.app.inject({ url: '/store/customers/me/export', headers: c!.headers });
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toMatchObject({
      profile: { email: people[0]!.email, phone: people[0]!.phone },
      addresses: [{ address_1: `12 ${people[0]!.street}` }],
      test_section: { customer: c!.id },
    });
    expect(mine.json().activity.map((a: { action: string }) => a.action)).toContain('customer.registered');
    const support = await staffCredentials(t, 'support');
    expect(
      (await t.app.inject({ url: `/admin/customers/${c!.id}/export`, headers: support.headers })).statusCode,
    ).toBe(403);
    const admin = await staffCredentials(t, 'admin');
    const staffExport = await t.app.inject({
      url: `/admin/customers/${c!.id}/export`,
      headers: admin.headers,
    });
    expect(staffExport.json().profile.email).toBe(people[0]!.email);
  });

  it('records consents with time, source and text version', async () => {
    const c = customers[1]!;
    const give = await t.app.inject({
      method: 'POST',
      url: '/store/customers/me/consents',
      headers: c.headers,
      payload: { purpose: 'marketing_email', granted: true, source: 'checkout', text_version: 'v3' },
    });
    expect(give.statusCode).toBe(201);
    await t.app.inject({
      method: 'POST',
      url: '/store/customers/me/consents',
      headers: c.headers,
      payload: { purpose: 'marketing_email', granted: false, source: 'account', text_version: 'v3' },
    });
    const list = await t.app.inject({ url: '/store/customers/me/consents', headers: c.headers });
    expect(list.json().data.map((x: { granted: boolean; source: string }) => [x.granted, x.source])).toEqual([
      [false, 'account'],
      [true, 'checkout'],
    ]);
    expect(list.json().data[0].created_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('erasure leaves no personal data, keeps the anonymous record, and runs module hooks in its transaction', async () => {
    const c = customers[2]!;
    const p = people[2]!;
    const seen: string[] = [];
    registerErasureHandler({ name: 'test_orders', erase: async (_trx, id) => void seen.push(id) });
    const support = await staffCredentials(t, 'support');
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/admin/customers/${c.id}/erase`,
          headers: support.headers,
        })
      ).statusCode,
    ).toBe(403);
    const admin = await staffCredentials(t, 'admin');
    const erase = await t.app.inject({
      method: 'POST',
      url: `/admin/customers/${c.id}/erase`,
      headers: admin.headers,
    });
    expect(erase.statusCode).toBe(204);
    expect(seen).toEqual([c.id]);
    expect((await t.app.inject({ url: '/store/customers/me', headers: c.headers })).statusCode).toBe(401);
    const view = await t.app.inject({ url: `/admin/customers/${c.id}`, headers: admin.headers });
    expect(view.json()).toMatchObject({
      status: 'erased',
      first_name: null,
      phone: null,
      email: `erased+${c.id}@invalid`,
    });
    const addresses = await t.ctx.db
      .selectFrom('customer_addresses')
      .select('id')
      .where('customer_id', '=', c.id)
      .execute();
    expect(addresses).toEqual([]);
    // Nothing of theirs is left anywhere, encrypted or not.
    const deps = await identityDeps(t.ctx);
    const row = await t.ctx.db
      .selectFrom('customers')
      .selectAll()
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(await deps.crypto.decrypt(row.email_enc)).not.toContain(p.email);
    if (t.config.database.kind === 'sqlite') await sql`pragma wal_checkpoint(TRUNCATE)`.execute(t.ctx.db);
    const raw = await rawDatabase(t);
    for (const needle of [p.email, p.phone, p.street]) expect(raw).not.toContain(needle);
    const erasedLog = await t.ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', c.id)
      .where('action', '=', 'customer.erased')
      .execute();
    expect(erasedLog).toHaveLength(1);
    // A failing module hook aborts the erasure: all or nothing.
    registerErasureHandler({
      name: 'test_orders',
      erase: async () => {
        throw new Error('orders unavailable');
      },
    });
    const other = customers[1]!;
    const failed = await t.app.inject({
      method: 'POST',
      url: `/admin/customers/${other.id}/erase`,
      headers: admin.headers,
    });
    expect(failed.statusCode).toBe(500);
    expect((await t.app.inject({ url: '/store/customers/me', headers: other.headers })).json().status).toBe(
      'active',
    );
    registerErasureHandler({ name: 'test_orders', erase: async () => {} });
  });

  it('a customer can erase their own account with their password', async () => {
    const c = await customerCredentials(t, { first_name: 'Selma', phone: '+1 555 0100 999' });
    const erase = (password: string) =>
      t.app.inject({
        method: 'POST',
        url: '/store/customers/me/erase',
        headers: c.headers,
        payload: { password },
      });
    expect((await erase('not my password')).json().error.code).toBe('INVALID_CREDENTIALS');
    expect((await erase(c.password)).statusCode).toBe(204);
    expect((await t.app.inject({ url: '/store/customers/me', headers: c.headers })).statusCode).toBe(401);
    const row = await t.ctx.db
      .selectFrom('customers')
      .selectAll()
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: 'erased',
      first_name_enc: null,
      phone_enc: null,
      password_hash: null,
    });
    const relogin = await t.app.inject({
      method: 'POST',
      url: '/store/auth/login',
      payload: { email: c.email, password: c.password },
    });
    expect(relogin.statusCode).toBe(401);
  });

  it('retention purges ended sessions and spent tokens', async () => {
    const owner = await staffCredentials(t, 'owner');
    await t.ctx.db
      .updateTable('sessions')
      .set({ expires_at: '2000-01-01T00:00:00.000Z' })
      .where('subject_id', '=', customers[0]!.id)
      .execute();
    const res = await t.app.inject({
      method: 'POST',
      url: '/admin/privacy/retention/run',
      headers: owner.headers,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().sessions).toBeGreaterThanOrEqual(1);
    const left = await t.ctx.db
      .selectFrom('sessions')
      .select('id')
      .where('subject_id', '=', customers[0]!.id)
      .execute();
    expect(left).toEqual([]);
  });
});
