import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Config, loadConfig } from '../../src/config/config.js';
import type { Secrets } from '../../src/config/secrets.js';
import { createPostgresPool } from '../../src/platform/db/database.js';
import type { App } from '../../src/platform/http/app.js';
import { buildApp } from '../../src/platform/http/app.js';
import type { AppContext } from '../../src/platform/http/context.js';
import { createLogger } from '../../src/platform/logging/logger.js';
import { createRuntime, type Runtime } from '../../src/platform/runtime.js';

export type TestDialect = 'sqlite' | 'postgres';
export const testDialect: TestDialect = process.env.STRATUS_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';
export const testRedisUrl = process.env.TEST_REDIS_URL;

export interface TestContext {
  ctx: AppContext;
  runtime: Runtime;
  config: Config;
  close(): Promise<void>;
}

const secrets: Secrets = { sessionSecret: Buffer.alloc(32, 1), encryptionKey: Buffer.alloc(32, 2) };

/**
 * A fresh database for one test context: a new SQLite file in a temp dir, or a new schema in the
 * PostgreSQL database named by TEST_DATABASE_URL. Migrated, with nothing else in it.
 */
export async function createTestContext(
  options: {
    env?: Record<string, string>;
    worker?: boolean;
    shareDatabaseWith?: TestContext;
    logger?: ReturnType<typeof createLogger>;
  } = {},
): Promise<TestContext> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'stratus-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    STRATUS_DATA_DIR: dataDir,
    // Suites drive hundreds of requests from one IP; the rate-limit tests set their own limits.
    STRATUS_RATE_LIMIT_PER_MINUTE: '1000000',
    STRATUS_ACCOUNT_RATE_LIMIT_PER_MINUTE: '1000000',
    ...options.env,
  });
  let dropSchema: (() => Promise<void>) | undefined;
  if (options.shareDatabaseWith) {
    config.database = options.shareDatabaseWith.config.database;
  } else if (testDialect === 'postgres') {
    const url = process.env.TEST_DATABASE_URL;
    if (!url) throw new Error('STRATUS_TEST_DB=postgres needs TEST_DATABASE_URL');
    const schema = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = createPostgresPool(url, 1);
    await admin.query(`create schema ${schema}`);
    await admin.end();
    config.database = { kind: 'postgres', url, poolMax: 10, searchPath: schema };
    dropSchema = async () => {
      const pool = createPostgresPool(url, 1);
      await pool.query(`drop schema if exists ${schema} cascade`);
      await pool.end();
    };
  }
  const runtime = await createRuntime(config, {
    worker: options.worker ?? false,
    logger: options.logger ?? createLogger('silent'),
    secrets,
    cachePrefix: `stratus-test:${path.basename(dataDir)}:`,
  });
  return {
    ctx: runtime.ctx,
    runtime,
    config,
    async close() {
      await runtime.close();
      await dropSchema?.();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestApp extends TestContext {
  app: App;
}

/** A test context with the HTTP app built on it, for `app.inject`. */
export async function createTestApp(options: Parameters<typeof createTestContext>[0] = {}): Promise<TestApp> {
  const context = await createTestContext(options);
  const app = await buildApp(context.ctx);
  await app.ready();
  return {
    ...context,
    app,
    async close() {
      await app.close();
      await context.close();
    },
  };
}
