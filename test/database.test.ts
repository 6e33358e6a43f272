import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresPool, dialectOf } from '../src/platform/db/database.js';
import { newId } from '../src/platform/db/ids.js';
import { lockRows } from '../src/platform/db/lock.js';
import { migrationStatus } from '../src/platform/db/migrator.js';
import { inTransaction, type Trx } from '../src/platform/db/transaction.js';
import { createTestContext, type TestContext, testDialect } from './helpers/test-context.js';

describe('database layer', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext();
  });
  afterAll(async () => {
    await t.close();
  });

  it('runs on the dialect under test, with every migration applied', async () => {
    expect(dialectOf(t.ctx.db)).toBe(testDialect);
    const status = await migrationStatus(t.ctx.db);
    expect(status.length).toBeGreaterThan(0);
    expect(status.every((m) => m.executedAt)).toBe(true);
  });

  it('keeps uncommitted writes invisible outside the transaction, and rolls back on throw', async () => {
    const id = newId('lease');
    await expect(
      inTransaction(t.ctx.db, async (trx) => {
        await trx.insertInto('leases').values({ name: id, owner: 'a', expires_at: 'x' }).execute();
        const outside = await t.ctx.db.selectFrom('leases').select('name').where('name', '=', id).execute();
        expect(outside).toHaveLength(0);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await t.ctx.db.selectFrom('leases').select('name').where('name', '=', id).execute()).toHaveLength(
      0,
    );
  });

  it('serialises read-modify-write under a row lock: no lost updates', async () => {
    await t.ctx.db
      .insertInto('scheduled_jobs')
      .values({ name: 'counter', schedule: '* * * * *', next_run_at: 'x', runs: 0, failures: 0 })
      .execute();
    await Promise.all(
      Array.from({ length: 40 }, () =>
        inTransaction(t.ctx.db, async (trx) => {
          const row = await lockRows(
            trx,
            trx.selectFrom('scheduled_jobs').select('runs').where('name', '=', 'counter'),
          ).executeTakeFirstOrThrow();
          await new Promise((resolve) => setImmediate(resolve));
          await trx
            .updateTable('scheduled_jobs')
            .set({ runs: row.runs + 1 })
            .where('name', '=', 'counter')
            .execute();
        }),
      ),
    );
    const row = await t.ctx.db
      .selectFrom('scheduled_jobs')
      .select('runs')
      .where('name', '=', 'counter')
      .executeTakeFirstOrThrow();
    expect(row.runs).toBe(40);
  });

  it('generates prefixed ids that sort by creation time', () => {
    const ids = Array.from({ length: 1000 }, () => newId('ord'));
    expect(ids.every((id) => /^ord_[0-9A-HJKMNP-TV-Z]{26}$/.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
  });

  it('returns integers as numbers on both dialects', async () => {
    const row = await sql<{ n: number }>`select count(*) as n from schema_migrations`.execute(t.ctx.db);
    expect(typeof row.rows[0]!.n).toBe('number');
  });
});

describe.skipIf(testDialect !== 'sqlite')('the SQLite writer, with a second connection on the file', () => {
  let t: TestContext;
  let other: BetterSqlite3.Database;
  beforeAll(async () => {
    t = await createTestContext();
    const { database } = t.ctx.config;
    if (database.kind !== 'sqlite') throw new Error('SQLite only');
    other = new BetterSqlite3(database.file);
  });
  afterAll(async () => {
    other.close();
    await t.close();
  });

  it('waits for a write lock the other holds without stopping the event loop, then writes', async () => {
    other.exec('begin immediate');
    const name = newId('lease');
    const ticks = { n: 0 };
    const timer = setInterval(() => ticks.n++, 2);
    const started = performance.now();
    try {
      const transaction = inTransaction(t.ctx.db, (trx) =>
        trx.insertInto('leases').values({ name, owner: 'tx', expires_at: 'x' }).execute(),
      );
      const autocommit = t.ctx.db
        .insertInto('leases')
        .values({ name: `${name}-auto`, owner: 'auto', expires_at: 'x' })
        .execute();
      // Reads go on while the lock is held elsewhere.
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(await t.ctx.db.selectFrom('leases').select('name').where('name', '=', name).execute()).toEqual(
        [],
      );
      other.exec('commit');
      await Promise.all([transaction, autocommit]);
    } finally {
      clearInterval(timer);
      if (other.inTransaction) other.exec('rollback');
    }
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    // SQLite's own busy handler would have slept this thread for the whole wait: no timer could fire.
    expect(ticks.n).toBeGreaterThanOrEqual(10);
    const rows = await t.ctx.db
      .selectFrom('leases')
      .select('owner')
      .where('name', 'like', `${name}%`)
      .execute();
    expect(rows.map((r) => r.owner).sort()).toEqual(['auto', 'tx']);
  });

  const visible = (prefix: string) =>
    (
      other.prepare('select name from leases where name like ? order by name').all(`${prefix}%`) as Array<{
        name: string;
      }>
    ).map((r) => r.name);

  /**
   * Runs `first`, and while it holds the writer queues `queued` behind it; `settled` runs as each one
   * settles. Resolves with every outcome, `first` first.
   */
  async function queuedBehind(
    first: (trx: Trx) => Promise<unknown>,
    queued: Array<(trx: Trx) => Promise<unknown>>,
    settled: () => void = () => {},
  ) {
    let started!: () => void;
    const holding = new Promise<void>((resolve) => {
      started = resolve;
    });
    const head = inTransaction(t.ctx.db, async (trx) => {
      started();
      await first(trx);
      await new Promise((resolve) => setTimeout(resolve, 20));
    });
    await holding;
    const all = [head, ...queued.map((work) => inTransaction(t.ctx.db, work))];
    return Promise.allSettled(all.map((p) => p.finally(settled)));
  }

  const lease = (trx: Trx, name: string) =>
    trx.insertInto('leases').values({ name, owner: 'g', expires_at: 'x' }).execute();

  it('reports each commit only once it is committed, and transactions queued together commit together', async () => {
    const seen: string[][] = [];
    await queuedBehind(
      (trx) => lease(trx, 'g1-0'),
      [1, 2, 3].map((n) => (trx: Trx) => lease(trx, `g1-${n}`)),
      () => seen.push(visible('g1-')),
    );
    // The head resolved only with the queue's COMMIT: every member saw all four rows committed.
    expect(seen).toEqual(Array(4).fill(['g1-0', 'g1-1', 'g1-2', 'g1-3']));
  });

  it("undoes a failed member's own writes only", async () => {
    const outcomes = await queuedBehind(
      (trx) => lease(trx, 'g2-0'),
      [1, 2, 3].map((n) => async (trx: Trx) => {
        await lease(trx, `g2-${n}`);
        if (n === 2) throw new Error('refused');
      }),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(visible('g2-')).toEqual(['g2-0', 'g2-1', 'g2-3']);
  });

  it('fails every member, and writes nothing, when the shared COMMIT fails', async () => {
    // A deferred foreign key is checked at COMMIT: the one way to make a COMMIT fail on demand.
    await sql`create table gc_parent (id text primary key)`.execute(t.ctx.db);
    await sql`create table gc_child (id text primary key, parent text references gc_parent (id) deferrable initially deferred)`.execute(
      t.ctx.db,
    );
    const outcomes = await queuedBehind(
      (trx) => lease(trx, 'g3-0'),
      [
        (trx: Trx) => lease(trx, 'g3-1'),
        (trx: Trx) => sql`insert into gc_child (id, parent) values ('c', 'missing')`.execute(trx),
      ],
    );
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(visible('g3-')).toEqual([]);
    // The writer is usable again.
    await inTransaction(t.ctx.db, (trx) => lease(trx, 'g3-after'));
    expect(visible('g3-')).toEqual(['g3-after']);
  });
});

describe('two databases side by side', () => {
  it('migrates a second fresh database (or PostgreSQL schema) while the first is open', async () => {
    const first = await createTestContext();
    const second = await createTestContext();
    try {
      expect((await migrationStatus(second.ctx.db)).every((m) => m.executedAt)).toBe(true);
      await second.ctx.db
        .insertInto('leases')
        .values({ name: 'only-in-second', owner: 'x', expires_at: 'x' })
        .execute();
      expect(await first.ctx.db.selectFrom('leases').selectAll().execute()).toEqual([]);
    } finally {
      await second.close();
      await first.close();
    }
  });
});

describe.skipIf(testDialect !== 'postgres')('PostgreSQL schemas side by side', () => {
  it("migrates while another schema's tables change under it, and introspects only its own", async () => {
    const url = process.env.TEST_DATABASE_URL!;
    const other = `churn_${newId('s')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')}`;
    const admin = createPostgresPool(url, 1);
    await admin.query(`create schema ${other}`);
    let churning = true;
    const churn = (async () => {
      // DDL in another schema, as another shop's migration or a test dropping its schema would do.
      for (let i = 0; churning; i++)
        await admin.query(
          `create table ${other}.t${i} (a int, b int); alter table ${other}.t${i} drop column b; drop table ${other}.t${i}`,
        );
    })();
    try {
      const contexts = await Promise.all([createTestContext(), createTestContext()]);
      for (const c of contexts) {
        const tables = await c.ctx.db.introspection.getTables();
        expect(tables.some((table) => table.name === 'leases')).toBe(true);
        expect(new Set(tables.map((table) => table.schema)).size).toBe(1);
        await c.close();
      }
    } finally {
      churning = false;
      await churn;
      await admin.query(`drop schema ${other} cascade`);
      await admin.end();
    }
  });
});
