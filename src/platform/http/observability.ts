import { context, type Span, SpanStatusCode } from '@opentelemetry/api';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { Logger } from '../logging/logger.js';
import { RequestLogger } from '../logging/request-logger.js';
import { startServerSpan, traceIdFor } from '../tracing/tracing.js';
import type { AppContext } from './context.js';

const spans = new WeakMap<FastifyRequest, Span>();

/**
 * Per request: a server span (when tracing is on) whose context the rest of the request runs in, so
 * DB spans nest under it; a `trace_id` on every log line of the request; and the HTTP metrics,
 * labelled by route pattern (never the raw URL, which would carry ids).
 */
export function installObservability(app: FastifyInstance, ctx: AppContext): void {
  installMetrics(app, ctx);
  const { tracing } = ctx;
  // Without tracing, the trace id is bound when Fastify makes the request's logger (see
  // requestLogger), so no second child logger per request.
  if (!tracing.enabled) return;
  app.addHook('onRequest', (request, reply, done) => {
    const route = request.routeOptions.url ?? '(unmatched)';
    const started = startServerSpan(tracing.tracer, `${request.method} ${route}`, request.headers);
    started.span.setAttributes({ 'http.request.method': request.method, 'http.route': route });
    spans.set(request, started.span);
    request.log = request.log.child({ trace_id: traceIdFor(started.span, undefined) });
    reply.log = request.log;
    // Everything after this hook (other hooks, the handler, DB calls) runs inside the span's context.
    context.with(started.context, done);
  });
}

/**
 * The per-request logger: request id and, unless a span will supply it, the trace id; its pino child
 * is made only when the request logs more than its access line (see RequestLogger).
 */
export function requestLogger(ctx: AppContext): FastifyServerOptions['childLoggerFactory'] {
  return function childLogger(logger, bindings, options, raw) {
    const child = ctx.tracing.enabled
      ? bindings
      : { ...bindings, trace_id: traceIdFor(undefined, raw.headers.traceparent) };
    // A route's own level or serializers need a real child.
    if (options.level !== undefined || options.serializers !== undefined) return logger.child(child, options);
    return new RequestLogger(logger as Logger, child) as unknown as FastifyBaseLogger;
  };
}

/** The HTTP metrics of one request (also of those the edge lane answers). */
export function recordRequest(
  metrics: AppContext['metrics'],
  method: string,
  route: string,
  status: number,
  ms: number,
): void {
  const labels = { method, route, status_code: String(status) };
  metrics.httpRequests.inc(labels);
  metrics.httpDuration.observe(labels, ms / 1000);
  if (status >= 500) metrics.httpErrors.inc(labels);
}

function installMetrics(app: FastifyInstance, ctx: AppContext): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? '(unmatched)';
    recordRequest(ctx.metrics, request.method, route, reply.statusCode, reply.elapsedTime);
    const span = spans.get(request);
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  });
}
