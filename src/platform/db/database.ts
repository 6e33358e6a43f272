import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresAdapter, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../../config/config.js';
import { StratusPostgresDialect } from './pg-dialect.js';
import { StratusSqliteDialect } from './sqlite-driver.js';
import type { Tables } from './tables.js';

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<Tables>;

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface Database {
  db: Db;
  /**
   * For read-only queries that tolerate replication lag (storefront catalog reads): the replica when
   * `DATABASE_REPLICA_URL` is set, otherwise `db`. Never use it inside a use case that writes.
   */
  reader: Db;
  dialect: Dialect;
  /** Connections (PostgreSQL pool) or handles (SQLite) in use and waiting, for metrics. */
  poolStats(): PoolStats;
  /** Cheap round trip for readiness probes. */
  ping(): Promise<void>;
  destroy(): Promise<void>;
}

// int8 (ids from count(*), sums of integer minor units) and numeric come back as strings by default;
// our amounts are integer minor units far below 2^53, so numbers are safe and simpler everywhere.
const INT8 = 20;
const NUMERIC = 1700;
const toNumber = (value: string) => Number(value);
function typeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === INT8 || oid === NUMERIC) return toNumber;
  return pg.types.getTypeParser(oid, format ?? 'text');
}

export function createPostgresPool(url: string, max: number, searchPath?: string): pg.Pool {
  return new pg.Pool({
    connectionString: url,
    max,
    types: { getTypeParser: typeParser as typeof pg.types.getTypeParser },
    ...(searchPath ? { options: `-c search_path=${searchPath}` } : {}),
  });
}

export function createDatabase(config: DatabaseConfig): Database {
  if (config.kind === 'postgres') {
    const pool = createPostgresPool(config.url, config.poolMax, config.searchPath);
    const db = new Kysely<Tables>({ dialect: new StratusPostgresDialect({ pool }) });
    // The replica's own URL carries its settings (a search_path in `options`, say).
    const replica = config.replicaUrl
      ? new Kysely<Tables>({
          dialect: new StratusPostgresDialect({
            pool: createPostgresPool(config.replicaUrl, config.poolMax),
          }),
        })
      : undefined;
    return {
      db,
      reader: replica ?? db,
      dialect: 'postgres',
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      ping: async () => {
        await sql`select 1`.execute(db);
      },
      destroy: async () => {
        await replica?.destroy();
        await db.destroy();
      },
    };
  }
  if (config.file !== ':memory:') mkdirSync(path.dirname(config.file), { recursive: true });
  const dialect = new StratusSqliteDialect(config.file);
  const db = new Kysely<Tables>({ dialect });
  return {
    db,
    reader: db,
    dialect: 'sqlite',
    poolStats: () => dialect.driver?.stats() ?? { total: 0, idle: 0, waiting: 0 },
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    destroy: () => db.destroy(),
  };
}

const dialects = new WeakMap<object, Dialect>();

/** The dialect behind a Kysely instance or transaction, for the few places SQL must differ. */
export function dialectOf(db: Kysely<unknown> | Kysely<Tables>): Dialect {
  const executor = db.getExecutor();
  let dialect = dialects.get(executor.adapter);
  if (!dialect) {
    dialect = executor.adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
    dialects.set(executor.adapter, dialect);
  }
  return dialect;
}
