import { allocate, percentOf } from '../../platform/money/index.js';

/**
 * The discount engine: pure, no I/O. Given a cart's lines, shipping and the promotions that might
 * apply, it decides which apply (window, usage limits, conditions, codes, stacking) and how much each
 * takes off each line and off shipping, in integer minor units. Discounts apply in priority order,
 * each to what earlier ones left, so no line and no shipping charge ever goes below zero.
 */
export type PromotionKind = 'percentage' | 'fixed' | 'free_shipping' | 'buy_x_get_y';

export interface ItemFilter {
  product_ids?: string[];
  variant_ids?: string[];
  category_ids?: string[];
  collection_ids?: string[];
}

export interface PromotionConditions extends ItemFilter {
  /** In the promotion's currency, over the whole cart's item subtotal before discounts. */
  min_subtotal?: number;
  customer_group_ids?: string[];
}

export interface Promotion {
  id: string;
  /** null: automatic; otherwise applies only when the cart carries this code (case-insensitive). */
  code: string | null;
  kind: PromotionKind;
  /** percentage: basis points (1500 = 15 %); fixed: minor units off the matching items. */
  value: number;
  /** Required for fixed amounts and minimum subtotals; null applies in any currency. */
  currency_code: string | null;
  conditions: PromotionConditions;
  /** buy_x_get_y: buy `buy_quantity` matching units, get `get_quantity` of the cheapest matching units `value` bp off (10000 = free). */
  buy_quantity?: number;
  get_quantity?: number;
  /** Optional cap on how often buy-X-get-Y applies within one cart. */
  max_applications?: number | null;
  starts_at: string | null;
  ends_at: string | null;
  usage_limit: number | null;
  usage_count: number;
  per_customer_limit: number | null;
  /** exclusive: applies alone (if it comes first); combinable: stacks with other combinables. */
  stacking: 'exclusive' | 'combinable';
  /** Higher first. */
  priority: number;
  active: boolean;
}

export interface EngineLine {
  id: string;
  variant_id: string;
  product_id: string;
  category_ids: string[];
  collection_ids: string[];
  quantity: number;
  unit_price: number;
}

export interface EngineInput {
  lines: EngineLine[];
  currency_code: string;
  shipping_amount: number;
  codes: string[];
  customer_group_ids: string[];
  /** Redemptions so far by this customer, per promotion id; guests have none. */
  customer_usage: ReadonlyMap<string, number>;
  /** Whether the buyer is identified (per-customer limits need an identity). */
  customer_known: boolean;
  at: string;
}

export interface AppliedDiscount {
  promotion_id: string;
  code: string | null;
  kind: PromotionKind;
  amount: number;
  shipping_amount: number;
  lines: { line_id: string; amount: number }[];
}

export type RejectionReason =
  | 'unknown_code'
  | 'inactive'
  | 'not_started'
  | 'expired'
  | 'usage_limit_reached'
  | 'customer_limit_reached'
  | 'customer_required'
  | 'currency_mismatch'
  | 'conditions_not_met'
  | 'not_combinable'
  | 'nothing_to_discount';

export interface EngineResult {
  applied: AppliedDiscount[];
  rejected: { code: string; promotion_id: string | null; reason: RejectionReason }[];
  /** Per line id, the total discount. */
  line_discounts: Map<string, number>;
  items_discount: number;
  shipping_discount: number;
}

function matches(filter: ItemFilter, line: EngineLine): boolean {
  const any = (wanted: string[] | undefined, have: string[]) =>
    wanted === undefined || wanted.length === 0 || have.some((v) => wanted.includes(v));
  return (
    any(filter.product_ids, [line.product_id]) &&
    any(filter.variant_ids, [line.variant_id]) &&
    any(filter.category_ids, line.category_ids) &&
    any(filter.collection_ids, line.collection_ids)
  );
}

/** Why `promotion` cannot apply to this cart at all, or null when it may. */
export function ineligibility(
  promotion: Promotion,
  input: EngineInput,
  subtotal: number,
): RejectionReason | null {
  if (!promotion.active) return 'inactive';
  if (promotion.starts_at && input.at < promotion.starts_at) return 'not_started';
  if (promotion.ends_at && input.at >= promotion.ends_at) return 'expired';
  if (promotion.usage_limit !== null && promotion.usage_count >= promotion.usage_limit)
    return 'usage_limit_reached';
  if (promotion.per_customer_limit !== null) {
    if (!input.customer_known) return 'customer_required';
    if ((input.customer_usage.get(promotion.id) ?? 0) >= promotion.per_customer_limit)
      return 'customer_limit_reached';
  }
  if (promotion.currency_code && promotion.currency_code !== input.currency_code) {
    if (promotion.kind === 'fixed' || promotion.conditions.min_subtotal !== undefined)
      return 'currency_mismatch';
  }
  const c = promotion.conditions;
  if (c.min_subtotal !== undefined && subtotal < c.min_subtotal) return 'conditions_not_met';
  if (
    c.customer_group_ids?.length &&
    !c.customer_group_ids.some((g) => input.customer_group_ids.includes(g))
  ) {
    return 'conditions_not_met';
  }
  if (!input.lines.some((line) => matches(c, line))) return 'conditions_not_met';
  return null;
}

