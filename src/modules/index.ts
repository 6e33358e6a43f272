import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../platform/http/context.js';
import { adminWebModule } from './admin-web/index.js';
import { analyticsModule } from './analytics/index.js';
import { auditModule } from './audit/index.js';
import { backupsModule } from './backups/index.js';
import { cartModule } from './cart/index.js';
import { catalogModule } from './catalog/index.js';
import { checkoutModule } from './checkout/index.js';
import { discountsModule } from './discounts/index.js';
import { identityModule } from './identity/index.js';
import { inventoryModule } from './inventory/index.js';
import { meteringModule } from './metering/index.js';
import { ordersModule } from './orders/index.js';
import { paymentsModule } from './payments/index.js';
import { pricingModule } from './pricing/index.js';
import { privacyModule } from './privacy/index.js';
import { probesModule } from './probes/index.js';
import { regionsModule } from './regions/index.js';
import { shippingModule } from './shipping/index.js';
import { storefrontWebModule } from './storefront-web/index.js';
import { systemModule } from './system/index.js';

/** A business module as the app sees it: its routes. Subscribers and jobs register on import. */
export interface StratusModule {
  name: string;
  routes: FastifyPluginAsync<{ ctx: AppContext }>;
  /** Optional hooks installed on the root app before any module's routes (they see every route). */
  hooks?: (app: FastifyInstance, ctx: AppContext) => Promise<void>;
}

/** Every business module, in registration order. */
export const modules: StratusModule[] = [
  identityModule,
  auditModule,
  privacyModule,
  paymentsModule,
  discountsModule,
  shippingModule,
  cartModule,
  checkoutModule,
  ordersModule,
  regionsModule,
  pricingModule,
  inventoryModule,
  catalogModule,
  meteringModule,
  backupsModule,
  probesModule,
  analyticsModule,
  systemModule,
  adminWebModule,
  storefrontWebModule,
];
