// Catalog: products with options, variants, media, attributes and translations; categories and
// collections; CSV import/export; the demo seed; and the cached storefront product reads and search.
import type { StratusModule } from '../index.js';
import { catalogAdminRoutes } from './catalog.admin.routes.js';
import { catalogStoreRoutes } from './catalog.store.routes.js';
import './catalog.subscribers.js';

export { CatalogErrors } from './catalog.errors.js';
export { ensureDemoSeed, seedDemoCatalog } from './catalog.seed.js';
export type { CatalogTables } from './catalog.tables.js';
export { type CatalogVariant, getVariants } from './catalog.variants.js';

export const catalogModule: StratusModule = {
  name: 'catalog',
  routes: async (app, options) => {
    await app.register(catalogAdminRoutes, options);
    await app.register(catalogStoreRoutes, options);
  },
};
