// Regions: the countries a store sells to, each region's one currency, whether its prices include tax,
// and its tax rates (a default plus overrides per tax class). Pricing, checkout and inventory read it here.
import type { StratusModule } from '../index.js';
import { regionsRoutes } from './regions.routes.js';

export { defaultRegion, defaultRegionCached, getRegionCached, invalidateRegions } from './regions.cache.js';
export { RegionErrors } from './regions.errors.js';
export { seedDefaultRegions } from './regions.seed.js';
export {
  createRegion,
  createTaxClass,
  findRegion,
  getRegion,
  getTaxClass,
  listRegions,
  listTaxClasses,
  type Region,
  type RegionInput,
  regionForCountry,
  type TaxClass,
  type TaxOverride,
  taxRateFor,
  updateRegion,
} from './regions.service.js';
export type { RegionsTables } from './regions.tables.js';

export const regionsModule: StratusModule = { name: 'regions', routes: regionsRoutes };
