import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLease } from '../src/platform/jobs/leases.js';
import { type JobDefinition, Scheduler } from '../src/platform/jobs/scheduler.js';
import { createLogger } from '../src/platform/logging/logger.js';
import { createTestContext, type TestContext } from './helpers/test-context.js';

const logger = createLogger('silent');

describe('scheduler', () => {
  let a: TestContext;
  let b: TestContext;
  beforeEach(async () => {
    a = await createTestContext();
    b = await createTestContext({ shareDatabaseWith: a });
  });
  afterEach(async () => {
    await b.close();
    await a.close();
  });

  it('lets exactly one node lead, and hands over when the leader stops', async () => {
    const runs: string[] = [];
    const job = (node: string): JobDefinition => ({
      name: 'test.job',
      schedule: '0 0 1 1 *',
      run: async () => void runs.push(node),
    });
    const one = new Scheduler({ db: a.ctx.db, logger, jobs: [job('one')], leaseMs: 60_000 });
    const two = new Scheduler({ db: b.ctx.db, logger, jobs: [job('two')], leaseMs: 60_000 });
    await Promise.all([one.tick(), two.tick()]);
    expect([one.isLeader, two.isLeader].filter(Boolean)).toHaveLength(1);

    // Make the job due, then let both nodes tick concurrently: the occurrence runs once.
    await a.ctx.db.updateTable('scheduled_jobs').set({ next_run_at: '2000-01-01T00:00:00.000Z' }).execute();
    await Promise.all([one.tick(), two.tick()]);
    expect(runs).toHaveLength(1);
    const row = await a.ctx.db.selectFrom('scheduled_jobs').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ runs: 1, failures: 0, last_status: 'ok' });
    expect(row.next_run_at > new Date().toISOString()).toBe(true);

    const [leader, follower] = one.isLeader ? [one, two] : [two, one];
    await leader.stop();
    await follower.tick();
    expect(follower.isLeader).toBe(true);
    await follower.stop();
  });

  it('records a failing job and keeps its schedule', async () => {
    const scheduler = new Scheduler({
      db: a.ctx.db,
      logger,
      jobs: [
        { name: 'test.fails', schedule: '0 0 1 1 *', run: async () => Promise.reject(new Error('nope')) },
      ],
    });
    await scheduler.tick();
    await a.ctx.db.updateTable('scheduled_jobs').set({ next_run_at: '2000-01-01T00:00:00.000Z' }).execute();
    await scheduler.tick();
    const row = await a.ctx.db.selectFrom('scheduled_jobs').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ runs: 1, failures: 1, last_status: 'failed', last_error: 'nope' });
    await scheduler.stop();
  });

  it('takes over an expired lease but never a live one', async () => {
    // Live leases are long enough that a loaded machine cannot let them lapse between two calls.
    expect(await acquireLease(a.ctx.db, 'x', 'node-a', 10_000)).toBe(true);
    expect(await acquireLease(b.ctx.db, 'x', 'node-b', 10_000)).toBe(false);
    expect(await acquireLease(a.ctx.db, 'x', 'node-a', 10_000)).toBe(true);
    expect(await acquireLease(a.ctx.db, 'y', 'node-a', 50)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await acquireLease(b.ctx.db, 'y', 'node-b', 10_000)).toBe(true);
    expect(await acquireLease(a.ctx.db, 'y', 'node-a', 10_000)).toBe(false);
  });
});
