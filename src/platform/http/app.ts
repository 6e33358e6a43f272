import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerFactory,
  LogController,
} from 'fastify';
import { modules } from '../../modules/index.js';
import { fieldCrypto } from '../crypto/field-crypto.js';
import { logAccess } from '../logging/request-logger.js';
import { metricsRoutes } from '../metrics/metrics.routes.js';
import { traceIdFor } from '../tracing/tracing.js';
import { carriesCustomer, installAuthGuard } from './auth.js';
import type { AppContext } from './context.js';
import { EdgeLane } from './edge-cache.js';
import { installErrorHandler } from './error-handler.js';
import { healthRoutes } from './health.routes.js';
import { installIdempotency } from './idempotency.js';
import { installObservability, recordRequest, requestLogger } from './observability.js';
import { installAdmissionRounds } from './rounds.js';
import { installSecurity, sameOriginHeaders } from './security.js';

export type App = FastifyInstance;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function requestIdOf(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** One compact line per request (route pattern, not the raw URL, so no ids or query strings leak). */
class RequestLog extends LogController {
  override incomingRequest(): void {}
  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      method: request.method,
      route: request.routeOptions.url ?? '(unmatched)',
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error) logAccess(reply.log, 'error', { ...line, err: error }, 'request failed');
    else logAccess(reply.log, 'info', line, 'request');
  }
}

/**
 * Builds the whole HTTP app over the given context. It never listens: `start` calls `listen`, tests
 * call `inject`, and any number of apps can be built side by side.
 */
export async function buildApp(ctx: AppContext): Promise<App> {
  const { http } = ctx.config;
  const trust = http.trustProxy;
  const edge = new EdgeLane({
    cache: ctx.cache,
    headers: sameOriginHeaders(http.corsOrigins),
    personal: (raw) => carriesCustomer(ctx.auth, raw),
    requestId: requestIdOf,
    served(raw, requestId, entry, status, ms) {
      recordRequest(ctx.metrics, 'GET', entry.route, status, ms);
      if (ctx.logger.isLevelEnabled('info')) {
        const trace_id = traceIdFor(undefined, raw.headers.traceparent);
        const line = { method: 'GET', route: entry.route, status, ms: Math.round(ms * 10) / 10 };
        ctx.logger.info({ request_id: requestId, trace_id, ...line }, 'request');
      }
    },
  });
  // With tracing on, every request goes through the pipeline so that each has its span.
  const serverFactory: FastifyServerFactory | undefined = ctx.tracing.enabled
    ? undefined
    : (handler) =>
        edge.server(handler, {
          keepAliveTimeout: http.keepAliveTimeoutMs,
          requestTimeout: http.requestTimeoutMs,
          connectionTimeout: http.requestTimeoutMs * 2,
        });
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    logController: new RequestLog({ requestIdLogLabel: 'request_id' }),
    childLoggerFactory: requestLogger(ctx),
    bodyLimit: http.bodyLimitBytes,
    requestTimeout: http.requestTimeoutMs,
    connectionTimeout: http.requestTimeoutMs * 2,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    // A hop count as Fastify reads it (its types leave numbers out): trust that many nearest addresses.
    trustProxy: typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust,
    return503OnClosing: true,
    requestIdHeader: false,
    genReqId: requestIdOf,
    ...(serverFactory ? { serverFactory } : {}),
    ajv: { customOptions: { coerceTypes: 'array', useDefaults: true, removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('preClose', (done) => {
    edge.close();
    done();
  });
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  installAdmissionRounds(app);
  installObservability(app, ctx);
  installErrorHandler(app);
  await installSecurity(app, ctx);
  installAuthGuard(app, () => ctx.auth);
  installIdempotency(
    app,
    () => ctx.db,
    () => fieldCrypto(ctx.db, ctx.secrets),
  );

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Stratus API',
        version: '0.1.0',
        description:
          'Store (`/store/*`), admin (`/admin/*`), provider hooks (`/hooks/*`) and operations endpoints.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          publishableKey: { type: 'apiKey', in: 'header', name: 'x-publishable-key' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(healthRoutes, { ctx });
  // Root-level hooks from modules (the audit trail of admin mutations) must exist before any route.
  for (const module of modules) if (module.hooks) await module.hooks(app, ctx);
  await app.register(metricsRoutes(ctx.metrics, ctx.config.metrics));
  for (const module of modules) await app.register(module.routes, { ctx });
  return app;
}
