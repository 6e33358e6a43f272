import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, createPostgresPool, type Database } from '../../src/platform/db/database.js';
import { checkoutWorkload, type Shop, seedShop } from '../helpers/checkout-workload.js';
import { type ClusterWorkload, expectStatus, startLoad } from '../helpers/cluster-workload.js';
import { freePort, type StratusProcess, startStratus, waitFor, waitForReady } from '../helpers/processes.js';
import { testDialect, testRedisUrl } from '../helpers/test-context.js';

const TOKEN = 'cluster-test-token';

/** Probes: a write with an event per request, idempotent by key; every one must be delivered. */
const probes: ClusterWorkload = {
  name: 'probes',
  async run(client, key) {
    const reply = await client.request('POST', '/ops/probes', {
      body: {},
      headers: { authorization: `Bearer ${TOKEN}`, 'idempotency-key': key },
    });
    return { id: (expectStatus(reply, 201, 'probe').body as { id: string }).id };
  },
  async verify(db, { acknowledged }) {
    const rows = await db.selectFrom('probes').select(['id', 'idempotency_key', 'delivered_at']).execute();
    const byKey = new Map(rows.map((r) => [r.idempotency_key, r]));
    // Every acknowledged write exists, with the id the client was given.
    for (const [key, id] of acknowledged) expect(byKey.get(key)?.id, key).toBe(id);
    // No write is duplicated: one row per key, and one event per row.
    expect(byKey.size).toBe(rows.length);
    const events = await db
      .selectFrom('outbox_events')
      .select(sql<number>`count(*)`.as('n'))
      .where('topic', '=', 'probe.created')
      .executeTakeFirst();
    expect(Number(events?.n)).toBe(rows.length);
    // Every event reached its subscriber.
    expect(rows.filter((r) => r.delivered_at === null)).toEqual([]);
  },
};

