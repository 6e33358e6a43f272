import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/processes.js';
import { testDialect } from '../helpers/test-context.js';

const root = path.resolve(import.meta.dirname, '../..');

function stratus(
  args: string[],
  env: Record<string, string>,
  stdin?: string,
): { child: ChildProcess; done: Promise<{ code: number | null; output: string }> } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  child.stdin!.end(stdin ?? '');
  const done = new Promise<{ code: number | null; output: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, output })),
  );
  return { child, done };
}

// Exercises the embedded default's processes, so it runs once (SQLite).
describe.skipIf(testDialect !== 'sqlite')('identity CLI and first start', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'stratus-cli-'));
  // keys rotate waits 2 × STRATUS_KEY_REFRESH_MS for serving nodes to switch keys; none run here.
  const env = { STRATUS_DATA_DIR: dataDir, HOST: '127.0.0.1', STRATUS_KEY_REFRESH_MS: '500' };
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('first start creates a demo owner and prints its one-time password; it can sign in', async () => {
    const port = await freePort();
    const { child, done } = stratus(['start'], { ...env, PORT: String(port) });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    const deadline = Date.now() + 20_000;
    while (!/password: \S+/.test(output) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const password = /password: (\S+)/.exec(output)?.[1];
    try {
      expect(password, output).toBeDefined();
      expect(output).toContain('demo-owner@example.com');
      const res = await fetch(`http://127.0.0.1:${port}/admin/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'demo-owner@example.com', password, transport: 'bearer' }),
      });
      expect(res.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await done;
    }
  });

  it('user create, audit verify (intact, then an edited row, then a deleted row) and keys rotate', async () => {
    const created = await stratus(
      ['user', 'create', '--email', 'first.owner@example.com', '--role', 'owner', '--password-stdin'],
      env,
      'a very long owner passphrase\n',
    ).done;
    expect(created.output).toContain('Created owner first.owner@example.com');
    expect(created.output).not.toContain('passphrase');
    expect(created.code).toBe(0);
    const weak = await stratus(
      ['user', 'create', '--email', 'x@example.com', '--role', 'owner', '--password-stdin'],
      env,
      'password\n',
    ).done;
    expect(weak.code).toBe(1);

    const rotate = await stratus(['keys', 'rotate', '--batch', '1'], env).done;
    expect(rotate.code, rotate.output).toBe(0);
    expect(rotate.output).toMatch(/staff_users\t2 rows re-encrypted/);

    const intact = await stratus(['audit', 'verify'], env).done;
    expect(intact.output).toContain('Audit log intact');
    expect(intact.code).toBe(0);
    const db = new Database(path.join(dataDir, 'stratus.db'));
    const original = db.prepare('select actor_id from audit_log where seq = 1').get() as { actor_id: string };
    db.prepare("update audit_log set actor_id = 'usr_someone_else' where seq = 1").run();
    const tampered = await stratus(['audit', 'verify'], env).done;
    expect(tampered.output).toContain('TAMPERED');
    expect(tampered.code).toBe(1);

    // The edit undone, a deleted row in the middle of the chain is found too.
    db.prepare('update audit_log set actor_id = ? where seq = 1').run(original.actor_id);
    const entries = (db.prepare('select count(*) as n from audit_log').get() as { n: number }).n;
    expect(entries).toBeGreaterThanOrEqual(3);
    db.prepare('delete from audit_log where seq = 2').run();
    db.close();
    const deleted = await stratus(['audit', 'verify'], env).done;
    expect(deleted.output).toContain('seq 3: missing entries after 1');
    expect(deleted.output).not.toContain('seq 1:');
    expect(deleted.output).toContain('TAMPERED');
    expect(deleted.code).toBe(1);
  });
});
