import type { Config } from '../config/config.js';
import '../modules/index.js';
import { keyUsage, rotateKeys } from '../platform/crypto/key-rotation.js';
import { createRuntime } from '../platform/runtime.js';
import { UsageError } from './migrate.js';

const USAGE = 'usage: stratus keys [status | rotate [--batch <rows>] [--resume]]';

/** `stratus keys`: which data keys encrypt how many values, and rotation to a fresh key. */
export async function keys(config: Config, args: string[]): Promise<void> {
  const [action = 'status', ...rest] = args;
  const runtime = await createRuntime(config, { worker: false });
  const { db, secrets } = runtime.ctx;
  try {
    if (action === 'status') {
      const usage = await keyUsage(db, secrets);
      const rows = await db
        .selectFrom('crypto_keys')
        .select(['id', 'status', 'created_at'])
        .orderBy('created_at')
        .execute();
      for (const row of rows)
        console.log(`${row.id}\t${row.status}\t${row.created_at}\t${usage[row.id] ?? 0} values`);
      // Rows written before their columns were encrypted (carts, orders of an older version).
      if (usage.plaintext)
        console.log(
          `plaintext\t-\t-\t${usage.plaintext} values (encrypt them: stratus keys rotate --resume)`,
        );
    } else if (action === 'rotate') {
      const i = rest.indexOf('--batch');
      const batchSize = i >= 0 ? Number(rest[i + 1]) : 500;
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError(USAGE);
      // The serving nodes re-read the active key every STRATUS_KEY_REFRESH_MS (same setting as
      // theirs): the sweep repeats until a pass, begun after they all switched, finds nothing left.
      const report = await rotateKeys(db, secrets, {
        batchSize,
        resume: rest.includes('--resume'),
        settleMs: 2 * config.keyRefreshMs + 1000,
      });
      console.log(`Active key: ${report.key_id} (${report.passes} passes)`);
      for (const t of report.tables) console.log(`${t.table}\t${t.rows} rows re-encrypted`);
    } else {
      throw new UsageError(USAGE);
    }
  } finally {
    await runtime.close();
  }
}
