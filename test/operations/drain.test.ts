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
    const port = freePort();
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
});