describe.skipIf(testDialect !== 'postgres' || !testRedisUrl)(
  // PostgreSQL only: several processes on one SQLite file is not a supported deployment
  // (docs/operations.md, "Processes and sizing").
  'scale-out: 2 API nodes + 1 worker over PostgreSQL and Redis',
  () => {
    const url = process.env.TEST_DATABASE_URL!;
    const schema = `so_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'stratus-cluster-'));
    const started: StratusProcess[] = [];
    let database: Database;
    let env: Record<string, string>;
    let shop: Shop;

    beforeAll(async () => {
      const admin = createPostgresPool(url, 1);
      await admin.query(`create schema ${schema}`);
      await admin.end();
      env = {
        DATABASE_URL: `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
        REDIS_URL: testRedisUrl!,
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        STRATUS_DATA_DIR: dataDir,
        STRATUS_SESSION_SECRET: randomBytes(32).toString('base64'),
        STRATUS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        STRATUS_METRICS_TOKEN: TOKEN,
        STRATUS_IN_PROCESS_WORKER: 'false',
        // The load comes from one IP through a shared Redis limiter; this test is not about limits.
        STRATUS_RATE_LIMIT_PER_MINUTE: '1000000',
        STRATUS_ACCOUNT_RATE_LIMIT_PER_MINUTE: '1000000',
        STRATUS_DRAIN_DELAY_MS: '400',
        STRATUS_OUTBOX_POLL_MS: '50',
        STRATUS_OUTBOX_LEASE_MS: '1500',
      };
      // As the Kubernetes migration Job does, before any node starts.
      const migrate = startStratus(['migrate'], env);
      expect((await migrate.exited).code, migrate.output()).toBe(0);
      database = createDatabase({ kind: 'postgres', url, poolMax: 2, searchPath: schema });
      shop = await seedShop(database.db);
    });

    afterAll(async () => {
      for (const p of started) p.child.kill('SIGKILL');
      await database?.destroy();
      const admin = createPostgresPool(url, 1);
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
      rmSync(dataDir, { recursive: true, force: true });
    });

    function node(args: string[], port?: number): StratusProcess {
      const p = startStratus(args, { ...env, PORT: String(port ?? 0) });
      started.push(p);
      return p;
    }

    // Three processes boot and stop here; on a CI machine running other suites that alone can take
    // half a minute, so this test gets a longer bound than the default (it takes ~25 s when idle).
    it('loses no order, event or write when one node is stopped and the worker is killed mid-load', async () => {
      const [portA, portB] = [await freePort(), await freePort()];
      const a = node(['start', '--no-seed'], portA);
      const b = node(['start', '--no-seed'], portB);
      const worker = node(['worker']);
      const urlA = `http://127.0.0.1:${portA}`;
      const urlB = `http://127.0.0.1:${portB}`;
      await Promise.all([waitForReady(`${urlA}/health/ready`), waitForReady(`${urlB}/health/ready`)]).catch(
        (error: Error) => {
          throw new Error(`${error.message}\n--- node A\n${a.output()}\n--- node B\n${b.output()}`);
        },
      );
      // The worker is up once its scheduler holds the leader lease (API nodes here run no worker).
      const leader = () =>
        database.db
          .selectFrom('leases')
          .select('owner')
          .where('name', '=', 'scheduler.leader')
          .executeTakeFirst();
      const firstLeader = (await waitFor('worker leads the scheduler', leader)).owner;

      // The phases wait for progress, not for time, so a slow machine only makes the test longer.
      let live = [urlA, urlB];
      const checkouts = checkoutWorkload(shop);
      const probeLoad = startLoad(probes, () => live, 3);
      const checkoutLoad = startLoad(checkouts, () => live, 6);
      const shoppers = checkoutLoad.result;
      const ordersPlaced = () => shoppers.acknowledged.size;
      const completedOn = (url: string) =>
        shoppers.attempts.some((x) => x.node === url && x.path.endsWith('/complete') && x.status === 200);
      const progress = (what: string, done: () => boolean) =>
        waitFor(what, async () => done() || undefined, 45_000).catch((error: Error) => {
          throw new Error(`${error.message}; so far ${ordersPlaced()} orders, failures: ${shoppers.failed}`);
        });

      await progress('orders completed on both nodes', () => completedOn(urlA) && completedOn(urlB));
      const terminatedAt = Date.now();
      a.child.kill('SIGTERM');
      // Node A drains while the load goes on; then the worker dies, with whatever it had claimed.
      const atTerm = ordersPlaced();
      await progress('orders while node A drains', () => ordersPlaced() >= atTerm + 3);
      worker.child.kill('SIGKILL');
      await worker.exited;
      // The balancer drops node A only when a connection to it fails (passive checks, as nginx's
      // proxy_next_upstream): until then shoppers' requests reach a closed node and go to B instead,
      // with the same Idempotency-Key.
      const refusedByA = () =>
        [...probeLoad.result.attempts, ...shoppers.attempts].some(
          (x) => x.node === urlA && x.status === 0 && x.at > terminatedAt,
        );
      await progress('a request refused by the stopped node A', refusedByA);
      live = [urlB];
      const drainedAt = Date.now();
      const atDrop = ordersPlaced();
      await progress('orders with no worker running', () => ordersPlaced() >= atDrop + 5);
      // The supervisor brings a new worker; the load runs until the scarce variant has sold out.
      const replacement = node(['worker']);
      const atRestart = ordersPlaced();
      await progress(
        'orders after the restart, scarce variant sold out',
        () =>
          ordersPlaced() >= atRestart + 3 && [...shoppers.rejected.values()].includes('INSUFFICIENT_STOCK'),
      );
      const [probed, shopped] = await Promise.all([probeLoad.stop(), checkoutLoad.stop()]);

      expect((await a.exited).code, `node A\n${a.output()}`).toBe(0);
      expect((await worker.exited).signal).toBe('SIGKILL');
      expect(probed.failed).toEqual([]);
      expect(shopped.failed).toEqual([]);
      expect(probed.acknowledged.size).toBeGreaterThan(10);
      expect(checkouts.hedged()).toBeGreaterThan(0);
      // Both nodes served before the stop; only the survivor served after it drained, and answered all.
      expect(
        probed.attempts.filter((x) => x.node === urlA && x.status === 201 && x.at < terminatedAt).length,
      ).toBeGreaterThan(0);
      const after = [...probed.attempts, ...shopped.attempts].filter((x) => x.at > drainedAt);
      expect(after.length).toBeGreaterThan(0);
      expect(after.filter((x) => x.node !== urlB || x.status === 0 || x.status >= 500)).toEqual([]);

      // The replacement worker delivers everything, including what the killed one had claimed.
      await waitFor(
        'outbox drained',
        async () => {
          const row = await database.db
            .selectFrom('outbox_deliveries')
            .select(sql<number>`count(*)`.as('n'))
            .where('status', '!=', 'done')
            .executeTakeFirst();
          return Number(row?.n) === 0 || undefined;
        },
        30_000,
      );
      await probes.verify(database.db, probed);
      await checkouts.verify(database.db, shopped);

      // Scheduler leadership: the killed worker's lease lapses (15 s at most), the replacement takes
      // it and runs what falls due.
      await waitFor(
        'the replacement worker leads the scheduler',
        async () => {
          const lease = await leader();
          return lease && lease.owner !== firstLeader ? lease : undefined;
        },
        30_000,
      );
      const runs = async () =>
        (
          await database.db
            .selectFrom('scheduled_jobs')
            .select('runs')
            .where('name', '=', 'outbox.prune')
            .executeTakeFirstOrThrow()
        ).runs;
      const runsBefore = await runs();
      await database.db
        .updateTable('scheduled_jobs')
        .set({ next_run_at: '2000-01-01T00:00:00.000Z' })
        .where('name', '=', 'outbox.prune')
        .execute();
      await waitFor(
        'a job run by the new leader',
        async () => ((await runs()) > runsBefore ? true : undefined),
        15_000,
      );
      replacement.child.kill('SIGTERM');
      b.child.kill('SIGTERM');
      expect((await replacement.exited).code, `replacement worker\n${replacement.output()}`).toBe(0);
      expect((await b.exited).code, `node B\n${b.output()}`).toBe(0);
    }, 150_000);
  },
);
