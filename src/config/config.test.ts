import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('runs embedded by default: port 8080, SQLite under ./data, in-process worker', () => {
    const config = loadConfig({}, '/srv/shop');
    expect(config.port).toBe(8080);
    expect(config.dataDir).toBe('/srv/shop/data');
    expect(config.database).toEqual({ kind: 'sqlite', file: path.join('/srv/shop/data', 'stratus.db') });
    expect(config.redisUrl).toBeUndefined();
    expect(config.inProcessWorker).toBe(true);
  });

  it('selects PostgreSQL and Redis from their URLs', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u@db:5432/shop', REDIS_URL: 'redis://cache:6379' });
    expect(config.database).toMatchObject({ kind: 'postgres', url: 'postgres://u@db:5432/shop' });
    expect(config.redisUrl).toBe('redis://cache:6379');
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL'],
    [{ STRATUS_IN_PROCESS_WORKER: 'maybe' }, 'STRATUS_IN_PROCESS_WORKER'],
  ])('stops on %o with one line naming %s', (env, variable) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(variable);
    expect(message).not.toContain('\n');
  });

  it('reads the CORS allow-list and refuses an origin with a path', () => {
    expect(
      loadConfig({ STRATUS_CORS_ORIGINS: 'https://shop.example, http://localhost:5173' }).http.corsOrigins,
    ).toEqual(['https://shop.example', 'http://localhost:5173']);
    expect(loadConfig({}).http.corsOrigins).toEqual([]);
    expect(() => loadConfig({ STRATUS_CORS_ORIGINS: 'https://shop.example/path' })).toThrow(
      'Invalid configuration: STRATUS_CORS_ORIGINS has an invalid origin "https://shop.example/path"',
    );
  });
});
