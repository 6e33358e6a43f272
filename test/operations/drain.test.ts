import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createDatabase } from '../../src/platform/db/database.js';
import { freePort, startStratus, waitFor, waitForReady } from '../helpers/processes.js';
import { testDialect } from '../helpers/test-context.js';

// Graceful shutdown of a real `stratus start` (API + in-process worker) on embedded SQLite.
describe.skipIf(testDialect !== 'sqlite')('graceful shutdown', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'stratus-drain-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('turns readiness false, finishes in-flight requests, releases leases and exits 0', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const node = startStratus(['start'], {
      PORT: String(port),
      HOST: '127.0.0.1',
      STRATUS_DATA_DIR: dataDir,
      STRATUS_DRAIN_DELAY_MS: '1500',
      STRATUS_OUTBOX_POLL_MS: '50',
    });
    const database = createDatabase(loadConfig({ STRATUS_DATA_DIR: dataDir }).database);
    try {
      await waitForReady(`${base}/health/ready`);
      // The in-process scheduler leads: it holds the leader lease.
      await waitFor('leader lease', async () =>
        database.db
          .selectFrom('leases')
          .selectAll()
          .where('name', '=', 'scheduler.leader')
          .executeTakeFirst(),
      );
      const inFlight = fetch(`${base}/ops/probes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'drain-1' },
        body: JSON.stringify({ hold_ms: 1200 }),
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      node.child.kill('SIGTERM');
      const ready = await waitFor('readiness false', async () => {
        const res = await fetch(`${base}/health/ready`);
        return res.status === 503 ? ((await res.json()) as { status: string }) : undefined;
      });
      expect(ready.status).toBe('draining');
      const held = await inFlight;
      expect(held.status).toBe(201);
      const exit = await node.exited;
      expect(exit.code, node.output()).toBe(0);
      expect(
        await database.db.selectFrom('leases').selectAll().where('name', '=', 'scheduler.leader').execute(),
      ).toEqual([]);
      const probe = await database.db.selectFrom('probes').selectAll().executeTakeFirstOrThrow();
      expect(probe.idempotency_key).toBe('drain-1');
    } finally {
      node.child.kill('SIGKILL');
      await database.destroy();
    }
  });

  it('runs a worker with its own scrape endpoint, metering its CPU, and stops it cleanly', async () => {
    const port = await freePort();
    // A database of its own: the API node above metered its CPU into the first one.
    const workerDir = path.join(dataDir, 'worker');
    const worker = startStratus(['worker'], {
      HOST: '127.0.0.1',
      STRATUS_DATA_DIR: workerDir,
      STRATUS_WORKER_METRICS_PORT: String(port),
      STRATUS_METRICS_TOKEN: 'worker-token',
      STRATUS_METRICS_ALLOW: '10.255.255.0/24',
    });
    const database = createDatabase(loadConfig({ STRATUS_DATA_DIR: workerDir }).database);
    try {
      await waitForReady(`http://127.0.0.1:${port}/health/live`);
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ok', checks: { database: { status: 'ok' } } });
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
      const scrape = await fetch(`http://127.0.0.1:${port}/metrics`, {
        headers: { authorization: 'Bearer worker-token' },
      });
      expect(scrape.status).toBe(200);
      const body = await scrape.text();
      expect(body).toContain('# TYPE stratus_job_duration_seconds histogram');
      expect(body).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
      worker.child.kill('SIGTERM');
      expect((await worker.exited).code, worker.output()).toBe(0);
      const cpu = await database.db
        .selectFrom('usage_daily')
        .select('value')
        .where('meter', '=', 'cpu_ms')
        .where('day', '=', new Date().toISOString().slice(0, 10))
        .executeTakeFirst();
      expect(Number(cpu?.value)).toBeGreaterThan(0);
    } finally {
      worker.child.kill('SIGKILL');
      await database.destroy();
    }
  });
});
