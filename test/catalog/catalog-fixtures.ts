import { createStockLocation, setStockLevel } from '../../src/modules/inventory/index.js';
import { createRegion } from '../../src/modules/regions/index.js';
import { inTransaction } from '../../src/platform/db/transaction.js';
import { buildApp } from '../../src/platform/http/app.js';
import type { Authenticator } from '../../src/platform/http/auth.js';
import { createTestContext, type TestApp } from '../helpers/test-context.js';

// Identity lands on another branch; until then a header stands in for a staff session.
export const byHeader: Authenticator = {
  authenticate: async (request) => {
    const who = request.headers['x-test-principal'];
    if (who === 'owner') return { kind: 'staff', id: 'usr_owner', permissions: '*' };
    if (who === 'reader') return { kind: 'staff', id: 'usr_reader', permissions: new Set(['catalog:read']) };
    return null;
  },
};
export const owner = { 'x-test-principal': 'owner' };
export const reader = { 'x-test-principal': 'reader' };

export interface CatalogApp extends TestApp {
  regionId: string;
  plnRegionId: string;
  locationId: string;
}

/** A test app with the header authenticator, a USD (tax-exclusive) and a PLN (tax-inclusive) region and a warehouse. */
export async function createCatalogApp(
  options: { beforeBuild?: (t: CatalogApp) => void; worker?: boolean } = {},
): Promise<CatalogApp> {
  const context = await createTestContext({ worker: options.worker ?? false });
  context.ctx.auth = byHeader;
  const { regionId, plnRegionId, locationId } = await inTransaction(context.ctx.db, async (trx) => {
    const us = await createRegion(trx, {
      name: 'US',
      currency_code: 'usd',
      tax_inclusive: false,
      default_tax_rate_bp: 800,
      countries: ['us'],
    });
    const pl = await createRegion(trx, {
      name: 'Polska',
      currency_code: 'pln',
      tax_inclusive: true,
      default_tax_rate_bp: 2300,
      countries: ['pl'],
    });
    const location = await createStockLocation(trx, {
      name: 'Main',
      code: 'main',
      region_ids: [us.id, pl.id],
    });
    return { regionId: us.id, plnRegionId: pl.id, locationId: location.id };
  });
  const partial = { ...context, regionId, plnRegionId, locationId } as CatalogApp;
  options.beforeBuild?.(partial);
  const app = await buildApp(context.ctx);
  await app.ready();
  return {
    ...partial,
    app,
    async close() {
      await app.close();
      await context.close();
    },
  };
}

export async function stock(t: CatalogApp, variantId: string, onHand: number): Promise<void> {
  await inTransaction(t.ctx.db, (trx) =>
    setStockLevel(trx, {
      variant_id: variantId,
      location_id: t.locationId,
      on_hand: onHand,
      reason: 'test',
      actor: 'test',
    }),
  );
}

export function chairPayload(overrides: Record<string, unknown> = {}) {
  return {
    title: 'Oak Chair',
    status: 'published',
    description: 'A sturdy chair made of oak.',
    seo_title: 'Oak chair | Stratus',
    product_type: 'Chairs',
    tags: ['wood', 'dining'],
    options: [
      { name: 'Color', values: ['Natural', 'Black'] },
      { name: 'Size', values: ['S', 'M'] },
    ],
    media: [
      { url: 'https://cdn.example.com/chair.jpg', kind: 'image', alt: 'Chair' },
      { url: 'https://cdn.example.com/chair.glb', kind: 'model', format: 'glb' },
      { url: 'https://cdn.example.com/chair.usdz', kind: 'model', format: 'usdz' },
    ],
    attributes: [
      { key: 'material', type: 'text', value: 'oak' },
      { key: 'seat_height_cm', type: 'number', value: 46 },
      { key: 'outdoor', type: 'boolean', value: false },
    ],
    translations: { pl: { title: 'Krzesło dębowe' } },
    variants: [
      {
        sku: 'CH-NAT-S',
        options: { Color: 'Natural', Size: 'S' },
        weight_grams: 4500,
        prices: [
          { currency_code: 'usd', amount: 12900 },
          { currency_code: 'pln', amount: 49900 },
        ],
      },
      {
        sku: 'CH-BLK-M',
        options: { Color: 'Black', Size: 'M' },
        barcode: '5901234123457',
        prices: [{ currency_code: 'usd', amount: 13900 }],
      },
    ],
    ...overrides,
  };
}
