import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redact as redactAudit } from '../../src/modules/audit/audit.service.js';
import { inTransaction } from '../../src/platform/db/transaction.js';
import { emit } from '../../src/platform/events/outbox.js';
import { SubscriberRegistry } from '../../src/platform/events/subscribers.js';
import { buildApp } from '../../src/platform/http/app.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { createTestApp, createTestContext, type TestApp } from '../helpers/test-context.js';

/** Parses the exposition text into family name -> type, and sample lines. */
function families(text: string): { types: Map<string, string>; samples: string[] } {
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (match) types.set(match[1]!, match[2]!);
  }
  return { types, samples: text.split('\n').filter((l) => l && !l.startsWith('#')) };
}

describe('metrics endpoint', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: { STRATUS_METRICS_TOKEN: 'scrape-secret', STRATUS_METRICS_ALLOW: '10.9.0.0/16' },
    });
  });
  afterAll(() => t.close());

  it('refuses a scraper without the token from an address off the allow-list', async () => {
    const none = await t.app.inject({ url: '/metrics' });
    expect(none.statusCode).toBe(401);
    const wrong = await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(403);
    const allowed = await t.app.inject({ url: '/metrics', remoteAddress: '10.9.3.4' });
    expect(allowed.statusCode).toBe(200);
  });

  it('exposes every family with Prometheus names and types', async () => {
    await t.app.inject({ url: '/health/ready' });
    await t.app.inject({ url: '/health/live' });
    // GET falls through to the storefront's client routes; an unknown DELETE matches no route at all.
    await t.app.inject({ method: 'DELETE', url: '/no/such/route' });
    // An undelivered event for a subscriber, so outbox depth and age have a series.
    const registry = new SubscriberRegistry();
    registry.register({ name: 'test.sink', topics: ['thing.happened'], handle: async () => {} });
    await inTransaction(t.ctx.db, (trx) => emit(trx, { topic: 'thing.happened', payload: {} }, registry));
    await t.ctx.db
      .insertInto('scheduled_jobs')
      .values({
        name: 'demo.job',
        schedule: '* * * * *',
        next_run_at: '2030-01-01T00:00:00.000Z',
        runs: 3,
        failures: 1,
      })
      .execute();
    await t.ctx.cache.set('k', 1);
    await t.ctx.cache.get('k');
    await t.ctx.cache.get('missing');

    const res = await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer scrape-secret' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const { types, samples } = families(res.body);
    const expected: Record<string, string> = {
      stratus_http_requests_total: 'counter',
      stratus_http_request_errors_total: 'counter',
      stratus_http_request_duration_seconds: 'histogram',
      nodejs_eventloop_lag_seconds: 'gauge',
      nodejs_heap_size_used_bytes: 'gauge',
      nodejs_gc_duration_seconds: 'histogram',
      stratus_db_pool_connections: 'gauge',
      stratus_db_pool_waiting_requests: 'gauge',
      stratus_db_query_duration_seconds: 'histogram',
      stratus_outbox_deliveries: 'gauge',
      stratus_outbox_oldest_undelivered_age_seconds: 'gauge',
      stratus_job_runs_total: 'counter',
      stratus_job_failures_total: 'counter',
      stratus_job_duration_seconds: 'histogram',
      stratus_cache_hits_total: 'counter',
      stratus_cache_misses_total: 'counter',
      stratus_cache_hit_ratio: 'gauge',
    };
    for (const [name, type] of Object.entries(expected)) expect(types.get(name), name).toBe(type);
    // Conventions: snake_case, counters end in _total, no counter without it.
    for (const [name, type] of types) {
      expect(name).toMatch(/^[a-z_][a-z0-9_]*$/);
      if (type === 'counter') expect(name).toMatch(/_total$/);
    }
    // Prometheus sets `job` and `instance` on every target (an exposed one becomes `exported_job`)
    // and reserves names starting with `__`: no family may use them, whether or not it has samples.
    const reserved = (label: string) => label === 'job' || label === 'instance' || label.startsWith('__');
    const declared = t.ctx.metrics.registry
      .getMetricsAsArray()
      .flatMap((m) => ((m as unknown as { labelNames?: string[] }).labelNames ?? []).map((l) => [m.name, l]));
    expect(declared.length).toBeGreaterThan(10);
    expect(declared.filter(([, label]) => reserved(label!))).toEqual([]);
    const exposed = samples.flatMap((s) =>
      [...(s.match(/^[a-z_0-9]+\{(.*)\}/)?.[1] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)].map(
        (m) => m[1]!,
      ),
    );
    expect(exposed).toContain('job_name');
    expect(exposed.filter(reserved)).toEqual([]);
    const line = (prefix: string) => samples.find((s) => s.startsWith(prefix));
    expect(
      line('stratus_http_requests_total{method="GET",route="/health/ready",status_code="200"} 1'),
    ).toBeDefined();
    expect(
      line('stratus_http_requests_total{method="DELETE",route="(unmatched)",status_code="404"} 1'),
    ).toBeDefined();
    expect(line('stratus_db_query_duration_seconds_count{operation="select"}')).toBeDefined();
    expect(line('stratus_outbox_deliveries{subscriber="test.sink",status="pending"} 1')).toBeDefined();
    expect(line('stratus_outbox_oldest_undelivered_age_seconds{subscriber="test.sink"}')).toBeDefined();
    expect(line('stratus_job_runs_total{job_name="demo.job"} 3')).toBeDefined();
    expect(line('stratus_job_failures_total{job_name="demo.job"} 1')).toBeDefined();
    expect(line('stratus_cache_hits_total 1')).toBeDefined();
    expect(line('stratus_cache_misses_total 1')).toBeDefined();
    expect(line('stratus_metrics_collect_errors 0')).toBeDefined();
  });
});

