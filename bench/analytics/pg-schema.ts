// A throwaway PostgreSQL schema for a benchmark run, so runs never share or leave data behind.
import type { DatabaseConfig } from '../../src/config/config.js';
import { createPostgresPool } from '../../src/platform/db/database.js';

export async function benchDatabase(): Promise<{
  database: DatabaseConfig | undefined;
  drop(): Promise<void>;
}> {
  const url = process.env.BENCH_PG_URL;
  if (!url) return { database: undefined, drop: async () => {} };
  const schema = `bench_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  const admin = createPostgresPool(url, 1);
  await admin.query(`create schema ${schema}`);
  await admin.end();
  return {
    database: { kind: 'postgres', url, poolMax: 10, searchPath: schema },
    drop: async () => {
      const pool = createPostgresPool(url, 1);
      await pool.query(`drop schema if exists ${schema} cascade`);
      await pool.end();
    },
  };
}
