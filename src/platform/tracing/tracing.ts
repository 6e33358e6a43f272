import {
  context,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Config } from '../../config/config.js';
import { randomHex } from '../crypto/random-pool.js';

export interface Tracing {
  enabled: boolean;
  tracer: Tracer;
  /** Flushes buffered spans (best effort: an unreachable collector only loses them). */
  flush(): Promise<void>;
}

let provider: NodeTracerProvider | undefined;

/**
 * OpenTelemetry tracing, off unless `STRATUS_TRACING=on`. Spans go to the OTLP/HTTP endpoint
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, default http://localhost:4318) in batches; when no collector
 * listens, the exporter's failures are dropped and the app carries on. The provider is process-wide
 * (it owns the async context), so it is set up once.
 */
export function startTracing(config: Config['tracing']): Tracing {
  if (!config.enabled) {
    return { enabled: false, tracer: trace.getTracer('stratus'), flush: async () => {} };
  }
  if (!provider) {
    const base = (config.endpoint ?? 'http://localhost:4318').replace(/\/$/, '');
    provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': config.serviceName }),
      spanProcessors: [
        new BatchSpanProcessor(new OTLPTraceExporter({ url: `${base}/v1/traces`, timeoutMillis: 2000 }), {
          scheduledDelayMillis: 1000,
        }),
      ],
    });
    provider.register();
  }
  const active = provider;
  return {
    enabled: true,
    tracer: trace.getTracer('stratus'),
    flush: () => active.forceFlush().catch(() => {}),
  };
}

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;

/**
 * The trace id to log with a request: the active span's when tracing is on, else the caller's W3C
 * `traceparent`, else a fresh one, so log lines of one request can always be grouped.
 */
export function traceIdFor(span: Span | undefined, traceparent: unknown): string {
  const fromSpan = span?.spanContext().traceId;
  if (fromSpan && fromSpan !== '00000000000000000000000000000000') return fromSpan;
  const match = typeof traceparent === 'string' ? TRACEPARENT.exec(traceparent) : null;
  return match ? match[1]! : randomHex(16);
}

/** Starts a server span continuing the caller's `traceparent`, and returns it with its context. */
export function startServerSpan(tracer: Tracer, name: string, headers: Record<string, unknown>) {
  const parent = propagation.extract(context.active(), headers);
  const span = tracer.startSpan(name, { kind: SpanKind.SERVER }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/** Runs `work` inside a span, recording an exception and error status when it throws. */
export async function inSpan<T>(tracer: Tracer, name: string, work: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}