describe('log redaction', () => {
  it('redacts personal fields at any depth, with the list the audit log uses', () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        callback();
      },
    });
    const logger = createLogger('info', { destination });
    const order = {
      id: 'ord_1',
      total: 4999,
      customer: { id: 'cus_1', email: 'ada@example.com', profile: { phone_number: '+44 20 7946 0000' } },
      shipping_address: {
        address_1: 'Hauptstr. 1',
        city: 'Berlin',
        postal_code: '10115',
        country_code: 'DE',
      },
      lines: [{ sku: 'A-1', gift: { note: 'Happy birthday, Ada', recipient: { first_name: 'Ada' } } }],
      cleared: { email: null },
    };
    logger.info({ order, ip: '203.0.113.9', session_token: 'tok_abc' }, 'order looked up');
    logger.child({ customer: { email: 'grace@example.com' } }).info('bound');
    const [logged, bound] = lines;
    expect(logged).toMatchObject({
      ip: '[redacted]',
      session_token: '[redacted]',
      order: {
        id: 'ord_1',
        total: 4999,
        customer: { id: 'cus_1', email: '[redacted]', profile: { phone_number: '[redacted]' } },
        shipping_address: {
          address_1: '[redacted]',
          city: '[redacted]',
          postal_code: '[redacted]',
          country_code: 'DE',
        },
        lines: [{ sku: 'A-1', gift: { note: '[redacted]', recipient: { first_name: '[redacted]' } } }],
        cleared: { email: null },
      },
    });
    expect(bound).toMatchObject({ customer: { email: '[redacted]' } });
    const all = JSON.stringify(lines);
    for (const personal of [
      'ada@example.com',
      '7946',
      'Hauptstr',
      'Berlin',
      '10115',
      'birthday',
      '203.0.113.9',
      'grace@',
    ])
      expect(all, personal).not.toContain(personal);
    // The caller's object is left as it was.
    expect(order.customer.email).toBe('ada@example.com');
    // The audit log redacts by the same list.
    expect(redactAudit(order)).toEqual(JSON.parse(JSON.stringify((logged as { order: unknown }).order)));
  });
});

