import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Config, type DatabaseConfig, loadConfig } from '../../src/config/config.js';
import {
  BackupIntegrityError,
  backupKey,
  DirectoryStorage,
  peekManifest,
  pruneBackups,
  RestoreRefusedError,
  restoreBackup,
  runBackup,
  storageFor,
  verifyBackup,
} from '../../src/modules/backups/index.js';
import { existingTables } from '../../src/modules/backups/restore.js';
import { takeSnapshot } from '../../src/modules/backups/snapshot.js';
import { recordUsage } from '../../src/modules/metering/index.js';
import { createDatabase, createPostgresPool } from '../../src/platform/db/database.js';
import { inTransaction } from '../../src/platform/db/transaction.js';
import { emit } from '../../src/platform/events/outbox.js';
import { SubscriberRegistry } from '../../src/platform/events/subscribers.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { createRuntime } from '../../src/platform/runtime.js';
import { createTestContext, type TestContext, testDialect } from '../helpers/test-context.js';

const key = randomBytes(32);
const hasPgDump = spawnSync('pg_dump', ['--version']).status === 0;
const registry = new SubscriberRegistry();
registry.register({ name: 'test.a', topics: ['load.*'], handle: async () => {} });
registry.register({ name: 'test.b', topics: ['load.*'], handle: async () => {} });

