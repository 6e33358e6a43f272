// Reservation throughput and correctness under contention, in-process, on a fresh database (SQLite unless
// DATABASE_URL names PostgreSQL; with PostgreSQL, STRATUS_DB_SEARCH_PATH-free: a throwaway schema is used):
//   npx tsx bench/inventory-reserve.ts [seconds=5] [concurrency=50] [variants=20]
// Each worker reserves 1–3 random variants (multi-line carts) across 3 locations, then commits or
// releases; at the end the ledger must equal the counters and no level may be oversold.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../src/config/config.js';
import {
  commit,
  createStockLocation,
  release,
  reserve,
  setStockLevel,
} from '../src/modules/inventory/index.js';
import { createRegion } from '../src/modules/regions/index.js';
import { inTransaction } from '../src/platform/db/transaction.js';
import { createLogger } from '../src/platform/logging/logger.js';
import { createRuntime } from '../src/platform/runtime.js';
import { benchSchema } from './bench-env.js';

const seconds = Number(process.argv[2] ?? 5);
const concurrency = Number(process.argv[3] ?? 50);
const variantCount = Number(process.argv[4] ?? 20);
const dataDir = mkdtempSync(path.join(tmpdir(), 'stratus-reserve-'));
const config = loadConfig({ ...process.env, STRATUS_DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
const dropSchema = await benchSchema(config);
const runtime = await createRuntime(config, { worker: false, logger: createLogger('warn') });
const { db } = runtime.ctx;
try {
  const variants = Array.from({ length: variantCount }, (_, i) => `var_bench_${i}`);
  const region = await inTransaction(db, async (trx) => {
    const r = await createRegion(trx, {
      name: 'EU',
      currency_code: 'eur',
      tax_inclusive: true,
      default_tax_rate_bp: 2300,
      countries: ['pl'],
    });
    for (const code of ['a', 'b', 'c']) {
      const location = await createStockLocation(trx, { name: code, code, region_ids: [r.id] });
      for (const v of variants)
        await setStockLevel(trx, {
          variant_id: v,
          location_id: location.id,
          on_hand: 200,
          reason: 'seed',
          actor: 'bench',
        });
    }
    return r;
  });
  const latencies: number[] = [];
  let ok = 0;
  let short = 0;
  let n = 0;
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        const ref = `cart_${n++}`;
        const lines = Array.from({ length: 1 + (n % 3) }, (_, i) => ({
          variant_id: variants[(n * 7 + i * 13) % variants.length]!,
          quantity: 1 + ((n + i) % 4),
        }));
        const started = performance.now();
        const result = await inTransaction(db, (trx) =>
          reserve(trx, {
            lines,
            region_id: region.id,
            reference_type: 'cart',
            reference_id: ref,
            expires_at: null,
            actor: 'bench',
            reason: 'bench',
          }),
        );
        latencies.push(performance.now() - started);
        if (!result.ok) {
          short++;
          continue;
        }
        ok++;
        const reference = { reference_type: 'cart', reference_id: ref, actor: 'bench', reason: 'bench' };
        await inTransaction(db, async (trx) => {
          if (n % 2 === 0) await commit(trx, reference);
          else await release(trx, reference);
        });
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!.toFixed(1);
  const bad = await db
    .selectFrom('inventory_levels')
    .select(sql<number>`count(*)`.as('n'))
    .where((eb) => eb.or([eb(sql`on_hand - reserved`, '<', 0), eb('reserved', '<', 0)]))
    .executeTakeFirstOrThrow();
  const mismatch = await sql<{ n: number }>`
    select count(*) as n from inventory_levels l
    where l.on_hand <> (select coalesce(sum(on_hand_delta), 0) from inventory_movements m where m.variant_id = l.variant_id and m.location_id = l.location_id)
       or l.reserved <> (select coalesce(sum(reserved_delta), 0) from inventory_movements m where m.variant_id = l.variant_id and m.location_id = l.location_id)`.execute(
    db,
  );
  console.log(
    `${runtime.ctx.database.dialect}: ${latencies.length} reservations in ${seconds} s at concurrency ${concurrency} ` +
      `(${(latencies.length / seconds).toFixed(0)}/s, each followed by commit or release); ok ${ok}, short ${short}; ` +
      `reserve latency p50 ${pct(0.5)} ms p99 ${pct(0.99)} ms; oversold levels ${Number(bad.n)}, ` +
      `ledger mismatches ${Number(mismatch.rows[0]!.n)}; rss ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`,
  );
} finally {
  await runtime.close();
  await dropSchema?.();
  rmSync(dataDir, { recursive: true, force: true });
}
