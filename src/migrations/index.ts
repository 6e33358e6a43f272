import type { Migration } from 'kysely';
import * as m0001 from './0001_platform.js';
import * as m0002 from './0002_outbox_topic_index.js';
import * as m0100 from './0100_catalog.js';
import * as m0110 from './0110_regions.js';
import * as m0111 from './0111_pricing.js';
import * as m0112 from './0112_inventory.js';
import * as m0120 from './0120_product_search_order.js';
import * as m0200 from './0200_identity.js';
import * as m0300 from './0300_idempotency.js';
import * as m0310 from './0310_payments.js';
import * as m0320 from './0320_discounts.js';
import * as m0330 from './0330_shipping.js';
import * as m0340 from './0340_carts_orders.js';
import * as m0341 from './0341_cart_visitor.js';
import * as m0350 from './0350_order_personal_data.js';
import * as m0400 from './0400_analytics.js';
import * as m0410 from './0410_analytics_distinct.js';
import * as m0500 from './0500_metering.js';
import * as m0501 from './0501_probes.js';
import * as m0520 from './0520_idempotency_erasure.js';
import * as m0530 from './0530_carts_activity.js';

/**
 * The ordered, portable migration set (SQLite and PostgreSQL alike: TEXT ids and timestamps,
 * INTEGER counters, no dialect-only defaults). Names sort in run order; never edit a shipped one.
 *
 * Number ranges by area, so areas built in parallel never collide:
 *   0001-0099 platform            0100-0199 catalog, pricing, regions, inventory
 *   0200-0299 identity, audit     0300-0399 carts, checkout, orders, payments, shipping
 *   0400-0499 analytics           0500-0599 operations (backups, metering)
 *   0600-     later areas (reviews, segments, marketing, …)
 */
export const migrations: Record<string, Migration> = {
  '0001_platform': m0001,
  '0002_outbox_topic_index': m0002,
  '0100_catalog': m0100,
  '0110_regions': m0110,
  '0111_pricing': m0111,
  '0112_inventory': m0112,
  '0120_product_search_order': m0120,
  '0200_identity': m0200,
  '0300_idempotency': m0300,
  '0310_payments': m0310,
  '0320_discounts': m0320,
  '0330_shipping': m0330,
  '0340_carts_orders': m0340,
  '0341_cart_visitor': m0341,
  '0350_order_personal_data': m0350,
  '0400_analytics': m0400,
  '0410_analytics_distinct': m0410,
  '0500_metering': m0500,
  '0501_probes': m0501,
  '0520_idempotency_erasure': m0520,
  '0530_carts_activity': m0530,
};
