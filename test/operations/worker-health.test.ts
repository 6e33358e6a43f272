import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerServer } from '../../src/platform/jobs/worker-server.js';
import { createTestContext, type TestContext } from '../helpers/test-context.js';

// What `stratus worker` serves on STRATUS_WORKER_METRICS_PORT, which compose and Kubernetes probe.
describe('worker health endpoint', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext({ worker: true });
  });
  afterAll(() => t.close());

  it('is live while the loops run and ready while the database answers; neither once stopped', async () => {
    const worker = t.runtime.worker!;
    const server = await workerServer(t.ctx, worker);
    try {
      expect((await server.inject({ url: '/health/live' })).statusCode).toBe(503);
      worker.start();
      const live = await server.inject({ url: '/health/live' });
      expect(live.statusCode).toBe(200);
      expect(live.json()).toMatchObject({ status: 'ok' });
      const ready = await server.inject({ url: '/health/ready' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({ status: 'ok', checks: { database: { status: 'ok' } } });
      // The scrape endpoint sits beside the probes (loopback is allowed by default).
      const scrape = await server.inject({ url: '/metrics' });
      expect(scrape.statusCode).toBe(200);
      expect(scrape.body).toContain('# TYPE stratus_job_duration_seconds histogram');

      await worker.stop();
      expect((await server.inject({ url: '/health/live' })).json()).toMatchObject({ status: 'stopped' });
      expect((await server.inject({ url: '/health/live' })).statusCode).toBe(503);
      expect((await server.inject({ url: '/health/ready' })).statusCode).toBe(503);
    } finally {
      await server.close();
    }
  });
});
