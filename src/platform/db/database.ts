import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresAdapter, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../../config/config.js';
import { StratusSqliteDialect } from './sqlite-driver.js';
import type { Tables } from './tables.js';

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<Tables>;

export interface Database {
  db: Db;
  dialect: Dialect;
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
    const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      dialect: 'postgres',
      ping: async () => {
        await sql`select 1`.execute(db);
      },
      destroy: () => db.destroy(),
    };
  }
  if (config.file !== ':memory:') mkdirSync(path.dirname(config.file), { recursive: true });
  const db = new Kysely<Tables>({ dialect: new StratusSqliteDialect(config.file) });
  return {
    db,
    dialect: 'sqlite',
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
