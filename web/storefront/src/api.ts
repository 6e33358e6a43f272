// The storefront talks to Stratus through the public /store API only.

export interface Price {
  currency_code: string;
  amount: number;
  original_amount: number;
  price_list_id: string | null;
  tax_rate_bp: number;
  tax_inclusive: boolean;
  amount_excl_tax: number;
  amount_incl_tax: number;
  tax_amount: number;
}
export interface Availability {
  available: number;
  backorder: boolean;
  preorder: boolean;
  tracked: boolean;
  in_stock: boolean;
}
export interface Media {
  url: string;
  kind: 'image' | 'model';
  format?: string | null;
  alt?: string;
}
export interface Variant {
  id: string;
  sku: string | null;
  title: string;
  options: Record<string, string>;
  price: Price | null;
  availability: Availability | null;
}
export interface Product {
  id: string;
  handle: string;
  title: string;
  subtitle: string | null;
  description: string;
  product_type: string | null;
  tags: string[];
  options: Array<{ name: string; values: string[] }>;
  media: Media[];
  attributes: Array<{ key: string; type: string; value: string | number | boolean }>;
  category_ids: string[];
  collection_ids: string[];
  region_id: string;
  currency_code: string;
  locale: string;
  price_range: { min_amount: number; max_amount: number } | null;
  in_stock: boolean;
  variants: Variant[];
}
export interface ProductSummary {
  id: string;
  handle: string;
  title: string;
  subtitle: string | null;
  thumbnail: string | null;
  price: Price | null;
  price_range: { min_amount: number; max_amount: number } | null;
  in_stock: boolean;
  variant_count: number;
}
export interface Facet {
  facet: 'category' | 'collection' | 'tag' | 'option';
  name: string | null;
  value: string;
  count: number;
}
export interface ProductPage {
  data: ProductSummary[];
  next_cursor: string | null;
  facets?: Facet[];
  currency_code: string;
}
export interface Category {
  id: string;
  parent_id: string | null;
  handle: string;
  name: string;
  description: string;
}
export interface Region {
  id: string;
  name: string;
  currency_code: string;
  tax_inclusive: boolean;
  default_tax_rate_bp: number;
  countries: string[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | boolean | string[] | undefined | null>;

export function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) for (const item of value) params.append(key, item);
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Where a signed-in browser keeps its session's CSRF token (set at sign-in). */
export const CSRF_KEY = 'stratus.csrf';

export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; query?: Query } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  // A signed-in browser proves every call is its own (cookie + CSRF token): a customer's cart answers
  // only to its customer, so cart calls need the token as much as account calls do.
  const csrf = localStorage.getItem(CSRF_KEY);
  if (csrf) headers['x-csrf-token'] = csrf;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${path}${init.query ? queryString(init.query) : ''}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (response.status === 204) return undefined as T;
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const error = body?.error ?? {};
    throw new ApiError(
      response.status,
      error.code ?? 'HTTP_ERROR',
      error.message ?? response.statusText,
      error.details,
    );
  }
  return body as T;
}
