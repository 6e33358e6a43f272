import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import { Redis } from 'ioredis';
import type { AppContext } from './context.js';
import { AppError, PlatformErrors } from './errors.js';

/**
 * Transport-level protection for every route: security headers, the CORS allow-list, cookie
 * parsing, and rate limits per client IP (before authentication, so floods stay cheap) and per
 * signed-in account (after it). Limits are counted in Redis when `REDIS_URL` is set, so they hold
 * across every node; in process otherwise.
 */
export async function installSecurity(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { http } = ctx.config;
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(SECURITY_HEADERS);
    done();
  });
  await app.register(cors, {
    origin: http.corsOrigins.length > 0 ? http.corsOrigins : false,
    credentials: true,
    allowedHeaders: [
      'content-type',
      'authorization',
      'x-csrf-token',
      'x-publishable-key',
      'idempotency-key',
      'x-request-id',
    ],
    exposedHeaders: EXPOSED_HEADERS,
  });
  await app.register(cookie);

  let redis: Redis | undefined;
  if (ctx.config.redisUrl) {
    // Commands queue while connecting (so the first requests count too); one retry, then skipOnError.
    redis = new Redis(ctx.config.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
    redis.on('error', (error) => ctx.logger.warn({ err: error }, 'rate limit store error'));
    app.addHook('onClose', async () => {
      redis?.disconnect();
    });
  }
  await app.register(rateLimit, {
    global: false,
    timeWindow: 60_000,
    max: http.rateLimitPerMinute,
    ...(redis ? { redis, nameSpace: 'stratus-rl:' } : {}),
    // A Redis outage must not take the shop down with it: limits pause, requests flow.
    skipOnError: true,
  });
  // Three independent counters (the plugin's own hooks run only one limiter per request).
  const perIp = app.createRateLimit({ max: http.rateLimitPerMinute, keyGenerator: (r) => `ip:${r.ip}` });
  const signIn = app.createRateLimit({
    max: ctx.config.auth.authRateLimitPerMinute,
    keyGenerator: (r) => `auth:${r.ip}`,
  });
  const perAccount = app.createRateLimit({
    max: http.accountRateLimitPerMinute,
    keyGenerator: (r: FastifyRequest) => `acct:${r.principal?.kind}:${r.principal?.id}`,
  });
  const enforce = async (limiter: typeof perIp, request: FastifyRequest, reply: FastifyReply) => {
    const result = await limiter(request);
    if (result.isAllowed || !result.isExceeded) return;
    reply.header('retry-after', result.ttlInSeconds);
    throw new AppError(PlatformErrors.RATE_LIMITED, `Too many requests; retry in ${result.ttlInSeconds} s`);
  };
  app.addHook('onRequest', async (request, reply) => {
    // Probes and scrapers come from the platform, not from clients.
    if (request.url.startsWith('/health/') || request.url === '/metrics') return;
    await enforce(perIp, request, reply);
    if (request.routeOptions.config?.signInLimit) await enforce(signIn, request, reply);
  });
  app.addHook('preHandler', async (request, reply) => {
    if (request.principal) await enforce(perAccount, request, reply);
  });
}

const EXPOSED_HEADERS = ['x-request-id', 'retry-after'];

/**
 * The headers the pipeline gives every same-origin response (no `Origin` header): the security
 * headers and, with a CORS allow-list, what the CORS plugin adds without an origin to allow. The edge
 * lane sends these; a test checks they match the pipeline's.
 */
export function sameOriginHeaders(corsOrigins: readonly string[]): Readonly<Record<string, string>> {
  if (corsOrigins.length === 0) return SECURITY_HEADERS;
  return {
    ...SECURITY_HEADERS,
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': EXPOSED_HEADERS.join(', '),
  };
}

/** The security headers of every response. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = securityHeaders({
  contentSecurityPolicy: {
    directives: {
      // No inline scripts anywhere: pages embed data as JSON blocks. Stripe.js and its card frames
      // are the only third-party code, so card data stays with Stripe (see docs/security.md).
      scriptSrc: ["'self'", 'https://js.stripe.com'],
      frameSrc: ["'self'", 'https://js.stripe.com', 'https://hooks.stripe.com'],
      // Product media and 3D models may live on a CDN or the merchant's storage.
      imgSrc: ["'self'", 'data:', 'blob:', 'https:'],
      connectSrc: ["'self'", 'https:'],
    },
  },
});

/**
 * Helmet's headers, worked out once: the policy is the same for every response, and running helmet's
 * middleware per request (it re-parses the CSP each time) cost a tenth of a node's CPU under load.
 */
function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as never, response as never, () => {});
  return headers;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Sign-in, registration and reset routes: a much lower per-IP limit (credential stuffing). */
    signInLimit?: boolean;
  }
}
