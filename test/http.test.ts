import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/test-context.js';

describe('HTTP platform', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { STRATUS_BODY_LIMIT_BYTES: '2048' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers liveness and readiness (database checked)', async () => {
    const live = await t.app.inject({ url: '/health/live' });
    expect(live.statusCode).toBe(200);
    const ready = await t.app.inject({ url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok', checks: { database: { status: 'ok' } } });
  });

  it('turns readiness false while draining', async () => {
    t.ctx.lifecycle.draining = true;
    try {
      const ready = await t.app.inject({ url: '/health/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().status).toBe('draining');
    } finally {
      t.ctx.lifecycle.draining = false;
    }
  });

  it('echoes a well-formed request id and generates one otherwise', async () => {
    const given = await t.app.inject({ url: '/health/live', headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers['x-request-id']).toBe('abc-123');
    const bad = await t.app.inject({
      url: '/health/live',
      headers: { 'x-request-id': 'has spaces<script>' },
    });
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives unknown routes a clean 404 body', async () => {
    const res = await t.app.inject({ url: '/store/nothing-here?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'Route GET /store/nothing-here not found' },
    });
  });

  it('rejects malformed JSON and oversized bodies with 4xx and no stack trace', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/health/live',
      headers: { 'content-type': 'application/json' },
      payload: '{"unterminated": ',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('INVALID_JSON');
    expect(bad.body).not.toContain(' at ');

    const big = await t.app.inject({
      method: 'POST',
      url: '/health/live',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ blob: 'x'.repeat(4096) }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('serves the OpenAPI document and the docs UI', async () => {
    const spec = await t.app.inject({ url: '/openapi.json' });
    expect(spec.statusCode).toBe(200);
    const doc = spec.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health/live', '/health/ready']));
    const docs = await t.app.inject({ url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toContain('text/html');
  });
});
