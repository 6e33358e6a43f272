import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createProduct } from '../../src/modules/catalog/catalog.products.js';
import { createDatabase, createPostgresPool, type Database } from '../../src/platform/db/database.js';
import { migrateToLatest } from '../../src/platform/db/migrator.js';
import { type App, buildApp } from '../../src/platform/http/app.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { createRuntime, type Runtime } from '../../src/platform/runtime.js';
import { type Shop, seedShop } from '../helpers/checkout-workload.js';
import { testDialect } from '../helpers/test-context.js';

// No streaming replica runs here, so two schemas of one database stand in for primary and replica:
// what matters is which connection a read takes.
describe.skipIf(testDialect !== 'postgres')('read replica', () => {
  const url = process.env.TEST_DATABASE_URL!;
  const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const [primary, replica] = [`pri_${suffix}`, `rep_${suffix}`];
  const withPath = (schema: string) =>
    `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  let database: Database;

  beforeAll(async () => {
    const admin = createPostgresPool(url, 1);
    await admin.query(`create schema ${primary}; create schema ${replica}`);
    await admin.end();
    const config = loadConfig({ DATABASE_URL: withPath(primary), DATABASE_REPLICA_URL: withPath(replica) });
    expect(config.database).toMatchObject({ kind: 'postgres', replicaUrl: withPath(replica) });
    database = createDatabase(config.database);
    await migrateToLatest(database.db);
    await migrateToLatest(database.reader);
  });
  afterAll(async () => {
    await database.destroy();
    const admin = createPostgresPool(url, 1);
    await admin.query(`drop schema ${primary} cascade; drop schema ${replica} cascade`);
    await admin.end();
  });

  it('sends reads through `reader` to DATABASE_REPLICA_URL and writes to the primary', async () => {
    await database.db
      .insertInto('leases')
      .values({ name: 'on-primary', owner: 'x', expires_at: 'z' })
      .execute();
    await database.reader
      .insertInto('leases')
      .values({ name: 'on-replica', owner: 'x', expires_at: 'z' })
      .execute();
    const names = async (db: Database['db']) =>
      (await db.selectFrom('leases').select('name').execute()).map((r) => r.name);
    expect(await names(database.db)).toEqual(['on-primary']);
    expect(await names(database.reader)).toEqual(['on-replica']);
  });

  it('uses the primary for reads when no replica is configured', () => {
    const plain = createDatabase(loadConfig({ DATABASE_URL: withPath(primary) }).database);
    expect(plain.reader).toBe(plain.db);
    return plain.destroy();
  });

  it('refuses a replica URL that is not PostgreSQL', () => {
    expect(() => loadConfig({ DATABASE_URL: url, DATABASE_REPLICA_URL: 'mysql://x/y' })).toThrow(
      /DATABASE_REPLICA_URL/,
    );
  });
});

// The whole app over a primary and a "replica" that hold different shops: whichever shop a response
// shows tells which connection served it.
describe.skipIf(testDialect !== 'postgres')('storefront over a read replica', () => {
  const url = process.env.TEST_DATABASE_URL!;
  const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const [primary, replica] = [`spri_${suffix}`, `srep_${suffix}`];
  const withPath = (schema: string) =>
    `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'stratus-replica-'));
  let replicaDb: Database;
  let runtime: Runtime;
  let app: App;
  let onPrimary: Shop;
  let onReplica: Shop;
  let replicaOnly: { id: string; handle: string };
  let primaryOnly: { id: string; handle: string };

  beforeAll(async () => {
    const admin = createPostgresPool(url, 1);
    await admin.query(`create schema ${primary}; create schema ${replica}`);
    await admin.end();
    replicaDb = createDatabase(loadConfig({ DATABASE_URL: withPath(replica) }).database);
    await migrateToLatest(replicaDb.db);
    onReplica = await seedShop(replicaDb.db);
    replicaOnly = (
      await createProduct(replicaDb.db, {
        title: 'Replica mug',
        status: 'published',
        variants: [{ sku: 'MUG-R', prices: [{ currency_code: 'eur', amount: 900 }] }],
      })
    ).value;
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      STRATUS_DATA_DIR: dataDir,
      DATABASE_URL: withPath(primary),
      DATABASE_REPLICA_URL: withPath(replica),
    });
    runtime = await createRuntime(config, {
      worker: false,
      logger: createLogger('silent'),
      secrets: { sessionSecret: Buffer.alloc(32, 1), encryptionKey: Buffer.alloc(32, 2) },
    });
    onPrimary = await seedShop(runtime.ctx.db);
    primaryOnly = (
      await createProduct(runtime.ctx.db, {
        title: 'Primary mug',
        status: 'published',
        variants: [{ sku: 'MUG-P', prices: [{ currency_code: 'eur', amount: 900 }] }],
      })
    ).value;
    app = await buildApp(runtime.ctx);
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await runtime?.close();
    await replicaDb?.destroy();
    const admin = createPostgresPool(url, 1);
    await admin.query(`drop schema ${primary} cascade; drop schema ${replica} cascade`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers storefront catalog reads from the replica', async () => {
    const product = await app.inject({ method: 'GET', url: `/store/products/${replicaOnly.handle}` });
    expect(product.statusCode).toBe(200);
    expect(product.json()).toMatchObject({ id: replicaOnly.id, title: 'Replica mug' });
    const missing = await app.inject({ method: 'GET', url: `/store/products/${primaryOnly.handle}` });
    expect(missing.statusCode).toBe(404);

    const list = await app.inject({ method: 'GET', url: `/store/products?region_id=${onReplica.regionId}` });
    expect(list.statusCode).toBe(200);
    const ids = (list.json() as { data: Array<{ id: string }> }).data.map((p) => p.id);
    expect(ids).toContain(replicaOnly.id);
    expect(ids).not.toContain(primaryOnly.id);
    // The primary's region does not exist on the replica.
    const primaryRegion = await app.inject({
      method: 'GET',
      url: `/store/products?region_id=${onPrimary.regionId}`,
    });
    expect(primaryRegion.statusCode).toBe(404);

    const availability = await app.inject({
      method: 'GET',
      url: `/store/availability?region_id=${onReplica.regionId}&variant_ids=${onReplica.plenty.variant}`,
    });
    expect(availability.statusCode).toBe(200);
    expect(availability.json().data[0]).toMatchObject({
      variant_id: onReplica.plenty.variant,
      available: 2000,
    });

    const page = await app.inject({ method: 'GET', url: `/products/${replicaOnly.handle}` });
    expect(page.statusCode).not.toBe(404);
    expect(page.body).toContain('Replica mug');
    expect((await app.inject({ method: 'GET', url: `/products/${primaryOnly.handle}` })).statusCode).toBe(
      404,
    );
  });

  it('keeps carts and checkout on the primary', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/store/carts',
      payload: { region_id: onPrimary.regionId },
    });
    expect(created.statusCode).toBe(201);
    const cartId = created.json().id as string;
    const added = await app.inject({
      method: 'POST',
      url: `/store/carts/${cartId}/line-items`,
      payload: { variant_id: onPrimary.plenty.variant, quantity: 1 },
    });
    expect(added.statusCode).toBe(200);
    const inPrimary = await runtime.ctx.db
      .selectFrom('carts')
      .select('id')
      .where('id', '=', cartId)
      .execute();
    const inReplica = await replicaDb.db.selectFrom('carts').select('id').where('id', '=', cartId).execute();
    expect(inPrimary).toHaveLength(1);
    expect(inReplica).toHaveLength(0);
  });
});
