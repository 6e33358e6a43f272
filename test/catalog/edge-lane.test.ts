import { get } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegion } from '../../src/modules/regions/index.js';
import { inTransaction } from '../../src/platform/db/transaction.js';
import { type App, buildApp } from '../../src/platform/http/app.js';
import { createTestContext, type TestContext } from '../helpers/test-context.js';
import { byHeader, chairPayload, owner } from './catalog-fixtures.js';

// Over a real socket: the edge lane sits in the HTTP server, which inject() never reaches.
describe.each([
  ['without a CORS allow-list', {}],
  ['with a CORS allow-list', { STRATUS_CORS_ORIGINS: 'https://shop.example' }],
])('edge lane: cached storefront reads answered by the HTTP server, %s', (_name, env) => {
  let t: TestContext;
  let app: App;
  let base: string;
  let url: string;
  /** Requests that went through Fastify's pipeline to the product route. */
  let pipelined = 0;

  beforeAll(async () => {
    t = await createTestContext({ env });
    t.ctx.auth = byHeader;
    app = await buildApp(t.ctx);
    app.addHook('onRequest', async (request) => {
      if (request.routeOptions.url === '/store/products/:id_or_handle') pipelined++;
    });
    const region = await inTransaction(t.ctx.db, (trx) =>
      createRegion(trx, {
        name: 'US',
        currency_code: 'usd',
        tax_inclusive: false,
        default_tax_rate_bp: 0,
        countries: ['us'],
      }),
    );
    const created = await app.inject({
      method: 'POST',
      url: '/admin/products',
      payload: chairPayload(),
      headers: owner,
    });
    expect(created.statusCode).toBe(201);
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    url = `${base}/store/products/oak-chair?region_id=${region.id}`;
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  const headersOf = (res: Response) => Object.fromEntries(res.headers.entries());

  it('serves a hit with the same status, body and headers as the pipeline, without running it', async () => {
    const miss = await fetch(url);
    expect(miss.headers.get('x-cache')).toBe('miss');
    const missBody = await miss.text();
    const before = pipelined;
    const hit = await fetch(url, { headers: { 'x-request-id': 'edge-req-1' } });
    expect(pipelined).toBe(before);
    expect(hit.status).toBe(200);
    expect(await hit.text()).toBe(missBody);
    const [a, b] = [headersOf(miss), headersOf(hit)];
    expect(b['x-cache']).toBe('hit');
    expect(b['x-request-id']).toBe('edge-req-1');
    for (const name of ['date', 'x-request-id', 'x-cache']) {
      delete a[name];
      delete b[name];
    }
    expect(b).toEqual(a);
    expect(b['content-security-policy']).toContain("default-src 'self'");
  });

  it('sends the body compressed as the client accepts, the same from the lane and the pipeline', async () => {
    const plain = await (await fetch(url, { headers: { 'accept-encoding': 'identity' } })).text();
    expect(plain.length).toBeGreaterThan(1024);
    for (const encoding of ['br', 'gzip']) {
      const raw = (origin?: string) =>
        new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
          const headers: Record<string, string> = { 'accept-encoding': encoding };
          if (origin) headers.origin = origin;
          get(url, { headers }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          }).on('error', reject);
        });
      const decode = encoding === 'br' ? brotliDecompressSync : gunzipSync;
      const before = pipelined;
      const lane = await raw();
      expect(pipelined).toBe(before);
      const pipeline = await raw('https://elsewhere.example');
      expect(pipelined).toBe(before + 1);
      for (const res of [lane, pipeline]) {
        expect(res.headers['content-encoding']).toBe(encoding);
        expect(Number(res.headers['content-length'])).toBe(res.body.length);
        expect(res.body.length).toBeLessThan(plain.length);
        expect(decode(res.body).toString()).toBe(plain);
      }
    }
  });

  it('answers If-None-Match with 304, counts hits in the HTTP metrics', async () => {
    const etag = (await fetch(url)).headers.get('etag')!;
    const count = async () => {
      const metric = await t.ctx.metrics.httpRequests.get();
      const match = (status: string) =>
        metric.values.find(
          (v) => v.labels.route === '/store/products/:id_or_handle' && v.labels.status_code === status,
        )?.value ?? 0;
      return { ok: match('200'), notModified: match('304') };
    };
    const before = await count();
    const revalidated = await fetch(url, { headers: { 'if-none-match': etag } });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
    await fetch(url);
    const after = await count();
    expect(after.notModified - before.notModified).toBe(1);
    expect(after.ok - before.ok).toBe(1);
  });

  it('leaves cross-origin requests and other methods to the pipeline', async () => {
    await fetch(url);
    const before = pipelined;
    const crossOrigin = await fetch(url, { headers: { origin: 'https://elsewhere.example' } });
    expect(crossOrigin.headers.get('x-cache')).toBe('hit');
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(pipelined).toBe(before + 2);
  });

  it('stops serving an entry once a product write drops it', async () => {
    const { id } = (await (await fetch(url)).json()) as { id: string };
    expect((await fetch(url)).headers.get('x-cache')).toBe('hit');
    const changed = await app.inject({
      method: 'PATCH',
      url: `/admin/products/${id}`,
      payload: { title: 'Oak chair, renewed' },
      headers: owner,
    });
    expect(changed.statusCode).toBe(200);
    const after = await fetch(url);
    expect(after.headers.get('x-cache')).toBe('miss');
    expect(((await after.json()) as { title: string }).title).toBe('Oak chair, renewed');
  });
});
