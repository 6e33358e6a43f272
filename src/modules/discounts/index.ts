// Discounts and promotions: codes and automatic promotions (percentage, fixed, free shipping,
// buy-X-get-Y) with conditions, limits and stacking; the pure engine plus redemption counting.
import type { StratusModule } from '../index.js';
import { discountsRoutes } from './discounts.routes.js';

export { DiscountErrors } from './discounts.errors.js';
export {
  automaticPromotionsCached,
  createPromotion,
  customerUsage,
  getPromotion,
  invalidatePromotions,
  listPromotions,
  type PromotionInput,
  promotionsForCart,
  type RedeemResult,
  redeemPromotions,
  releaseRedemptions,
  updatePromotion,
} from './discounts.service.js';
export {
  type AppliedDiscount,
  applyPromotions,
  type EngineInput,
  type EngineLine,
  type EngineResult,
  type Promotion,
  type RejectionReason,
} from './engine.js';

export const discountsModule: StratusModule = { name: 'discounts', routes: discountsRoutes };
