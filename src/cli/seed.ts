import { parseArgs } from 'node:util';
import type { Config } from '../config/config.js';
import { analyticsSettings } from '../modules/analytics/index.js';
import { seedTraffic } from '../modules/analytics/traffic-seed.js';
import { demoSeeded, seedDemoCatalog } from '../modules/catalog/catalog.seed.js';
import { createDatabase } from '../platform/db/database.js';
import { migrateToLatest } from '../platform/db/migrator.js';
import { UsageError } from './migrate.js';

/**
 * `stratus seed`: loads the Superstore demo catalog once (start does this on the first start too).
 * `stratus seed --traffic [--days 365] [--sessions-per-order 8] [--seed 1]`: demo analytics traffic.
 */
export async function seed(config: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      traffic: { type: 'boolean', default: false },
      days: { type: 'string', default: '365' },
      'sessions-per-order': { type: 'string', default: '8' },
      seed: { type: 'string', default: '1' },
    },
  });
  if (!values.traffic) return seedCatalog(config);
  const days = Number(values.days);
  const perOrder = Number(values['sessions-per-order']);
  if (!Number.isInteger(days) || days < 1 || days > 1500)
    throw new UsageError('--days must be an integer from 1 to 1500');
  if (!Number.isInteger(perOrder) || perOrder < 1 || perOrder > 200)
    throw new UsageError('--sessions-per-order must be an integer from 1 to 200');
  const database = createDatabase(config.database);
  try {
    await migrateToLatest(database.db);
    const started = Date.now();
    const summary = await seedTraffic(database.db, analyticsSettings(), {
      days,
      sessionsPerOrder: perOrder,
      seed: Number(values.seed) || 1,
      nowMs: Date.now(),
    });
    console.log(
      `Seeded ${summary.orders} orders, ${summary.sessions} sessions, ${summary.events} events, ${summary.carts} carts, ` +
        `${summary.refunds} refunds (${summary.from} to ${summary.to}) in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
    );
  } finally {
    await database.destroy();
  }
}

async function seedCatalog(config: Config): Promise<void> {
  const database = createDatabase(config.database);
  try {
    await migrateToLatest(database.db);
    if (await demoSeeded(database.db)) {
      console.log('The demo catalog is already loaded.');
      return;
    }
    const started = performance.now();
    const result = await seedDemoCatalog(database.db);
    console.log(
      `Loaded the demo catalog: ${result.products_created} products, ${result.variants_created} variants, ` +
        `${result.regions} regions, in ${Math.round(performance.now() - started)} ms.`,
    );
  } finally {
    await database.destroy();
  }
}
