import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createDatabase, createPostgresPool, type Database } from '../../src/platform/db/database.js';
import { migrateToLatest } from '../../src/platform/db/migrator.js';
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
