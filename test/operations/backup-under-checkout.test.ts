import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseConfig } from '../../src/config/config.js';
import { DirectoryStorage, restoreBackup, runBackup } from '../../src/modules/backups/index.js';
import { takeSnapshot } from '../../src/modules/backups/snapshot.js';
import { createDatabase, createPostgresPool, type Db } from '../../src/platform/db/database.js';
import { createStore, readyCart, type Store } from '../checkout/store-fixture.js';
import { testDialect } from '../helpers/test-context.js';
import { ledgerMismatches } from '../inventory/ledger-check.js';

const key = randomBytes(32);

async function onHand(db: Db): Promise<number> {
  const levels = await db.selectFrom('inventory_levels').select('on_hand').execute();
  return levels.reduce((sum, l) => sum + l.on_hand, 0);
}

async function emptyTarget(): Promise<{ config: DatabaseConfig; drop(): Promise<void> }> {
  if (testDialect === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'stratus-restore-'));
    return {
      config: { kind: 'sqlite', file: path.join(dir, 'restored.db') },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const url = process.env.TEST_DATABASE_URL!;
  const schema = `rc_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = createPostgresPool(url, 1);
  await admin.query(`create schema ${schema}`);
  await admin.end();
  return {
    config: { kind: 'postgres', url, poolMax: 4, searchPath: schema },
    drop: async () => {
      const pool = createPostgresPool(url, 1);
      await pool.query(`drop schema if exists ${schema} cascade`);
      await pool.end();
    },
  };
}

// The "done when": a backup taken while shoppers check out restores to the same counts and
// checksums, and what it holds is a consistent shop (every order with its lines, payment and stock).
describe(`a backup under checkout load (${testDialect})`, () => {
  let store: Store;
  let backupDir: string;
  beforeAll(async () => {
    store = await createStore({ stock: 10_000 });
    backupDir = mkdtempSync(path.join(tmpdir(), 'stratus-backups-'));
  });
  afterAll(async () => {
    await store?.close();
    rmSync(backupDir, { recursive: true, force: true });
  });

  it('restores to the same counts and checksums, with every order whole', async () => {
    const initialOnHand = await onHand(store.ctx.db);
    let stop = false;
    let placed = 0;
    const shopper = async (s: number) => {
      for (let n = 0; !stop; n++) {
        const cart = await readyCart(store, [
          { variant: store.variants[0]!, quantity: 1 + (n % 2) },
          { variant: store.variants[1]!, quantity: 1 },
        ]);
        const done = await store.app.inject({
          method: 'POST',
          url: `/store/carts/${cart.id}/complete`,
          headers: { 'idempotency-key': `shopper-${s}-${n}` },
        });
        expect(done.statusCode, done.body).toBe(200);
        placed++;
      }
    };
    const shoppers = Array.from({ length: 4 }, (_, s) => shopper(s));
    while (placed < 5) await new Promise((resolve) => setTimeout(resolve, 20));
    const config = {
      ...store.config,
      backup: { ...store.config.backup, key: key.toString('base64'), target: backupDir },
    };
    const storage = new DirectoryStorage(backupDir);
    const before = placed;
    const backup = await runBackup(config, { storage, key });
    stop = true;
    await Promise.all(shoppers);
    const orders = backup.manifest.tables.find((table) => table.name === 'orders')!.rows;
    // Taken mid-load: more orders than when it started, fewer than at the end.
    expect(orders).toBeGreaterThanOrEqual(before);
    expect(orders).toBeLessThan(placed);

    const target = await emptyTarget();
    try {
      const restored = await restoreBackup(config, backup.name, { storage, key, target: target.config });
      expect((await takeSnapshot(target.config)).manifest.tables).toEqual(restored.manifest.tables);
      const database = createDatabase(target.config);
      try {
        const { db } = database;
        const rows = await db.selectFrom('orders').select(['id', 'payment_id', 'total']).execute();
        expect(rows).toHaveLength(orders);
        // Every order is whole: its lines, its payment, its committed stock.
        const lines = await db.selectFrom('order_line_items').select(['order_id', 'quantity']).execute();
        expect(new Set(lines.map((l) => l.order_id))).toEqual(new Set(rows.map((o) => o.id)));
        // A payment is authorized before its order is written, so the snapshot may hold a payment
        // whose order was still on its way, never an order without its payment.
        const payments = new Set((await db.selectFrom('payments').select('id').execute()).map((p) => p.id));
        expect(rows.every((o) => o.payment_id !== null && payments.has(o.payment_id))).toBe(true);
        // Stock is committed in the order's own transaction: on hand fell by exactly what was sold,
        // and the movement ledger still adds up to the counters.
        const sold = lines.reduce((sum, l) => sum + l.quantity, 0);
        expect(await onHand(db)).toBe(initialOnHand - sold);
        expect(await ledgerMismatches(db)).toEqual([]);
      } finally {
        await database.destroy();
      }
    } finally {
      await target.drop();
    }
  });
});
