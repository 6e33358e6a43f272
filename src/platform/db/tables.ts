import type { AnalyticsTables } from '../../modules/analytics/analytics.tables.js';
import type { AuditTables } from '../../modules/audit/audit.tables.js';
import type { CartTables } from '../../modules/cart/cart.tables.js';
import type { CatalogTables } from '../../modules/catalog/catalog.tables.js';
import type { DiscountsTables } from '../../modules/discounts/discounts.tables.js';
import type { IdentityTables } from '../../modules/identity/identity.tables.js';
import type { InventoryTables } from '../../modules/inventory/inventory.tables.js';
import type { MeteringTables } from '../../modules/metering/metering.tables.js';
import type { OrdersTables } from '../../modules/orders/orders.tables.js';
import type { PaymentsTables } from '../../modules/payments/payments.tables.js';
import type { PricingTables } from '../../modules/pricing/pricing.tables.js';
import type { PrivacyTables } from '../../modules/privacy/privacy.tables.js';
import type { ProbesTables } from '../../modules/probes/probes.tables.js';
import type { RegionsTables } from '../../modules/regions/regions.tables.js';
import type { ShippingTables } from '../../modules/shipping/shipping.tables.js';
import type { CryptoTables } from '../crypto/crypto.tables.js';
import type { EventsTables } from '../events/events.tables.js';
import type { IdempotencyTables } from '../http/idempotency.tables.js';
import type { JobsTables } from '../jobs/jobs.tables.js';

/** Every table in the database; each module owns and declares its own in `<module>.tables.ts`. */
export interface Tables
  extends EventsTables,
    JobsTables,
    IdempotencyTables,
    PaymentsTables,
    DiscountsTables,
    ShippingTables,
    CartTables,
    OrdersTables,
    RegionsTables,
    PricingTables,
    InventoryTables,
    CatalogTables,
    CryptoTables,
    IdentityTables,
    AuditTables,
    PrivacyTables,
    MeteringTables,
    ProbesTables,
    AnalyticsTables {}
