import type { Config } from '../src/config/config.js';
import { createPostgresPool } from '../src/platform/db/database.js';

/**
 * Load in a benchmark comes from one local address: lift the per-IP and per-account limits unless a
 * run asks for them in its own environment.
 */
export function benchEnv(
  env: Record<string, string | undefined> = process.env,
): Record<string, string | undefined> {
  return {
    ...env,
    STRATUS_RATE_LIMIT_PER_MINUTE: env.STRATUS_RATE_LIMIT_PER_MINUTE ?? '1000000',
    STRATUS_ACCOUNT_RATE_LIMIT_PER_MINUTE: env.STRATUS_ACCOUNT_RATE_LIMIT_PER_MINUTE ?? '1000000',
    STRATUS_AUTH_RATE_LIMIT_PER_MINUTE: env.STRATUS_AUTH_RATE_LIMIT_PER_MINUTE ?? '1000000',
  };
}

/**
 * On PostgreSQL, points `config` at a fresh schema of its database (pool of 20), so a run starts
 * empty and leaves the rest alone; returns the function that drops it. Nothing to do on SQLite.
 */
export async function benchSchema(config: Config): Promise<(() => Promise<void>) | undefined> {
  if (config.database.kind !== 'postgres') return undefined;
  const url = config.database.url;
  const schema = `bench_${Date.now().toString(36)}`;
  const admin = createPostgresPool(url, 1);
  await admin.query(`create schema ${schema}`);
  await admin.end();
  config.database = { ...config.database, searchPath: schema, poolMax: 20 };
  return async () => {
    const pool = createPostgresPool(url, 1);
    await pool.query(`drop schema ${schema} cascade`);
    await pool.end();
  };
}
