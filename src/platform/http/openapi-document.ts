import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../config/config.js';
import { createLogger } from '../logging/logger.js';
import { createRuntime } from '../runtime.js';
import { buildApp } from './app.js';

/**
 * The API's OpenAPI document as `/openapi.json` serves it, built from `buildApp()` over a throwaway
 * SQLite store and never listening. The admin app's typed client is generated from it
 * (`npm run gen:admin-client`), and a test compares it with what that client was generated from.
 */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'stratus-openapi-'));
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', STRATUS_DATA_DIR: dataDir });
  const secrets = { sessionSecret: Buffer.alloc(32, 1), encryptionKey: Buffer.alloc(32, 2) };
  const runtime = await createRuntime(config, { worker: false, logger: createLogger('silent'), secrets });
  try {
    const app = await buildApp(runtime.ctx);
    await app.ready();
    const document = app.swagger() as unknown as Record<string, unknown>;
    await app.close();
    return document;
  } finally {
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
