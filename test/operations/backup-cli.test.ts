import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startStratus } from '../helpers/processes.js';
import { testDialect } from '../helpers/test-context.js';

async function run(args: string[], env: Record<string, string>) {
  const p = startStratus(args, { LOG_LEVEL: 'warn', ...env });
  const { code } = await p.exited;
  return { code, output: p.output() };
}

// The commands an operator (or the backup CronJob) runs, as processes on embedded SQLite.
describe.skipIf(testDialect !== 'sqlite')('stratus backup / restore CLI', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'stratus-backup-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = {
    STRATUS_DATA_DIR: path.join(dir, 'data'),
    STRATUS_BACKUP_KEY: randomBytes(32).toString('base64'),
    STRATUS_BACKUP_TARGET: path.join(dir, 'backups'),
  };

  it('backs up, lists, verifies, and restores into a new database', async () => {
    expect((await run(['migrate'], env)).code).toBe(0);
    const backup = await run(['backup'], env);
    expect(backup.code, backup.output).toBe(0);
    expect(backup.output).toMatch(/Stored stratus-\d{8}T\d{6}Z-[0-9a-f]+\.sbk in .*sqlite-online-backup/);
    // A second backup holds the first one's metered bytes (usage_daily), so it has data to check.
    expect((await run(['backup', 'run'], env)).code).toBe(0);
    const names = readdirSync(env.STRATUS_BACKUP_TARGET).sort();
    expect(names).toHaveLength(2);
    const name = names[1];
    expect((await run(['backup', 'list'], env)).output).toContain(`${name}\tsqlite`);
    const verify = await run(['backup', 'verify'], env);
    expect(verify.code, verify.output).toBe(0);
    expect(verify.output).toContain(`Backup ${name} verified.`);
    expect(verify.output).toMatch(/ok\s+usage_daily\s+1\/1 rows/);
    const target = `sqlite:${path.join(dir, 'restored', 'shop.db')}`;
    const restore = await run(['restore', name!, '--into', target], env);
    expect(restore.code, restore.output).toBe(0);
    expect(restore.output).toMatch(/Restored \d+ tables, \d+ rows/);
    // Restoring again into the same, now non-empty, database is refused with one clear line.
    const again = await run(['restore', name!, '--into', target], env);
    expect(again.code).toBe(1);
    expect(again.output).toContain('target is not empty');
  });

  it('refuses to run without a backup key', async () => {
    const result = await run(['backup'], { ...env, STRATUS_BACKUP_KEY: '' });
    expect(result.code).toBe(1);
    expect(result.output).toContain('STRATUS_BACKUP_KEY is not set');
  });
});
