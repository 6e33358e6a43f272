import { toMajor } from '../../platform/money/index.js';

/** The parts of a storefront product read that the HTML head needs. */
export interface HeadProduct {
  id: string;
  handle: string;
  title: string;
  description: string;
  seo_title: string | null;
  seo_description: string | null;
  product_type: string | null;
  media: Array<{ url: string; kind: string; alt?: string }>;
  variants: Array<{
    id: string;
    sku: string | null;
    title: string;
    price: { amount: number; currency_code: string } | null;
    availability: { in_stock: boolean; available: number; backorder: boolean; preorder: boolean } | null;
  }>;
}

export interface HeadCategory {
  handle: string;
  name: string;
  description: string;
}

export const SITE_NAME = 'Stratus Store';
const DEFAULT_DESCRIPTION = 'Furniture, technology and office supplies, shipped from our warehouse.';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside a `<script>` element: `<`, `>` and `&` can never close it or open a comment. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Plain text for a meta description: no markup, one line, at most 160 characters. */
export function summarise(text: string, max = 160): string {
  const plain = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length <= max ? plain : `${plain.slice(0, max - 1).replace(/\s+\S*$/, '')}…`;
}

interface HeadInput {
  title: string;
  description: string;
  canonical: string;
  locale: string;
  alternates?: Array<{ hreflang: string; href: string }>;
  ogType?: string;
  image?: string;
  jsonLd?: unknown[];
  robots?: string;
}

export function renderHead(input: HeadInput): string {
  const lines = [
    `<title>${escapeHtml(input.title)}</title>`,
    `<meta name="description" content="${escapeHtml(input.description)}" />`,
    `<link rel="canonical" href="${escapeHtml(input.canonical)}" />`,
    ...(input.alternates ?? []).map(
      (a) => `<link rel="alternate" hreflang="${escapeHtml(a.hreflang)}" href="${escapeHtml(a.href)}" />`,
    ),
    `<meta property="og:site_name" content="${SITE_NAME}" />`,
    `<meta property="og:type" content="${escapeHtml(input.ogType ?? 'website')}" />`,
    `<meta property="og:title" content="${escapeHtml(input.title)}" />`,
    `<meta property="og:description" content="${escapeHtml(input.description)}" />`,
    `<meta property="og:url" content="${escapeHtml(input.canonical)}" />`,
    `<meta property="og:locale" content="${input.locale === 'pl' ? 'pl_PL' : 'en_US'}" />`,
    ...(input.image ? [`<meta property="og:image" content="${escapeHtml(input.image)}" />`] : []),
    `<meta name="twitter:card" content="${input.image ? 'summary_large_image' : 'summary'}" />`,
    ...(input.robots ? [`<meta name="robots" content="${escapeHtml(input.robots)}" />`] : []),
    ...(input.jsonLd ?? []).map((doc) => `<script type="application/ld+json">${scriptJson(doc)}</script>`),
  ];
  return lines.join('\n    ');
}

/** Puts the head and the embedded data into the built index.html at its markers. */
export function renderPage(template: string, head: string, data = ''): string {
  return template
    .replace(/<!--stratus:head-->[\s\S]*?<!--\/stratus:head-->/, head)
    .replace('<!--stratus:data-->', data);
}

const AVAILABILITY = {
  in: 'https://schema.org/InStock',
  out: 'https://schema.org/OutOfStock',
  backorder: 'https://schema.org/BackOrder',
  preorder: 'https://schema.org/PreOrder',
};

function availabilityOf(v: HeadProduct['variants'][number]): string {
  const a = v.availability;
  if (!a?.in_stock) return AVAILABILITY.out;
  if (a.available > 0) return AVAILABILITY.in;
  return a.preorder ? AVAILABILITY.preorder : a.backorder ? AVAILABILITY.backorder : AVAILABILITY.in;
}

/** schema.org Product with one Offer per priced variant: the price the shopper pays, in major units. */
export function productJsonLd(product: HeadProduct, url: string): Record<string, unknown> {
  const images = product.media.filter((m) => m.kind === 'image').map((m) => m.url);
  const offers = product.variants
    .filter((v) => v.price)
    .map((v) => ({
      '@type': 'Offer',
      ...(v.sku ? { sku: v.sku } : {}),
      name: v.title,
      price: toMajor(v.price!.amount, v.price!.currency_code),
      priceCurrency: v.price!.currency_code.toUpperCase(),
      availability: availabilityOf(v),
      url,
    }));
  const first = product.variants[0];
  return {
    '@context': 'https://schema.org',
    '@type': 'Product',
    '@id': `${url}#product`,
    name: product.title,
    description: summarise(product.description || product.title, 5000),
    url,
    ...(images.length > 0 ? { image: images } : {}),
    ...(first?.sku ? { sku: first.sku } : {}),
    ...(product.product_type ? { category: product.product_type } : {}),
    offers: offers.length === 1 ? offers[0] : offers,
  };
}

export function productHead(product: HeadProduct, origin: string, locale: string): string {
  const path = `/products/${encodeURIComponent(product.handle)}`;
  const canonical = `${origin}${path}${locale === 'en' ? '' : `?lang=${locale}`}`;
  const image = product.media.find((m) => m.kind === 'image')?.url;
  return renderHead({
    title: `${product.seo_title ?? product.title} | ${SITE_NAME}`,
    description: summarise(product.seo_description ?? (product.description || product.title)),
    canonical,
    locale,
    alternates: alternates(origin, path),
    ogType: 'product',
    ...(image ? { image } : {}),
    jsonLd: [productJsonLd(product, canonical)],
  });
}

export function categoryHead(category: HeadCategory, origin: string, locale: string): string {
  const path = `/categories/${encodeURIComponent(category.handle)}`;
  const canonical = `${origin}${path}${locale === 'en' ? '' : `?lang=${locale}`}`;
  return renderHead({
    title: `${category.name} | ${SITE_NAME}`,
    description: summarise(category.description || `${category.name} – ${SITE_NAME}`),
    canonical,
    locale,
    alternates: alternates(origin, path),
    jsonLd: [
      {
        '@context': 'https://schema.org',
        '@type': 'CollectionPage',
        name: category.name,
        url: canonical,
        ...(category.description ? { description: summarise(category.description, 5000) } : {}),
      },
    ],
  });
}

export function homeHead(origin: string, locale: string): string {
  return renderHead({
    title: SITE_NAME,
    description: DEFAULT_DESCRIPTION,
    canonical: `${origin}/${locale === 'en' ? '' : `?lang=${locale}`}`,
    locale,
    alternates: alternates(origin, '/'),
    jsonLd: [
      {
        '@context': 'https://schema.org',
        '@type': 'WebSite',
        name: SITE_NAME,
        url: `${origin}/`,
        potentialAction: {
          '@type': 'SearchAction',
          target: `${origin}/search?q={search_term_string}`,
          'query-input': 'required name=search_term_string',
        },
      },
    ],
  });
}

export function plainHead(title: string, origin: string, path: string, robots?: string): string {
  return renderHead({
    title: `${title} | ${SITE_NAME}`,
    description: DEFAULT_DESCRIPTION,
    canonical: `${origin}${path}`,
    locale: 'en',
    ...(robots ? { robots } : {}),
  });
}

function alternates(origin: string, path: string) {
  const sep = path.includes('?') ? '&' : '?';
  return [
    { hreflang: 'en', href: `${origin}${path}` },
    { hreflang: 'pl', href: `${origin}${path}${sep}lang=pl` },
    { hreflang: 'x-default', href: `${origin}${path}` },
  ];
}
