import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../platform/http/context.js';
import { type EdgeResponse, sendEdgeCached } from '../../platform/http/edge-cache.js';
import { encodedBody } from '../../platform/http/encoded-body.js';
import { AppError, PlatformErrors } from '../../platform/http/errors.js';
import { loadStorefrontBuild, type StorefrontBuild } from './storefront-web.assets.js';
import {
  categoryHead,
  homeHead,
  plainHead,
  productHead,
  renderPage,
  scriptJson,
} from './storefront-web.head.js';
import { findCategory, NOT_FOUND_TAGS, readProduct, sitemapXml } from './storefront-web.reads.js';
import { type StorefrontSettings, storefrontSettingsFromEnv } from './storefront-web.settings.js';

/** API and tool prefixes the storefront never answers for, so their 404s stay JSON. */
const RESERVED = ['/admin', '/store', '/hooks', '/health', '/docs', '/openapi.json', '/metrics', '/assets'];
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Crawlers and CDNs may keep rendered pages briefly; prices and stock move them on. */
const PAGE_CACHE_CONTROL = 'public, max-age=30, stale-while-revalidate=60';
const SHELL_CACHE_CONTROL = 'no-cache';
const PAGE_TTL_MS = 60_000;

// Pages never answer 400: an unknown language falls back to English, an unknown region to a 404 page.
const PageQuery = Type.Object(
  {
    lang: Type.Optional(Type.String({ maxLength: 35 })),
    region: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: true },
);
const LANGUAGES = new Set(['en', 'pl']);
const languageOf = (lang: string | undefined) => (lang && LANGUAGES.has(lang) ? lang : 'en');
const Handle = Type.Object({ handle: Type.String({ minLength: 1, maxLength: 200 }) });

/** The site's own origin, from the request (behind a proxy when `trustProxy` is configured). */
function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

