/**
 * The GA4-compatible event model: names, item shape, and per-event validation that names the reason
 * an event is rejected, so one bad event never fails its batch.
 */
export const EVENT_NAMES = [
  'page_view',
  'view_item_list',
  'select_item',
  'view_item',
  'add_to_cart',
  'remove_from_cart',
  'view_cart',
  'begin_checkout',
  'add_shipping_info',
  'add_payment_info',
  'purchase',
  'refund',
  'search',
  'view_promotion',
  'select_promotion',
  'login',
  'sign_up',
] as const;
export type EventName = (typeof EVENT_NAMES)[number];
const NAMES = new Set<string>(EVENT_NAMES);

/** Names only the server records (from orders through the outbox), so revenue never depends on a browser. */
export const SERVER_ONLY_EVENTS = new Set<string>(['purchase', 'refund']);
const ITEM_EVENTS = new Set<string>(['view_item', 'add_to_cart', 'remove_from_cart', 'select_item']);

export const DEVICE_CLASSES = ['desktop', 'mobile', 'tablet', 'unknown'] as const;
const DEVICE_CLASS_SET = new Set<string>(DEVICE_CLASSES);

export interface EventItem {
  item_id: string;
  item_variant?: string;
  item_name?: string;
  item_category?: string;
  /** Unit price in minor units. */
  price?: number;
  quantity: number;
  currency?: string;
}

/** A validated event as the ingestion buffer holds it. */
export interface TrackedEvent {
  name: EventName;
  occurred_at: string;
  visitor_id: string;
  client_session_id: string | null;
  customer_id: string | null;
  customer_group: string | null;
  page: string | null;
  referrer: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  device_class: string | null;
  region_id: string | null;
  currency_code: string | null;
  value: number | null;
  items: EventItem[] | null;
  search_term: string | null;
  search_results: number | null;
  analytics_consent: boolean;
}

export interface Rejection {
  index: number;
  reason: string;
  message: string;
}

export type Validated = { ok: true; event: TrackedEvent } | { ok: false; reason: string; message: string };

const ID = /^[A-Za-z0-9._:-]{1,128}$/;
const MAX_TEXT = 2048;
const MAX_ITEMS = 200;

function fail(reason: string, message: string): Validated {
  return { ok: false, reason, message };
}

function optionalText(raw: unknown, max = MAX_TEXT): string | null | undefined {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'string' || raw.length > max) return undefined;
  return raw;
}

function validateItems(raw: unknown): EventItem[] | string {
  if (!Array.isArray(raw)) return 'items must be an array';
  if (raw.length > MAX_ITEMS) return `items holds more than ${MAX_ITEMS} entries`;
  const items: EventItem[] = [];
  for (let i = 0; i < raw.length; i++) {
    const item = raw[i] as Record<string, unknown> | null;
    if (typeof item !== 'object' || item === null) return `items[${i}] is not an object`;
    if (typeof item.item_id !== 'string' || !ID.test(item.item_id))
      return `items[${i}].item_id is missing or invalid`;
    const quantity = item.quantity ?? 1;
    if (!Number.isInteger(quantity) || (quantity as number) < 1 || (quantity as number) > 10_000)
      return `items[${i}].quantity must be an integer from 1 to 10000`;
    if (item.price !== undefined && (!Number.isInteger(item.price) || (item.price as number) < 0))
      return `items[${i}].price must be a non-negative integer in minor units`;
    for (const key of ['item_variant', 'item_name', 'item_category', 'currency'] as const) {
      if (item[key] !== undefined && (typeof item[key] !== 'string' || (item[key] as string).length > 256))
        return `items[${i}].${key} must be a string of at most 256 characters`;
    }
    items.push({
      item_id: item.item_id,
      quantity: quantity as number,
      ...(item.item_variant !== undefined ? { item_variant: item.item_variant as string } : {}),
      ...(item.item_name !== undefined ? { item_name: item.item_name as string } : {}),
      ...(item.item_category !== undefined ? { item_category: item.item_category as string } : {}),
      ...(item.price !== undefined ? { price: item.price as number } : {}),
      ...(item.currency !== undefined ? { currency: (item.currency as string).toLowerCase() } : {}),
    });
  }
  return items;
}

/**
 * Validates one raw event. `defaults` are batch-level fields (visitor, consent, page) the event may
 * omit; `clock` bounds the accepted timestamps (clients may queue events a while, not days).
 */
