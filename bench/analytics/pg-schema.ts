// A throwaway PostgreSQL schema for a benchmark run, so runs never share or leave data behind; or,
// with `keep`, a named schema that is created once and kept for the next run.
import type { DatabaseConfig } from '../../src/config/config.js';
import { createPostgresPool } from '../../src/platform/db/database.js';

export async function benchDatabase(keep?: string): Promise<{
  database: DatabaseConfig | undefined;
  drop(): Promise<void>;
}> {
  const url = process.env.BENCH_PG_URL;
  if (!url) return { database: undefined, drop: async () => {} };
  if (keep !== undefined && !/^[a-z_][a-z0-9_]*$/.test(keep))
    throw new Error('a kept PostgreSQL schema name is lower-case letters, digits and _');
  const schema = keep ?? `bench_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  const admin = createPostgresPool(url, 1);
  await admin.query(`create schema if not exists ${schema}`);
  await admin.end();
  return {
    database: { kind: 'postgres', url, poolMax: 10, searchPath: schema },
    drop: async () => {
      if (keep !== undefined) return;
      const pool = createPostgresPool(url, 1);
      await pool.query(`drop schema if exists ${schema} cascade`);
      await pool.end();
    },
  };
}
