import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresPool } from '../src/platform/db/database.js';
import { freePort } from './helpers/processes.js';
import { testDialect, testRedisUrl } from './helpers/test-context.js';

const root = path.resolve(import.meta.dirname, '..');

function startProcess(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function waitForReady(url: string, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    try {
      const res = await fetch(url);
      if (res.status === 200) return Date.now() - start;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms`);
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

// The README contract as a process test: `stratus start` on embedded SQLite serves readiness, and
// SIGTERM drains and exits cleanly. (Runs once: it exercises the embedded default.)
describe.skipIf(testDialect !== 'sqlite')('stratus process', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'stratus-proc-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts on SQLite, answers /health/ready, and shuts down on SIGTERM', async () => {
    const port = await freePort();
    const { child, output } = startProcess(['start'], {
      PORT: String(port),
      HOST: '127.0.0.1',
      STRATUS_DATA_DIR: dataDir,
    });
    const exited = exitCode(child);
    try {
      await waitForReady(`http://127.0.0.1:${port}/health/ready`, 60_000);
    } catch (error) {
      child.kill('SIGKILL');
      throw new Error(`${(error as Error).message}\n${output()}`);
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output()).toContain('shutting down');
    expect(output()).not.toMatch(/sessionSecret|encryptionKey/);
  });

  it('refuses a bad setting with one line naming the variable', async () => {
    const { child, output } = startProcess(['start'], { PORT: 'not-a-port', STRATUS_DATA_DIR: dataDir });
    expect(await exitCode(child)).toBe(1);
    expect(output().trim()).toBe('Invalid configuration: PORT must be an integer, got "not-a-port"');
  });

  it('reports migration status and the outbox from the CLI', async () => {
    const migrate = startProcess(['migrate', 'status'], { STRATUS_DATA_DIR: dataDir });
    expect(await exitCode(migrate.child)).toBe(0);
    expect(migrate.output()).toMatch(/applied\s+0001_platform/);
    const events = startProcess(['events', 'dead'], { STRATUS_DATA_DIR: dataDir });
    expect(await exitCode(events.child)).toBe(0);
    expect(events.output()).toContain('No dead letters.');
  });
});

// The scale-out configuration as a process: the same command over PostgreSQL and Redis.
describe.skipIf(testDialect !== 'postgres' || !testRedisUrl)(
  'stratus process on PostgreSQL and Redis',
  () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'stratus-proc-pg-'));
    const url = process.env.TEST_DATABASE_URL!;
    const schema = `p_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
    afterAll(async () => {
      const pool = createPostgresPool(url, 1);
      await pool.query(`drop schema if exists ${schema} cascade`);
      await pool.end();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('starts with DATABASE_URL and REDIS_URL and reports both ready', async () => {
      const pool = createPostgresPool(url, 1);
      await pool.query(`create schema ${schema}`);
      await pool.end();
      const databaseUrl = new URL(url);
      databaseUrl.searchParams.set('options', `-c search_path=${schema}`);
      const port = await freePort();
      const { child, output } = startProcess(['start'], {
        PORT: String(port),
        HOST: '127.0.0.1',
        STRATUS_DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl.toString(),
        REDIS_URL: testRedisUrl!,
      });
      const exited = exitCode(child);
      try {
        await waitForReady(`http://127.0.0.1:${port}/health/ready`, 60_000);
        const ready = (await (await fetch(`http://127.0.0.1:${port}/health/ready`)).json()) as {
          checks: object;
        };
        expect(ready.checks).toEqual({ database: { status: 'ok' }, redis: { status: 'ok' } });
      } catch (error) {
        child.kill('SIGKILL');
        throw new Error(`${(error as Error).message}\n${output()}`);
      }
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const pool2 = createPostgresPool(url, 1);
      const tables = await pool2.query(
        'select count(*)::int as n from information_schema.tables where table_schema = $1',
        [schema],
      );
      await pool2.end();
      expect(tables.rows[0].n).toBeGreaterThan(3);
    });
  },
);
