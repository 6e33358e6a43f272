import { type Span, SpanKind, type Tracer } from '@opentelemetry/api';
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus registry and the instruments the platform feeds. One per runtime (tests
 * build several side by side). Names follow Prometheus conventions: `stratus_` prefix, base units
 * (seconds, bytes), `_total` on counters.
 *
 * Families that read the database at scrape time (outbox, jobs, business counters, usage) describe the
 * whole cluster, so every API node reports the same value: aggregate them with `max`, not `sum`.
 */
export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status_code'>;
  httpErrors: Counter<'method' | 'route' | 'status_code'>;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  dbQueryDuration: Histogram<'operation'>;
  dbQueryErrors: Counter<'operation'>;
  jobDuration: Histogram<'job_name' | 'status'>;
  /** Adds a collector run before every scrape (gauges read from the database, cache stats, …). */
  onCollect(collect: () => Promise<void> | void): void;
  /** Runs every collector, then renders the exposition text. */
  scrape(): Promise<string>;
}

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  const collectors: Array<() => Promise<void> | void> = [];
  if (options.defaultMetrics !== false) {
    // Event-loop lag, heap, GC, CPU, handles: prom-client's standard `nodejs_*` / `process_*` families.
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  }
  const registers = [registry];
  const httpRequests = new Counter({
    name: 'stratus_http_requests_total',
    help: 'HTTP requests answered, by route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers,
  });
  const httpErrors = new Counter({
    name: 'stratus_http_request_errors_total',
    help: 'HTTP requests answered with a 5xx status.',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: 'stratus_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route pattern.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const dbQueryDuration = new Histogram({
    name: 'stratus_db_query_duration_seconds',
    help: 'Database statement duration, by operation.',
    labelNames: ['operation'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const dbQueryErrors = new Counter({
    name: 'stratus_db_query_errors_total',
    help: 'Database statements that failed, by operation.',
    labelNames: ['operation'] as const,
    registers,
  });
  const jobDuration = new Histogram({
    name: 'stratus_job_duration_seconds',
    help: 'Scheduled job run time on this node, by job and outcome.',
    labelNames: ['job_name', 'status'] as const,
    buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
    registers,
  });
  const collectErrors = new Gauge({
    name: 'stratus_metrics_collect_errors',
    help: 'Collectors that failed during the last scrape (their families keep the previous values).',
    registers,
  });
  return {
    registry,
    httpRequests,
    httpErrors,
    httpDuration,
    dbQueryDuration,
    dbQueryErrors,
    jobDuration,
    onCollect: (collect) => collectors.push(collect),
    async scrape() {
      const outcomes = await Promise.allSettled(collectors.map(async (collect) => collect()));
      collectErrors.set(outcomes.filter((o) => o.status === 'rejected').length);
      return registry.metrics();
    },
  };
}

function operationOf(node: RootOperationNode): string {
  switch (node.kind) {
    case 'SelectQueryNode':
      return 'select';
    case 'InsertQueryNode':
      return 'insert';
    case 'UpdateQueryNode':
      return 'update';
    case 'DeleteQueryNode':
      return 'delete';
    default:
      return 'other';
  }
}

/**
 * Times every statement Kysely runs, and with a tracer opens a client span for it under the active
 * span: the clock starts when the query is transformed (just before it is compiled and sent) and
 * stops when its result comes back. A statement that throws never reaches `transformResult`; its
 * entry goes with the WeakMap key and its span is never exported.
 */
export class QueryTimingPlugin implements KyselyPlugin {
  readonly #started = new WeakMap<object, { at: bigint; operation: string; span?: Span }>();
  constructor(
    private readonly histogram: Histogram<'operation'>,
    private readonly tracer?: Tracer,
  ) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const operation = operationOf(args.node);
    const span = this.tracer?.startSpan(`db.${operation}`, {
      kind: SpanKind.CLIENT,
      attributes: { 'db.operation.name': operation },
    });
    this.#started.set(args.queryId, { at: process.hrtime.bigint(), operation, ...(span ? { span } : {}) });
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const started = this.#started.get(args.queryId);
    if (started) {
      this.#started.delete(args.queryId);
      started.span?.end();
      this.histogram.observe(
        { operation: started.operation },
        Number(process.hrtime.bigint() - started.at) / 1e9,
      );
    }
    return args.result;
  }
}
