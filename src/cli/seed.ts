import type { Config } from '../config/config.js';
import { demoSeeded, seedDemoCatalog } from '../modules/catalog/catalog.seed.js';
import { createDatabase } from '../platform/db/database.js';
import { migrateToLatest } from '../platform/db/migrator.js';

/** `stratus seed`: loads the Superstore demo catalog once (start does this on the first start too). */
export async function seed(config: Config, _args: string[]): Promise<void> {
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