describe('request logs', () => {
  it('carry the request id and trace id, and redact personal data', async () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        callback();
      },
    });
    const t = await createTestContext({ logger: createLogger('info', { destination }) });
    const app = await buildApp(t.ctx);
    try {
      app.get('/store/echo', async (request) => {
        request.log.info(
          {
            customer: { email: 'ada@example.com', phone: '+44 20 7946 0000', first_name: 'Ada' },
            sku: 'A-1',
          },
          'customer looked up',
        );
        return { ok: true };
      });
      await app.ready();
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const res = await app.inject({
        url: '/store/echo',
        headers: {
          'x-request-id': 'req-abc',
          traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
          authorization: 'Bearer very-secret',
        },
      });
      expect(res.statusCode).toBe(200);
      const logged = lines.find((l) => l.msg === 'customer looked up')!;
      expect(logged).toMatchObject({ request_id: 'req-abc', trace_id: traceId, sku: 'A-1' });
      expect(logged.customer).toEqual({ email: '[redacted]', phone: '[redacted]', first_name: '[redacted]' });
      const all = JSON.stringify(lines);
      expect(all).not.toContain('ada@example.com');
      expect(all).not.toContain('very-secret');
      expect(lines.find((l) => l.msg === 'request')).toMatchObject({
        request_id: 'req-abc',
        trace_id: traceId,
      });
    } finally {
      await app.close();
      await t.close();
    }
  });
});

describe('tracing', () => {
  it('exports HTTP, DB and job spans over OTLP when switched on', async () => {
    const received: string[] = [];
    const collector = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(`${req.url} ${body}`);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const port = (collector.address() as AddressInfo).port;
    const t = await createTestContext({
      worker: true,
      env: { STRATUS_TRACING: 'on', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
    });
    const app = await buildApp(t.ctx);
    app.get('/store/leases', async () => ({
      count: (await t.ctx.db.selectFrom('leases').selectAll().execute()).length,
    }));
    await app.ready();
    try {
      const res = await app.inject({ url: '/store/leases' });
      expect(res.statusCode).toBe(200);
      // A scheduled job runs as the leader runs it: take leadership, make the job due, tick.
      const scheduler = t.runtime.worker!.scheduler;
      await scheduler.tick();
      await t.ctx.db
        .updateTable('scheduled_jobs')
        .set({ next_run_at: '2000-01-01T00:00:00.000Z' })
        .where('name', '=', 'outbox.prune')
        .execute();
      await scheduler.tick();
      await t.ctx.tracing.flush();
      const all = received.join('\n');
      expect(all).toContain('/v1/traces');
      expect(all).toContain('GET /store/leases');
      // The DB span is a child of the HTTP span: same trace id in both.
      const spans = received.flatMap((r) => {
        const body = JSON.parse(r.slice(r.indexOf(' ') + 1)) as {
          resourceSpans: {
            scopeSpans: {
              spans: { name: string; traceId: string; spanId: string; parentSpanId?: string }[];
            }[];
          }[];
        };
        return body.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans));
      });
      // The route's query is a child of the request's span.
      const http = spans.find((s) => s.name === 'GET /store/leases')!;
      const children = spans.filter((s) => s.name === 'db.select' && s.parentSpanId === http.spanId);
      expect(children).toHaveLength(1);
      expect(children[0]!.traceId).toBe(http.traceId);
      // The job run is a span of its own, with its statements as children.
      const jobs = spans.filter((s) => s.name === 'job outbox.prune');
      expect(jobs).toHaveLength(1);
      const jobStatements = spans.filter((s) => s.parentSpanId === jobs[0]!.spanId);
      expect(jobStatements.length).toBeGreaterThan(0);
      expect(jobStatements.every((s) => s.name.startsWith('db.') && s.traceId === jobs[0]!.traceId)).toBe(
        true,
      );
    } finally {
      await app.close();
      await t.close();
      collector.close();
    }
  });

  it('leaves the app working when no collector listens', async () => {
    // The provider is process-wide: it still points at the collector of the test above, now closed.
    const t = await createTestApp({
      env: { STRATUS_TRACING: 'on', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' },
    });
    try {
      expect((await t.app.inject({ url: '/health/ready' })).statusCode).toBe(200);
      await t.ctx.tracing.flush();
    } finally {
      await t.close();
    }
  });
});
