// Catalog: products with options, variants, media, attributes and translations; categories and
// collections; CSV import/export; the demo seed; and the cached storefront product reads and search.
import { registerReference } from '../../platform/db/references.js';
import type { StratusModule } from '../index.js';
import { catalogAdminRoutes } from './catalog.admin.routes.js';
import { catalogStoreRoutes } from './catalog.store.routes.js';
import './catalog.subscribers.js';

export { CatalogErrors } from './catalog.errors.js';
export { DEFAULT_LOCALE, localeChain, localise, translate } from './catalog.locale.js';
export { LISTS_TAG, productTag } from './catalog.products.js';
export { ensureDemoSeed, seedDemoCatalog } from './catalog.seed.js';
export {
  publishedProductHandles,
  type StoreListQuery,
  type StoreProduct,
  type StoreProductSummary,
  storeProduct,
  storeProducts,
  storeRegion,
} from './catalog.store.js';
export type { CatalogTables } from './catalog.tables.js';
export { allCategories, allCollections, CATEGORIES_TAG } from './catalog.taxonomy.js';
export { assertVariantsExist, type CatalogVariant, getVariants } from './catalog.variants.js';

registerReference({
  target: 'tax_class',
  name: 'product variants',
  count: async (trx, id) =>
    Number(
      (
        await trx
          .selectFrom('product_variants')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('tax_class_id', '=', id)
          .executeTakeFirstOrThrow()
      ).n,
    ),
});

export const catalogModule: StratusModule = {
  name: 'catalog',
  routes: async (app, options) => {
    await app.register(catalogAdminRoutes, options);
    await app.register(catalogStoreRoutes, options);
  },
};
