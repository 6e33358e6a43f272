import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRegion } from '../../src/modules/regions/index.js';
import { inTransaction } from '../../src/platform/db/transaction.js';
import { buildApp } from '../../src/platform/http/app.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { createRuntime } from '../../src/platform/runtime.js';
import { createTestContext, testRedisUrl } from '../helpers/test-context.js';
import { byHeader, chairPayload, owner } from './catalog-fixtures.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!testRedisUrl)('storefront cache across nodes (Redis)', () => {
  it('a product write on one node drops the cached reads on every node', async () => {
    const one = await createTestContext({ env: { REDIS_URL: testRedisUrl! } });
    one.ctx.auth = byHeader;
    // A second node: same database, same Redis namespace, its own in-process LRU.
    const two = await createRuntime(
      { ...one.config },
      {
        worker: false,
        logger: createLogger('silent'),
        secrets: one.ctx.secrets,
        cachePrefix: `stratus-test:${path.basename(one.config.dataDir)}:`,
      },
    );
    const appOne = await buildApp(one.ctx);
    const appTwo = await buildApp(two.ctx);
    try {
      const region = await inTransaction(one.ctx.db, (trx) =>
        createRegion(trx, {
          name: 'US',
          currency_code: 'usd',
          tax_inclusive: false,
          default_tax_rate_bp: 0,
          countries: ['us'],
        }),
      );
      const created = await appOne.inject({
        method: 'POST',
        url: '/admin/products',
        payload: chairPayload(),
        headers: owner,
      });
      expect(created.statusCode).toBe(201);
      const other = await appOne.inject({
        method: 'POST',
        url: '/admin/products',
        payload: chairPayload({
          handle: 'other',
          variants: [{ sku: 'O-1', options: { Color: 'Black', Size: 'S' } }],
        }),
        headers: owner,
      });
      const url = `/store/products/oak-chair?region_id=${region.id}`;
      const otherUrl = `/store/products/other?region_id=${region.id}`;
      expect((await appTwo.inject({ url })).headers['x-cache']).toBe('miss');
      expect((await appTwo.inject({ url: otherUrl })).headers['x-cache']).toBe('miss');
      expect((await appTwo.inject({ url })).headers['x-cache']).toBe('hit');
      expect((await appOne.inject({ url })).headers['x-cache']).toBe('hit'); // filled by node two, through Redis

      const patched = await appOne.inject({
        method: 'PATCH',
        url: `/admin/products/${created.json().id}`,
        payload: { title: 'Renamed Chair' },
        headers: owner,
      });
      expect(patched.statusCode).toBe(200);
      let seen = '';
      for (let i = 0; i < 50 && seen !== 'Renamed Chair'; i++) {
        seen = (await appTwo.inject({ url })).json().title;
        if (seen !== 'Renamed Chair') await sleep(10);
      }
      expect(seen).toBe('Renamed Chair');
      expect((await appTwo.inject({ url: otherUrl })).headers['x-cache']).toBe('hit');
      expect(other.statusCode).toBe(201);
    } finally {
      await appTwo.close();
      await appOne.close();
      await two.close();
      await one.close();
    }
  });
});
