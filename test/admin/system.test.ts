import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../src/platform/db/transaction.js';
import { emit } from '../../src/platform/events/outbox.js';
import { adminHeaders } from '../helpers/identity.js';
import { createTestApp, type TestApp } from '../helpers/test-context.js';

// The system page's API: outbox depth, dead letters and replay, backups (list, run, verify).
describe('admin system API', () => {
  let t: TestApp;
  let bare: TestApp;
  let owner: { authorization: string };
  const dir = mkdtempSync(path.join(tmpdir(), 'stratus-admin-backups-'));
  beforeAll(async () => {
    t = await createTestApp({
      env: { STRATUS_BACKUP_KEY: randomBytes(32).toString('base64'), STRATUS_BACKUP_TARGET: dir },
    });
    bare = await createTestApp();
    owner = await adminHeaders(t, 'owner');
  });
  afterAll(async () => {
    await t?.close();
    await bare?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists dead letters and replays them; support may not', async () => {
    await inTransaction(t.ctx.db, (trx) => emit(trx, { topic: 'order.placed', payload: { id: 'ord_x' } }));
    const delivery = await t.ctx.db.selectFrom('outbox_deliveries').select(['id']).executeTakeFirstOrThrow();
    // The dispatcher's retries are tested in test/outbox.test.ts; here a delivery is simply dead.
    await t.ctx.db
      .updateTable('outbox_deliveries')
      .set({ status: 'dead', attempts: 8, last_error: 'downstream is down' })
      .where('id', '=', delivery.id)
      .execute();
    const outbox = await t.app.inject({ url: '/admin/system/outbox', headers: owner });
    expect(outbox.statusCode, outbox.body).toBe(200);
    expect(outbox.json().dead_letters).toEqual([
      expect.objectContaining({
        id: delivery.id,
        topic: 'order.placed',
        attempts: 8,
        last_error: 'downstream is down',
      }),
    ]);
    expect(outbox.json().backlog).toContainEqual(expect.objectContaining({ status: 'dead', count: 1 }));

    const support = await adminHeaders(t, 'support');
    const refused = await t.app.inject({
      method: 'POST',
      url: '/admin/system/outbox/replay',
      headers: support,
      payload: {},
    });
    expect(refused.statusCode).toBe(403);
    const replay = await t.app.inject({
      method: 'POST',
      url: '/admin/system/outbox/replay',
      headers: owner,
      payload: { ids: [delivery.id] },
    });
    expect(replay.json()).toEqual({ replayed: 1 });
    const row = await t.ctx.db
      .selectFrom('outbox_deliveries')
      .select(['status', 'attempts'])
      .where('id', '=', delivery.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'pending', attempts: 0 });
  });

  it('takes a backup, lists it and verifies it by a test restore', async () => {
    const run = await t.app.inject({ method: 'POST', url: '/admin/system/backups', headers: owner });
    expect(run.statusCode, run.body).toBe(201);
    const { name } = run.json();
    const list = await t.app.inject({ url: '/admin/system/backups', headers: owner });
    expect(list.json().data).toEqual([expect.objectContaining({ name, tables: expect.any(Number) })]);
    const verify = await t.app.inject({
      method: 'POST',
      url: `/admin/system/backups/${name}/verify`,
      headers: owner,
    });
    expect(verify.statusCode, verify.body).toBe(200);
    expect(verify.json().ok).toBe(true);
    const missing = await t.app.inject({
      method: 'POST',
      url: '/admin/system/backups/stratus-20200101T000000Z-abc.sbk/verify',
      headers: owner,
    });
    expect(missing.json().error.code).toBe('BACKUP_NOT_FOUND');
  });

  it('says clearly when backups are not configured', async () => {
    const res = await bare.app.inject({
      url: '/admin/system/backups',
      headers: await adminHeaders(bare, 'owner'),
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('BACKUPS_NOT_CONFIGURED');
  });
});