function isReserved(url: string): boolean {
  return RESERVED.some(
    (prefix) => url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`),
  );
}

/**
 * The storefront web app at `/`: hashed assets with year-long caching, the app shell for client
 * routes, server-rendered heads (title, description, canonical, Open Graph, JSON-LD) for product and
 * category URLs, and sitemap.xml and robots.txt. Product and category pages are cached rendered,
 * tagged with the catalog's cache tags so catalog writes drop them.
 */
export function storefrontWebRoutes(
  options: { build?: StorefrontBuild; settings?: StorefrontSettings } = {},
): FastifyPluginAsyncTypebox<{ ctx: AppContext }> {
  const build = options.build ?? loadStorefrontBuild();
  const settings = options.settings ?? storefrontSettingsFromEnv();
  // Public settings the app reads at start (never secrets): the Stripe publishable key, when Stripe is on.
  // Embedded as JSON data blocks, which the Content-Security-Policy allows (it forbids inline scripts).
  const configScript = `<script type="application/json" id="stratus-config">${scriptJson({
    stripe_publishable_key: settings.stripePublishableKey,
  })}</script>`;
  const page = (head: string, data = '') => renderPage(build.template, head, configScript + data);
  return async (app, { ctx }) => {
    // Pages only read the published catalog (no carts, no accounts): the replica when there is one.
    const db = ctx.database.reader;
    const { cache } = ctx;
    const shellStatus = build.dir ? 200 : 503;
    if (!build.dir) ctx.logger.warn('storefront web app is not built (npm run build); serving heads only');

    const sendHtml = (
      reply: FastifyReply,
      status: number,
      html: string,
      cacheControl = SHELL_CACHE_CONTROL,
    ) => reply.code(status).header('cache-control', cacheControl).type('text/html; charset=utf-8').send(html);

    app.get('/assets/*', { schema: { hide: true } }, async (request, reply) => {
      const asset = build.assets.get(request.url.split('?')[0]!);
      if (!asset) throw new AppError(PlatformErrors.NOT_FOUND, 'Asset not found');
      reply
        .header('cache-control', IMMUTABLE)
        .header('etag', asset.etag)
        .header('vary', 'accept-encoding')
        .type(asset.type);
      if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
      const { encoding, body } = encodedBody(asset, request.headers['accept-encoding']);
      if (encoding) reply.header('content-encoding', encoding);
      return reply.send(body);
    });

    app.get('/', { schema: { hide: true, querystring: PageQuery } }, async (request, reply) =>
      sendHtml(reply, shellStatus, page(homeHead(originOf(request), languageOf(request.query.lang)))),
    );

    app.get(
      '/products/:handle',
      { schema: { hide: true, params: Handle, querystring: PageQuery } },
      async (request, reply) => {
        const { handle } = request.params;
        const locale = languageOf(request.query.lang);
        const region = request.query.region;
        const origin = originOf(request);
        return sendEdgeCached(cache, request, reply, async () => {
          const found = await readProduct(db, handle, region, locale);
          if (!found) return notFound(page, origin, request.url);
          const data = `<script type="application/json" id="stratus-product">${scriptJson({
            handle,
            region_param: region ?? null,
            locale,
            product: found.product,
          })}</script>`;
          return pageResponse(
            shellStatus,
            page(productHead(found.product, origin, locale), data),
            found.tags,
          );
        });
      },
    );

    app.get(
      '/categories/:handle',
      { schema: { hide: true, params: Handle, querystring: PageQuery } },
      async (request, reply) => {
        const { handle } = request.params;
        const locale = languageOf(request.query.lang);
        const origin = originOf(request);
        return sendEdgeCached(cache, request, reply, async () => {
          const found = await findCategory(db, handle, locale);
          if (!found) return notFound(page, origin, request.url);
          return pageResponse(shellStatus, page(categoryHead(found.category, origin, locale)), found.tags);
        });
      },
    );

    app.get('/sitemap.xml', { schema: { hide: true } }, async (request, reply) => {
      const origin = originOf(request);
      return sendEdgeCached(cache, request, reply, async () => {
        const { xml, tags } = await sitemapXml(db, origin);
        const type = 'application/xml; charset=utf-8';
        return { type, body: xml, cacheControl: 'public, max-age=300', tags, ttlMs: 300_000 };
      });
    });

    app.get('/robots.txt', { schema: { hide: true } }, async (request, reply) => {
      const origin = originOf(request);
      const text = [
        'User-agent: *',
        'Allow: /',
        'Disallow: /admin/',
        'Disallow: /store/',
        'Disallow: /cart',
        'Disallow: /checkout',
        'Disallow: /orders/',
        'Disallow: /account',
        'Disallow: /search',
        `Sitemap: ${origin}/sitemap.xml`,
        '',
      ].join('\n');
      return reply
        .header('cache-control', 'public, max-age=3600')
        .type('text/plain; charset=utf-8')
        .send(text);
    });

    // Client routes (search, cart, checkout, account, …) get the app shell; the client router draws them.
    const CLIENT = [
      /^\/search$/,
      /^\/cart$/,
      /^\/checkout$/,
      /^\/orders\/[^/]+$/,
      /^\/collections\/[^/]+$/,
      /^\/account(\/(login|register|verify|reset-password|orders|addresses|privacy))?$/,
      /^\/account\/orders\/[^/]+$/,
    ];
    app.get('/*', { schema: { hide: true } }, async (request, reply) => {
      const path = request.url.split('?')[0]!;
      if (isReserved(path)) throw new AppError(PlatformErrors.NOT_FOUND, `Route GET ${path} not found`);
      const origin = originOf(request);
      const known = CLIENT.some((pattern) => pattern.test(path));
      if (!known) {
        const missing = notFound(page, origin, path);
        return sendHtml(reply, 404, missing.body);
      }
      const head = plainHead('Stratus', origin, path, 'noindex');
      return sendHtml(reply, shellStatus, page(head));
    });
  };
}

/**
 * The shell with a 404 status, so crawlers drop the URL while the client still shows its page. Cached
 * under the list tags, so publishing the product or category replaces it.
 */
function notFound(page: (head: string) => string, origin: string, path: string): EdgeResponse {
  const html = page(plainHead('Not found', origin, path.split('?')[0]!, 'noindex'));
  return pageResponse(404, html, NOT_FOUND_TAGS, 60_000);
}

/** A rendered page to cache: only a 200 may be kept by browsers and CDNs. */
function pageResponse(status: number, html: string, tags: string[], ttlMs = PAGE_TTL_MS): EdgeResponse {
  const cacheControl = status === 200 ? PAGE_CACHE_CONTROL : 'no-cache';
  return { status, type: 'text/html; charset=utf-8', body: html, cacheControl, tags, ttlMs };
}
