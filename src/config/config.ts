import { isIP } from 'node:net';
import path from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type NodeEnv = 'development' | 'production' | 'test';

export type DatabaseConfig =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; url: string; poolMax: number; searchPath?: string; replicaUrl?: string };

/** Unit prices for the FinOps cost model, in minor units of `currency` per block (see docs/operations.md). */
export interface UnitPrices {
  currency: string;
  /** Per 1,000,000 requests. */
  requestsPerMillion: number;
  /** Per CPU hour. */
  cpuHour: number;
  /** Per GiB of database per day. */
  dbGibDay: number;
  /** Per 1,000,000 events stored. */
  eventsPerMillion: number;
  /** Per 1,000 emails sent. */
  emailsPerThousand: number;
  /** Per GiB of backup written. */
  backupGib: number;
  /** Per 1,000 outbound webhook calls. */
  webhooksPerThousand: number;
  /** Fixed cost per day (nodes, load balancer, …). */
  fixedPerDay: number;
  /** Cost per day above which the cost report raises an alert; 0 disables it. */
  alertPerDay: number;
}

export interface Config {
  env: NodeEnv;
  host: string;
  port: number;
  logLevel: LogLevel;
  dataDir: string;
  database: DatabaseConfig;
  redisUrl: string | undefined;
  http: {
    bodyLimitBytes: number;
    requestTimeoutMs: number;
    keepAliveTimeoutMs: number;
    /**
     * Which hops may set `X-Forwarded-*` (Fastify's `trustProxy`): false, a hop count (the proxies in
     * front of the node), or the proxies' addresses and CIDR ranges. `true` trusts every hop, so any
     * client can choose its own IP: only for a proxy that replaces the header rather than appending.
     */
    trustProxy: TrustProxy;
    /** Origins allowed to call the API from a browser (CORS); empty means same-origin only. */
    corsOrigins: string[];
    /** Requests per minute per client IP, and per signed-in account, across the API. */
    rateLimitPerMinute: number;
    accountRateLimitPerMinute: number;
  };
  /** The URL customers and staff reach (links in emails); defaults to http://localhost:PORT. */
  publicUrl: string;
  mail: { smtpUrl: string | undefined; from: string };
  auth: {
    sessionTtlHours: number;
    /** Failed logins per account (or unknown name) before a temporary lockout. */
    maxFailures: number;
    lockoutMinutes: number;
    /** Login and reset requests per minute per IP. */
    authRateLimitPerMinute: number;
  };
  /** Run the outbox dispatcher and scheduler inside `stratus start` (off for API-only nodes). */
  inProcessWorker: boolean;
  outbox: { pollIntervalMs: number; batchSize: number; maxAttempts: number; leaseMs: number };
  shutdownGraceMs: number;
  /**
   * On SIGTERM, how long a node keeps serving with readiness false before it stops accepting
   * connections, so load balancers take it out of rotation first (5 s behind Kubernetes or nginx).
   */
  drainDelayMs: number;
  /** When set, `stratus worker` serves /metrics and /health/live on this port (workers have no API). */
  workerMetricsPort: number | undefined;
  metrics: {
    /** Bearer token a scraper may present; when unset only the allow-list applies. */
    token: string | undefined;
    /** Addresses or CIDR blocks that may scrape without a token. */
    allow: string[];
  };
  tracing: { enabled: boolean; endpoint: string | undefined; serviceName: string };
  backup: {
    /** base64 32-byte AES-256 key, separate from the data key. */
    key: string | undefined;
    /** A directory path, or s3://bucket/prefix. */
    target: string | undefined;
    s3: { endpoint: string | undefined; region: string; forcePathStyle: boolean };
    retention: { daily: number; weekly: number; monthly: number };
    /**
     * Whether the worker's `backups.scheduled` job takes the nightly backup. Off where the platform
     * schedules `stratus backup run` itself (the Kubernetes CronJob), so one mechanism runs.
     */
    scheduled: boolean;
  };
  costs: UnitPrices;
  /**
   * How often a node re-reads the active data key (field encryption), so that after `stratus keys
   * rotate` on another process it writes with the new key within this long.
   */
  keyRefreshMs: number;
}

/** Start-up fails with one line naming the variable; main.ts prints `message` and exits 1. */
export type TrustProxy = boolean | number | string[];

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function text(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === '' ? fallback : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max)
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, allowed: readonly T[]): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function urlWithProtocol(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return raw;
}

