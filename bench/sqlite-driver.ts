// Point reads through Kysely on SQLite: the stock driver (prepares every statement again) against
// ours (prepared statements cached by SQL text, separate read handle). Same file, same run.
//   npx tsx bench/sqlite-driver.ts [reads]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { StratusSqliteDialect } from '../src/platform/db/sqlite-driver.js';

interface Row {
  id: string;
  title: string;
  amount: number;
}
interface Schema {
  items: Row;
}

const reads = Number(process.argv[2] ?? 200_000);
const dir = mkdtempSync(path.join(tmpdir(), 'stratus-sqlite-bench-'));
const file = path.join(dir, 'bench.db');
const setup = new BetterSqlite3(file);
setup.pragma('journal_mode = WAL');
setup.exec('create table items (id text primary key, title text not null, amount integer not null)');
const insert = setup.prepare('insert into items values (?, ?, ?)');
setup.transaction(() => {
  for (let i = 0; i < 10_000; i++) insert.run(`item_${i}`, `Item number ${i}`, i * 100);
})();
setup.close();

async function measure(name: string, db: Kysely<Schema>): Promise<number> {
  for (let i = 0; i < 2000; i++)
    await db.selectFrom('items').selectAll().where('id', '=', `item_${i}`).executeTakeFirst();
  const start = process.hrtime.bigint();
  for (let i = 0; i < reads; i++) {
    await db
      .selectFrom('items')
      .selectAll()
      .where('id', '=', `item_${i % 10_000}`)
      .executeTakeFirst();
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const rate = reads / seconds;
  console.log(`${name.padEnd(32)} ${rate.toFixed(0).padStart(8)} point reads/s`);
  await db.destroy();
  return rate;
}

const stock = await measure(
  'kysely SqliteDialect (stock)',
  new Kysely<Schema>({ dialect: new SqliteDialect({ database: new BetterSqlite3(file) }) }),
);
const ours = await measure(
  'StratusSqliteDialect (cached)',
  new Kysely<Schema>({ dialect: new StratusSqliteDialect(file) }),
);
console.log(`ratio ${(ours / stock).toFixed(2)}x`);
rmSync(dir, { recursive: true, force: true });