export function validateEvent(
  raw: unknown,
  defaults: { visitor_id?: unknown; analytics_consent: boolean; device_class: string | null },
  clock: { now: number; maxAgeMs: number; maxSkewMs: number; nowIso?: string },
): Validated {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return fail('not_an_object', 'event must be an object');
  const e = raw as Record<string, unknown>;
  if (typeof e.name !== 'string' || !NAMES.has(e.name))
    return fail(
      'unknown_event_name',
      `unknown event name ${JSON.stringify(String(e.name ?? '')).slice(0, 80)}`,
    );
  if (SERVER_ONLY_EVENTS.has(e.name))
    return fail('server_only_event', `${e.name} is recorded from orders on the server, not from browsers`);
  const consent = e.consent as { analytics?: unknown } | undefined;
  const analyticsConsent =
    typeof consent?.analytics === 'boolean' ? consent.analytics : defaults.analytics_consent;
  // Without consent nothing identifies the shopper: the event only feeds cookieless counts.
  const visitor = analyticsConsent ? (e.visitor_id ?? defaults.visitor_id) : 'anonymous';
  if (typeof visitor !== 'string' || !ID.test(visitor))
    return fail('invalid_visitor_id', 'visitor_id is required: 1-128 letters, digits or ._:-');
  let occurred = clock.now;
  if (e.timestamp !== undefined) {
    occurred = typeof e.timestamp === 'string' ? Date.parse(e.timestamp) : Number.NaN;
    if (Number.isNaN(occurred)) return fail('invalid_timestamp', 'timestamp must be an ISO-8601 date-time');
    if (occurred > clock.now + clock.maxSkewMs || occurred < clock.now - clock.maxAgeMs)
      return fail('timestamp_out_of_range', 'timestamp is too far in the past or the future');
  }
  // Eight optional texts, read into locals: no per-event record or key list on the hot path.
  const page = optionalText(e.page);
  if (page === undefined) return fail('invalid_field', 'page must be a string');
  const referrer = optionalText(e.referrer);
  if (referrer === undefined) return fail('invalid_field', 'referrer must be a string');
  const utmSource = optionalText(e.utm_source, 256);
  if (utmSource === undefined) return fail('invalid_field', 'utm_source must be a string');
  const utmMedium = optionalText(e.utm_medium, 256);
  if (utmMedium === undefined) return fail('invalid_field', 'utm_medium must be a string');
  const utmCampaign = optionalText(e.utm_campaign, 256);
  if (utmCampaign === undefined) return fail('invalid_field', 'utm_campaign must be a string');
  const regionId = optionalText(e.region_id, 256);
  if (regionId === undefined) return fail('invalid_field', 'region_id must be a string');
  const customerGroup = optionalText(e.customer_group, 256);
  if (customerGroup === undefined) return fail('invalid_field', 'customer_group must be a string');
  const searchTerm = optionalText(e.search_term, 256);
  if (searchTerm === undefined) return fail('invalid_field', 'search_term must be a string');
  for (const key of ['client_session_id', 'customer_id'] as const) {
    const rawKey = key === 'client_session_id' ? e.session_id : e.customer_id;
    if (rawKey !== undefined && rawKey !== null && (typeof rawKey !== 'string' || !ID.test(rawKey)))
      return fail('invalid_field', `${key === 'client_session_id' ? 'session_id' : key} is invalid`);
  }
  let deviceClass = defaults.device_class;
  if (e.device_class !== undefined) {
    if (typeof e.device_class !== 'string' || !DEVICE_CLASS_SET.has(e.device_class))
      return fail('invalid_field', `device_class must be one of ${DEVICE_CLASSES.join(', ')}`);
    deviceClass = e.device_class;
  }
  let currency: string | null = null;
  if (e.currency !== undefined) {
    if (typeof e.currency !== 'string' || !/^[A-Za-z]{3}$/.test(e.currency))
      return fail('invalid_field', 'currency must be an ISO 4217 code');
    currency = e.currency.toLowerCase();
  }
  if (e.value !== undefined && (!Number.isInteger(e.value) || (e.value as number) < 0))
    return fail('invalid_field', 'value must be a non-negative integer in minor units');
  let items: EventItem[] | null = null;
  if (e.items !== undefined) {
    const parsed = validateItems(e.items);
    if (typeof parsed === 'string') return fail('invalid_items', parsed);
    items = parsed;
  }
  // Items and search terms are needed only where they are kept: without consent an event is just a
  // count, so the tracker sends its name alone (nothing about the shopper or what they looked at).
  if (analyticsConsent && ITEM_EVENTS.has(e.name) && (!items || items.length === 0))
    return fail('invalid_items', `${e.name} needs at least one item`);
  if (analyticsConsent && e.name === 'search' && !searchTerm)
    return fail('invalid_field', 'search needs search_term');
  if (
    e.search_results !== undefined &&
    (!Number.isInteger(e.search_results) || (e.search_results as number) < 0)
  )
    return fail('invalid_field', 'search_results must be a non-negative integer');
  return {
    ok: true,
    event: {
      name: e.name as EventName,
      // Most events carry no timestamp: they share the batch's receive time, formatted once.
      occurred_at: occurred === clock.now && clock.nowIso ? clock.nowIso : new Date(occurred).toISOString(),
      visitor_id: visitor,
      client_session_id: (e.session_id as string | undefined) ?? null,
      customer_id: (e.customer_id as string | undefined) ?? null,
      customer_group: customerGroup,
      page,
      referrer,
      utm_source: utmSource,
      utm_medium: utmMedium,
      utm_campaign: utmCampaign,
      device_class: deviceClass,
      region_id: regionId,
      currency_code: currency,
      value: (e.value as number | undefined) ?? null,
      items,
      search_term: searchTerm ? searchTerm.trim().toLowerCase() : null,
      search_results: (e.search_results as number | undefined) ?? null,
      analytics_consent: analyticsConsent,
    },
  };
}