/**
 * `STRATUS_TRUST_PROXY`: `false`, `true`, a hop count (`1` = the one proxy in front), or a
 * comma-separated list of proxy addresses and CIDR ranges (`10.0.0.0/8,fd00::/8`).
 */
function trustProxy(env: Env, name: string): TrustProxy {
  const raw = (env[name] ?? '').trim();
  if (raw === '' || ['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  if (['true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops > 10) throw new ConfigError(name, `must be at most 10 hops, got ${hops}`);
    return hops;
  }
  return raw.split(',').map((item) => {
    const entry = item.trim();
    const [address, bits, extra] = entry.split('/');
    const version = isIP(address ?? '');
    const max = version === 4 ? 32 : 128;
    const validBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max);
    if (!version || !validBits || extra !== undefined)
      throw new ConfigError(
        name,
        `must be true, false, a hop count or addresses/CIDR ranges, got "${entry}"`,
      );
    return entry;
  });
}

function list(env: Env, name: string): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return [];
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => {
      if (!/^https?:\/\/[^/\s]+$/.test(item)) throw new ConfigError(name, `has an invalid origin "${item}"`);
      return true;
    });
}

/** Reads and validates the whole configuration from the environment; pure apart from `cwd`. */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const dataDir = path.resolve(cwd, text(env, 'STRATUS_DATA_DIR', './data'));
  const databaseUrl = urlWithProtocol(env, 'DATABASE_URL', ['postgres:', 'postgresql:', 'sqlite:', 'file:']);
  const port = integer(env, 'PORT', 8080, 0, 65535);
  let database: DatabaseConfig;
  if (databaseUrl?.startsWith('postgres')) {
    database = { kind: 'postgres', url: databaseUrl, poolMax: integer(env, 'DATABASE_POOL_MAX', 10, 1, 500) };
    // Storefront reads may go to a replica (see `Database.reader`); writes and transactions never do.
    const replicaUrl = urlWithProtocol(env, 'DATABASE_REPLICA_URL', ['postgres:', 'postgresql:']);
    if (replicaUrl) database.replicaUrl = replicaUrl;
  } else {
    const file = databaseUrl ? decodeURIComponent(new URL(databaseUrl).pathname) : 'stratus.db';
    database = { kind: 'sqlite', file: path.resolve(dataDir, file) };
  }
  return {
    env: oneOf<NodeEnv>(env, 'NODE_ENV', 'development', ['development', 'production', 'test']),
    host: text(env, 'HOST', '0.0.0.0'),
    port,
    logLevel: oneOf<LogLevel>(env, 'LOG_LEVEL', 'info', [
      'fatal',
      'error',
      'warn',
      'info',
      'debug',
      'trace',
      'silent',
    ]),
    dataDir,
    database,
    redisUrl: urlWithProtocol(env, 'REDIS_URL', ['redis:', 'rediss:']),
    http: {
      bodyLimitBytes: integer(env, 'STRATUS_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 512 * 1024 * 1024),
      requestTimeoutMs: integer(env, 'STRATUS_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000),
      keepAliveTimeoutMs: integer(env, 'STRATUS_KEEP_ALIVE_TIMEOUT_MS', 72_000, 100, 3_600_000),
      trustProxy: trustProxy(env, 'STRATUS_TRUST_PROXY'),
      corsOrigins: list(env, 'STRATUS_CORS_ORIGINS'),
      rateLimitPerMinute: integer(env, 'STRATUS_RATE_LIMIT_PER_MINUTE', 1200, 1, 10_000_000),
      accountRateLimitPerMinute: integer(env, 'STRATUS_ACCOUNT_RATE_LIMIT_PER_MINUTE', 600, 1, 10_000_000),
    },
    publicUrl: urlWithProtocol(env, 'STRATUS_PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`,
    mail: {
      smtpUrl: urlWithProtocol(env, 'STRATUS_SMTP_URL', ['smtp:', 'smtps:']),
      from: text(env, 'STRATUS_MAIL_FROM', 'Stratus <no-reply@localhost>'),
    },
    auth: {
      sessionTtlHours: integer(env, 'STRATUS_SESSION_TTL_HOURS', 24 * 14, 1, 24 * 365),
      maxFailures: integer(env, 'STRATUS_LOGIN_MAX_FAILURES', 5, 1, 1000),
      lockoutMinutes: integer(env, 'STRATUS_LOGIN_LOCKOUT_MINUTES', 15, 1, 24 * 60),
      authRateLimitPerMinute: integer(env, 'STRATUS_AUTH_RATE_LIMIT_PER_MINUTE', 30, 1, 1_000_000),
    },
    inProcessWorker: flag(env, 'STRATUS_IN_PROCESS_WORKER', true),
    outbox: {
      pollIntervalMs: integer(env, 'STRATUS_OUTBOX_POLL_MS', 250, 10, 60_000),
      batchSize: integer(env, 'STRATUS_OUTBOX_BATCH', 50, 1, 1000),
      maxAttempts: integer(env, 'STRATUS_OUTBOX_MAX_ATTEMPTS', 10, 1, 100),
      leaseMs: integer(env, 'STRATUS_OUTBOX_LEASE_MS', 30_000, 100, 3_600_000),
    },
    shutdownGraceMs: integer(env, 'STRATUS_SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    keyRefreshMs: integer(env, 'STRATUS_KEY_REFRESH_MS', 5_000, 100, 600_000),
    drainDelayMs: integer(env, 'STRATUS_DRAIN_DELAY_MS', 0, 0, 600_000),
    workerMetricsPort: env.STRATUS_WORKER_METRICS_PORT
      ? integer(env, 'STRATUS_WORKER_METRICS_PORT', 9464, 0, 65535)
      : undefined,
    metrics: {
      token: env.STRATUS_METRICS_TOKEN || undefined,
      allow: text(env, 'STRATUS_METRICS_ALLOW', '127.0.0.1/8,::1/128')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    },
    tracing: {
      enabled: flag(env, 'STRATUS_TRACING', false),
      endpoint: urlWithProtocol(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:']),
      serviceName: text(env, 'OTEL_SERVICE_NAME', 'stratus'),
    },
    backup: {
      key: env.STRATUS_BACKUP_KEY || undefined,
      target: env.STRATUS_BACKUP_TARGET || undefined,
      s3: {
        endpoint: urlWithProtocol(env, 'STRATUS_BACKUP_S3_ENDPOINT', ['http:', 'https:']),
        region: text(env, 'STRATUS_BACKUP_S3_REGION', 'us-east-1'),
        forcePathStyle: flag(env, 'STRATUS_BACKUP_S3_PATH_STYLE', true),
      },
      retention: {
        daily: integer(env, 'STRATUS_BACKUP_KEEP_DAILY', 7, 0, 366),
        weekly: integer(env, 'STRATUS_BACKUP_KEEP_WEEKLY', 4, 0, 520),
        monthly: integer(env, 'STRATUS_BACKUP_KEEP_MONTHLY', 12, 0, 1200),
      },
      scheduled: flag(env, 'STRATUS_BACKUP_SCHEDULED', true),
    },
    costs: {
      currency: text(env, 'STRATUS_COST_CURRENCY', 'eur').toLowerCase(),
      requestsPerMillion: integer(env, 'STRATUS_PRICE_REQUESTS_PER_MILLION', 40, 0, 1e9),
      cpuHour: integer(env, 'STRATUS_PRICE_CPU_HOUR', 4, 0, 1e9),
      dbGibDay: integer(env, 'STRATUS_PRICE_DB_GIB_DAY', 1, 0, 1e9),
      eventsPerMillion: integer(env, 'STRATUS_PRICE_EVENTS_PER_MILLION', 10, 0, 1e9),
      emailsPerThousand: integer(env, 'STRATUS_PRICE_EMAILS_PER_THOUSAND', 10, 0, 1e9),
      backupGib: integer(env, 'STRATUS_PRICE_BACKUP_GIB', 2, 0, 1e9),
      webhooksPerThousand: integer(env, 'STRATUS_PRICE_WEBHOOKS_PER_THOUSAND', 1, 0, 1e9),
      fixedPerDay: integer(env, 'STRATUS_PRICE_FIXED_PER_DAY', 100, 0, 1e9),
      alertPerDay: integer(env, 'STRATUS_COST_ALERT_PER_DAY', 0, 0, 1e12),
    },
  };
}