/** An empty database of the given kind to restore into, and its cleanup. */
async function emptyTarget(
  kind: 'sqlite' | 'postgres',
): Promise<{ config: DatabaseConfig; drop(): Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'stratus-restore-'));
    return {
      config: { kind: 'sqlite', file: path.join(dir, 'restored.db') },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const url = process.env.TEST_DATABASE_URL!;
  const schema = `r_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
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

async function count(config: DatabaseConfig, table: 'outbox_events' | 'outbox_deliveries'): Promise<number> {
  const database = createDatabase(config);
  try {
    const row = await database.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  } finally {
    await database.destroy();
  }
}

/** Writes in transactions (an event with two deliveries, a usage increment) until stopped. */
function writeLoad(t: TestContext, writers = 4) {
  let stop = false;
  let written = 0;
  const loops = Array.from({ length: writers }, async (_, w) => {
    while (!stop) {
      await inTransaction(t.ctx.db, async (trx) => {
        await emit(
          trx,
          { topic: 'load.tick', payload: { writer: w, email: 'someone@example.com' } },
          registry,
        );
        await recordUsage(trx, 'requests', 1);
      });
      written++;
      // Like requests arriving over sockets: SQLite calls are synchronous, so yield to I/O between writes.
      await new Promise((resolve) => setImmediate(resolve));
    }
  });
  return {
    get written() {
      return written;
    },
    async stop() {
      stop = true;
      await Promise.all(loops);
    },
  };
}

describe(`backups (${testDialect})`, () => {
  let t: TestContext;
  let config: Config;
  let storage: DirectoryStorage;
  let backupDir: string;
  let name: string;
  let eventsAtBackup: number;

  beforeAll(async () => {
    t = await createTestContext();
    backupDir = mkdtempSync(path.join(tmpdir(), 'stratus-backups-'));
    storage = new DirectoryStorage(backupDir);
    config = { ...t.config, backup: { ...t.config.backup, key: key.toString('base64'), target: backupDir } };
    // Some data before the load starts; random, so the archive spans several sealed segments.
    for (let i = 0; i < 50; i++) {
      const noise = randomBytes(2500).toString('hex');
      await inTransaction(t.ctx.db, (trx) =>
        emit(trx, { topic: 'load.seed', payload: { i, noise } }, registry),
      );
    }
  });
  afterAll(async () => {
    await t.close();
    rmSync(backupDir, { recursive: true, force: true });
  });

  it('takes a consistent backup while writes are happening', async () => {
    const load = writeLoad(t);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const before = load.written;
    const result = await runBackup(config, { storage, key });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await load.stop();
    name = result.name;
    const events = result.manifest.tables.find((x) => x.name === 'outbox_events')!;
    const deliveries = result.manifest.tables.find((x) => x.name === 'outbox_deliveries')!;
    eventsAtBackup = events.rows;
    // Taken mid-load: it holds more than before the call and less than at the end.
    expect(events.rows).toBeGreaterThanOrEqual(50 + before);
    expect(events.rows).toBeLessThan(50 + load.written);
    // Consistent: every committed event is there with both of its deliveries, never half of one.
    expect(deliveries.rows).toBe(events.rows * 2);
    expect(result.manifest.method).toBe(
      testDialect === 'sqlite'
        ? 'sqlite-online-backup'
        : hasPgDump
          ? 'postgres-repeatable-read+pg_dump'
          : 'postgres-repeatable-read',
    );
    expect(result.bytes).toBeGreaterThan(0);
    expect(await storage.list()).toEqual([name]);
  });

  it('is encrypted and compressed: no plaintext in the file', async () => {
    const archive = await storage.get(name);
    expect(archive.includes(Buffer.from('someone@example.com'))).toBe(false);
    expect(archive.includes(Buffer.from('load.tick'))).toBe(false);
  });

  it('restores into an empty database with the same counts and checksums', async () => {
    const target = await emptyTarget(testDialect);
    try {
      const restored = await restoreBackup(config, name, { storage, key, target: target.config });
      expect(restored.rows).toBe(restored.manifest.tables.reduce((s, x) => s + x.rows, 0));
      const again = await takeSnapshot(target.config);
      expect(again.manifest.tables).toEqual(restored.manifest.tables);
      expect(await count(target.config, 'outbox_events')).toBe(eventsAtBackup);
      // A second restore into the now non-empty target is refused.
      await expect(restoreBackup(config, name, { storage, key, target: target.config })).rejects.toThrow(
        RestoreRefusedError,
      );
    } finally {
      await target.drop();
    }
  });

  it('verifies by test-restoring into a scratch database', async () => {
    const report = await verifyBackup(config, name, { storage, key });
    expect(report.ok).toBe(true);
    expect(report.tables.find((x) => x.name === 'outbox_events')).toEqual({
      name: 'outbox_events',
      expected_rows: eventsAtBackup,
      restored_rows: eventsAtBackup,
      checksum_ok: true,
    });
  });

  it('refuses a tampered backup, or the wrong key, before writing anything', async () => {
    const original = await storage.get(name);
    const headerEnd = 8 + original.readUInt32BE(4);
    const trailerStart = original.length - 8 - original.readUInt32BE(original.length - 8);
    const segment = 64 * 1024 + 16;
    // Several sealed segments, so dropping one is a real case.
    expect(trailerStart - headerEnd).toBeGreaterThan(2 * segment);
    const flippedData = Buffer.from(original);
    flippedData[headerEnd + segment + 100]! ^= 0x01;
    const droppedSegment = Buffer.concat([
      original.subarray(0, headerEnd),
      original.subarray(headerEnd + segment),
    ]);
    // Same length, one character of the header or one digit of the trailer's manifest changed: both
    // are authenticated.
    const edit = (from: number, to: number, change: (text: string) => string) => {
      const text = original.subarray(from, to).toString('utf8');
      const changed = change(text);
      expect(changed).not.toBe(text);
      expect(changed.length).toBe(text.length);
      return Buffer.concat([original.subarray(0, from), Buffer.from(changed), original.subarray(to)]);
    };
    const flippedHeader = edit(8, headerEnd, (h) =>
      h.replace('"sqlite"', '"SQLite"').replace('"postgres"', '"Postgres"'),
    );
    const flippedTrailer = edit(trailerStart, original.length - 8, (t) =>
      t.replace(/"rows":(\d)/, (_m, d: string) => `"rows":${(Number(d) + 1) % 10}`),
    );
    for (const [archive, withKey] of [
      [flippedData, key],
      [droppedSegment, key],
      [flippedHeader, key],
      [flippedTrailer, key],
      [original, randomBytes(32)],
      [original.subarray(0, original.length - 100), key],
    ] as const) {
      const target = await emptyTarget(testDialect);
      try {
        await expect(
          restoreBackup(config, name, { archive, key: withKey, target: target.config }),
        ).rejects.toThrow(BackupIntegrityError);
        // Nothing was written: not even the schema.
        const database = createDatabase(target.config);
        expect([...(await existingTables(database))]).toEqual([]);
        await database.destroy();
      } finally {
        await target.drop();
      }
    }
  });

  it('keeps the backup key apart from the data key', () => {
    expect(() => backupKey(config, key)).toThrow(/must differ/);
    expect(backupKey(config, randomBytes(32)).equals(key)).toBe(true);
    expect(() => backupKey({ ...config, backup: { ...config.backup, key: 'c2hvcnQ=' } })).toThrow(/32 bytes/);
  });
});

describe.skipIf(testDialect !== 'postgres')('SQLite backup restored into PostgreSQL', () => {
  it('moves a shop up from SQLite with identical counts and checksums', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stratus-migrate-up-'));
    const sqliteConfig = loadConfig({ STRATUS_DATA_DIR: dir, LOG_LEVEL: 'silent' });
    const runtime = await createRuntime(sqliteConfig, { worker: false, logger: createLogger('silent') });
    const target = await emptyTarget('postgres');
    try {
      for (let i = 0; i < 120; i++) {
        await inTransaction(runtime.ctx.db, async (trx) => {
          await emit(trx, { topic: 'load.seed', payload: { i, note: `naïve ü ${i}` } }, registry);
          await recordUsage(trx, 'orders', 1, { dimension: 'eur' });
        });
      }
      const config = { ...sqliteConfig, backup: { ...sqliteConfig.backup, key: key.toString('base64') } };
      const storage = new DirectoryStorage(path.join(dir, 'backups'));
      const { name, manifest } = await runBackup(config, { storage, key });
      expect(manifest.source_dialect).toBe('sqlite');
      await restoreBackup(config, name, { storage, key, target: target.config });
      const restored = await takeSnapshot(target.config);
      expect(restored.manifest.source_dialect).toBe('postgres');
      expect(restored.manifest.tables).toEqual(manifest.tables);
      expect(await count(target.config, 'outbox_deliveries')).toBe(240);
    } finally {
      await runtime.close();
      await target.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(testDialect !== 'sqlite')('backups on S3-compatible storage (s3rver)', () => {
  let server: S3rver;
  let dir: string;
  let t: TestContext;
  let config: Config;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 's3rver-'));
    server = new S3rver({
      port: 0,
      address: '127.0.0.1',
      silent: true,
      directory: dir,
      configureBuckets: [{ name: 'shop-backups', configs: [] }],
    });
    const { port } = await server.run();
    t = await createTestContext();
    config = loadConfig({
      STRATUS_DATA_DIR: t.config.dataDir,
      STRATUS_BACKUP_KEY: key.toString('base64'),
      STRATUS_BACKUP_TARGET: 's3://shop-backups/nightly',
      STRATUS_BACKUP_S3_ENDPOINT: `http://127.0.0.1:${port}`,
      STRATUS_BACKUP_KEEP_DAILY: '2',
      STRATUS_BACKUP_KEEP_WEEKLY: '0',
      STRATUS_BACKUP_KEEP_MONTHLY: '0',
    });
    config.database = t.config.database;
  });
  afterAll(async () => {
    await t.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores, lists, verifies and prunes backups through the S3 API', async () => {
    const env = { STRATUS_BACKUP_S3_ACCESS_KEY_ID: 'S3RVER', STRATUS_BACKUP_S3_SECRET_ACCESS_KEY: 'S3RVER' };
    const storage = storageFor(config.backup, env);
    expect(storage.describe()).toBe('s3://shop-backups/nightly/');
    await inTransaction(t.ctx.db, (trx) => emit(trx, { topic: 'load.seed', payload: {} }, registry));
    const result = await runBackup(config, { storage });
    expect(await storage.list()).toEqual([result.name]);
    // A listing reads the manifest through ranged GETs, without downloading the archive.
    const source = await storage.openSource(result.name);
    expect(await peekManifest(source)).toMatchObject(result.manifest);
    expect((await verifyBackup(config, result.name, { storage })).ok).toBe(true);
    // Two older days' backups, then pruning keeps the newest of the 2 newest days.
    const archive = await storage.get(result.name);
    await storage.put('stratus-20250101T020000Z-old1.sbk', archive);
    await storage.put('stratus-20250102T020000Z-old2.sbk', archive);
    await storage.put('stratus-20250102T010000Z-old3.sbk', archive);
    const pruned = await pruneBackups(storage, config.backup.retention);
    expect(pruned.sort()).toEqual(['stratus-20250101T020000Z-old1.sbk', 'stratus-20250102T010000Z-old3.sbk']);
    expect(await storage.list()).toEqual(['stratus-20250102T020000Z-old2.sbk', result.name]);
  });
});
