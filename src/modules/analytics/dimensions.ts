import type { DimensionColumns } from './analytics.tables.js';

export const DIMENSIONS = [
  'region_id',
  'device_class',
  'utm_source',
  'utm_medium',
  'customer_group',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** Placeholders for a missing dimension value, so rollup keys never hold NULL. */
export const NONE = '(none)';
export const DIRECT = '(direct)';

/**
 * Session dimensions from its first event. Without UTM tags, a referrer from another site counts as
 * source = its host, medium = `referral`; no referrer is `(direct)` / `(none)`, as in GA4.
 */
export function sessionDimensions(event: {
  region_id: string | null;
  device_class: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  customer_group: string | null;
  referrer: string | null;
}): DimensionColumns {
  let source = event.utm_source;
  let medium = event.utm_medium;
  if (!source && event.referrer) {
    try {
      source = new URL(event.referrer).hostname || null;
      medium = medium ?? (source ? 'referral' : null);
    } catch {
      source = null;
    }
  }
  return {
    region_id: event.region_id || NONE,
    device_class: event.device_class || 'unknown',
    utm_source: source || DIRECT,
    utm_medium: medium || NONE,
    customer_group: event.customer_group || NONE,
  };
}

export const DEFAULT_DIMENSIONS: DimensionColumns = {
  region_id: NONE,
  device_class: 'unknown',
  utm_source: DIRECT,
  utm_medium: NONE,
  customer_group: NONE,
};

export function dimensionsOf(row: DimensionColumns): DimensionColumns {
  return {
    region_id: row.region_id,
    device_class: row.device_class,
    utm_source: row.utm_source,
    utm_medium: row.utm_medium,
    customer_group: row.customer_group,
  };
}
