import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { keyId } from '../../src/modules/backups/archive.js';
import { DirectoryStorage, peekManifest } from '../../src/modules/backups/index.js';
import { createTestContext, type TestContext } from '../helpers/test-context.js';

const BACKUP_KEY = Buffer.alloc(32, 7).toString('base64');
/** The test contexts' data key (test-context.ts): a backup key equal to it must be refused. */
const DATA_KEY = Buffer.alloc(32, 2).toString('base64');
const OLD = ['20200101T023000Z', '20200102T023000Z', '20200103T023000Z'].map(
  (stamp) => `stratus-${stamp}-0000abcd.sbk`,
);

// The worker's `backups.scheduled` job, run by the scheduler as on the leader at 02:30, with its
// settings only in the runtime's configuration (none in process.env).
describe('scheduled backups', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });

  async function scheduledRun(env: Record<string, string>) {
    const target = mkdtempSync(path.join(tmpdir(), 'stratus-scheduled-'));
    cleanup.push(() => rmSync(target, { recursive: true, force: true }));
    for (const name of OLD) writeFileSync(path.join(target, name), 'an old archive');
    const t: TestContext = await createTestContext({
      worker: true,
      env: {
        STRATUS_BACKUP_TARGET: target,
        STRATUS_BACKUP_KEEP_DAILY: '2',
        STRATUS_BACKUP_KEEP_WEEKLY: '1',
        STRATUS_BACKUP_KEEP_MONTHLY: '0',
        ...env,
      },
    });
    cleanup.push(() => t.close());
    expect(process.env.STRATUS_BACKUP_TARGET).toBeUndefined();
    const scheduler = t.runtime.worker!.scheduler;
    await scheduler.tick(); // takes leadership and schedules the jobs
    await t.ctx.db
      .updateTable('scheduled_jobs')
      .set({ next_run_at: '2000-01-01T00:00:00.000Z' })
      .where('name', '=', 'backups.scheduled')
      .execute();
    await scheduler.tick();
    const job = await t.ctx.db
      .selectFrom('scheduled_jobs')
      .selectAll()
      .where('name', '=', 'backups.scheduled')
      .executeTakeFirstOrThrow();
    return { t, target, job, files: readdirSync(target).sort() };
  }

  it('stores an encrypted archive of the database, then prunes by retention', async () => {
    const { t, target, job, files } = await scheduledRun({ STRATUS_BACKUP_KEY: BACKUP_KEY });
    expect(job).toMatchObject({ last_status: 'ok', runs: 1, failures: 0 });
    const fresh = files.filter((f) => !OLD.includes(f));
    expect(fresh).toHaveLength(1);
    // Daily 2 keeps the new one and the newest old one; weekly 1 is this week's (the new one).
    expect(files).toEqual([OLD[2], fresh[0]].sort());
    const source = await new DirectoryStorage(target).openSource(fresh[0]!);
    const manifest = await peekManifest(source).finally(() => source.close());
    expect(manifest.source_dialect).toBe(t.ctx.database.dialect);
    // Sealed under the backup key from the runtime's configuration.
    expect(manifest.key_id).toBe(keyId(Buffer.from(BACKUP_KEY, 'base64')));
    expect(manifest.tables.find((table) => table.name === 'scheduled_jobs')?.rows).toBeGreaterThan(0);
    const usage = await t.ctx.db
      .selectFrom('usage_daily')
      .select('value')
      .where('meter', '=', 'backup_bytes')
      .executeTakeFirstOrThrow();
    expect(usage.value).toBeGreaterThan(0);
  });

  it('refuses a backup key equal to the data key, writing nothing', async () => {
    const { job, files } = await scheduledRun({ STRATUS_BACKUP_KEY: DATA_KEY });
    expect(job).toMatchObject({ last_status: 'failed', failures: 1 });
    expect(job.last_error).toMatch(/STRATUS_BACKUP_KEY must differ/);
    expect(files).toEqual(OLD);
  });

  it('leaves the backup to the platform when STRATUS_BACKUP_SCHEDULED=false', async () => {
    const { job, files } = await scheduledRun({
      STRATUS_BACKUP_KEY: BACKUP_KEY,
      STRATUS_BACKUP_SCHEDULED: 'false',
    });
    expect(job).toMatchObject({ last_status: 'ok', runs: 1 });
    expect(files).toEqual(OLD);
  });
});