/** Spreads `total` over lines in proportion to what is left on each, never past what is left. */
function spread(total: number, lines: EngineLine[], remaining: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  const weights = lines.map((l) => remaining.get(l.id) ?? 0);
  const sum = weights.reduce((a, b) => a + b, 0);
  if (total <= 0 || sum === 0) return out;
  const parts = allocate(Math.min(total, sum), weights);
  lines.forEach((line, i) => {
    if (parts[i]! > 0) out.set(line.id, parts[i]!);
  });
  return out;
}

function computeLines(
  promotion: Promotion,
  input: EngineInput,
  remaining: Map<string, number>,
): Map<string, number> {
  const targets = input.lines.filter(
    (line) => matches(promotion.conditions, line) && (remaining.get(line.id) ?? 0) > 0,
  );
  const left = targets.reduce((sum, l) => sum + (remaining.get(l.id) ?? 0), 0);
  switch (promotion.kind) {
    case 'percentage':
      return spread(percentOf(left, Math.min(promotion.value, 10_000)), targets, remaining);
    case 'fixed':
      return spread(Math.min(promotion.value, left), targets, remaining);
    case 'buy_x_get_y':
      return buyXGetY(promotion, targets, remaining);
    default:
      return new Map();
  }
}

/**
 * Every group of buy+get matching units makes the cheapest `get` units of the group cheaper. Units
 * are ordered by price, most expensive first, so the buyer pays for the dearer ones (the common rule).
 */
function buyXGetY(
  promotion: Promotion,
  targets: EngineLine[],
  remaining: Map<string, number>,
): Map<string, number> {
  const buy = Math.max(1, promotion.buy_quantity ?? 1);
  const get = Math.max(1, promotion.get_quantity ?? 1);
  const units = targets
    .flatMap((line) => Array.from({ length: line.quantity }, () => line))
    .sort((a, b) => b.unit_price - a.unit_price || (a.id < b.id ? -1 : 1));
  let groups = Math.floor(units.length / (buy + get));
  if (promotion.max_applications) groups = Math.min(groups, promotion.max_applications);
  const out = new Map<string, number>();
  const free = units.slice(units.length - groups * get);
  for (const line of groups > 0 ? free : []) {
    const off = percentOf(line.unit_price, Math.min(promotion.value, 10_000));
    const cap = (remaining.get(line.id) ?? 0) - (out.get(line.id) ?? 0);
    out.set(line.id, (out.get(line.id) ?? 0) + Math.min(off, cap));
  }
  for (const [id, amount] of out) if (amount <= 0) out.delete(id);
  return out;
}

export function applyPromotions(promotions: Promotion[], input: EngineInput): EngineResult {
  const subtotal = input.lines.reduce((sum, l) => sum + l.unit_price * l.quantity, 0);
  const codes = new Set(input.codes.map((c) => c.trim().toUpperCase()));
  const rejected: EngineResult['rejected'] = [];
  const byCode = new Map(promotions.filter((p) => p.code).map((p) => [p.code!.toUpperCase(), p]));
  for (const code of codes) {
    if (!byCode.has(code)) rejected.push({ code, promotion_id: null, reason: 'unknown_code' });
  }
  const candidates: Promotion[] = [];
  for (const promotion of promotions) {
    if (promotion.code && !codes.has(promotion.code.toUpperCase())) continue;
    const why = ineligibility(promotion, input, subtotal);
    if (why) {
      if (promotion.code)
        rejected.push({ code: promotion.code.toUpperCase(), promotion_id: promotion.id, reason: why });
      continue;
    }
    candidates.push(promotion);
  }
  candidates.sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const remaining = new Map(input.lines.map((l) => [l.id, l.unit_price * l.quantity]));
  let shippingLeft = input.shipping_amount;
  const applied: AppliedDiscount[] = [];
  let exclusive = false;
  for (const promotion of candidates) {
    const reject = (reason: RejectionReason) => {
      if (promotion.code)
        rejected.push({ code: promotion.code.toUpperCase(), promotion_id: promotion.id, reason });
    };
    if (exclusive || (promotion.stacking === 'exclusive' && applied.length > 0)) {
      reject('not_combinable');
      continue;
    }
    let shipping = 0;
    let lines = new Map<string, number>();
    if (promotion.kind === 'free_shipping') shipping = shippingLeft;
    else lines = computeLines(promotion, input, remaining);
    const amount = [...lines.values()].reduce((a, b) => a + b, 0);
    if (amount === 0 && shipping === 0) {
      reject('nothing_to_discount');
      continue;
    }
    for (const [id, value] of lines) remaining.set(id, (remaining.get(id) ?? 0) - value);
    shippingLeft -= shipping;
    applied.push({
      promotion_id: promotion.id,
      code: promotion.code ? promotion.code.toUpperCase() : null,
      kind: promotion.kind,
      amount,
      shipping_amount: shipping,
      lines: [...lines].map(([line_id, value]) => ({ line_id, amount: value })),
    });
    if (promotion.stacking === 'exclusive') exclusive = true;
  }

  const line_discounts = new Map<string, number>();
  for (const line of input.lines) {
    const discount = line.unit_price * line.quantity - (remaining.get(line.id) ?? 0);
    if (discount > 0) line_discounts.set(line.id, discount);
  }
  return {
    applied,
    rejected,
    line_discounts,
    items_discount: applied.reduce((s, a) => s + a.amount, 0),
    shipping_discount: input.shipping_amount - shippingLeft,
  };
}
