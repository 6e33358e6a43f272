// Pricing: each variant's price per currency (with quantity tiers), sale and customer-group price lists,
// best-price resolution for a region, and the pure price+tax calculator every total in Stratus uses.
import type { StratusModule } from '../index.js';
import { pricingRoutes } from './pricing.routes.js';

export {
  type BestPrice,
  calculateLine,
  calculateTax,
  type LineInput,
  type LineTotals,
  type PriceCandidate,
  pickBestPrice,
  sumLines,
  type TaxBreakdown,
  type TaxInput,
  type Totals,
} from './price-calculator.js';
export {
  createPriceList,
  getPriceList,
  type PriceList,
  type PriceListInput,
  updatePriceList,
  upsertPriceListPrices,
} from './price-lists.service.js';
export {
  getVariantPrices,
  getVariantPrices as getBasePrices,
  nextPriceChangeAt,
  type PriceInput,
  type ResolvedPrice,
  type ResolvePricesInput,
  resolvePrices,
  setPricesForVariants,
  setVariantPrices,
  type VariantPrice,
} from './prices.service.js';
export { PricingErrors } from './pricing.errors.js';
export type { PricingTables } from './pricing.tables.js';

export const pricingModule: StratusModule = { name: 'pricing', routes: pricingRoutes };
