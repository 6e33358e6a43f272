import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type TransactionSettings,
} from 'kysely';

type Statement = BetterSqlite3.Statement<unknown[], unknown>;

/**
 * better-sqlite3 handle with prepared statements cached by SQL text. Kysely's stock driver prepares
 * every statement again, which costs about half of a point read.
 */
class StatementCache {
  readonly #db: BetterSqlite3.Database;
  readonly #statements = new Map<string, Statement>();
  readonly #max: number;

  constructor(db: BetterSqlite3.Database, max = 2000) {
    this.#db = db;
    this.#max = max;
  }

  get(sql: string): Statement {
    const cached = this.#statements.get(sql);
    // An iterating statement is busy and cannot run again until its iterator ends.
    if (cached && !cached.busy) return cached;
    const statement = this.#db.prepare(sql);
    if (!cached) {
      if (this.#statements.size >= this.#max) {
        const oldest = this.#statements.keys().next().value;
        if (oldest !== undefined) this.#statements.delete(oldest);
      }
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

type Holder = 'transaction' | 'write';

/**
 * FIFO mutex: one writer at a time on the write handle, waking exactly the next waiter. Waiters say
 * what they will run, so a transaction can hand the open SQLite transaction on to the next one.
 */
class Mutex {
  #locked = false;
  readonly #waiters: Array<{ holder: Holder; wake: () => void }> = [];

  async lock(holder: Holder): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return;
    }
    await new Promise<void>((wake) => this.#waiters.push({ holder, wake }));
  }

  /** What the next waiter will run, if anyone waits. */
  get next(): Holder | undefined {
    return this.#waiters[0]?.holder;
  }

  get locked(): boolean {
    return this.#locked;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  unlock(): void {
    const next = this.#waiters.shift();
    if (next) next.wake();
    else this.#locked = false;
  }
}

/** A transaction that ended while others queued behind it: it is settled by the shared COMMIT. */
interface Committer {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Committed transactions per physical COMMIT at most, so a steady queue still commits regularly. */
const MAX_GROUP = 32;
const SAVEPOINT = CompiledQuery.raw('savepoint stratus_tx');
const RELEASE = CompiledQuery.raw('release stratus_tx');
const ROLLBACK_TO = CompiledQuery.raw('rollback to stratus_tx');

function openHandle(file: string, busyTimeoutMs: number): BetterSqlite3.Database {
  const db = new BetterSqlite3(file, { timeout: busyTimeoutMs });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -32000');
  return db;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_RECOVERY';
}

function run(cache: StatementCache, query: CompiledQuery): QueryResult<unknown> {
  const statement = cache.get(query.sql);
  const parameters = query.parameters as unknown[];
  if (statement.reader) return { rows: statement.all(...parameters) };
  const { changes, lastInsertRowid } = statement.run(...parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

class SqliteConnection implements DatabaseConnection {
  inTransaction = false;
  constructor(private readonly driver: StratusSqliteDriver) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.driver.execute(this, query) as Promise<QueryResult<R>>;
  }

  // biome-ignore lint/correctness/useYield: streaming is not used; the interface requires the method.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported by the SQLite driver');
  }
}

/**
 * Two handles on one WAL database file:
 * - the writer runs transactions (BEGIN IMMEDIATE, so a second process waits for the write lock up
 *   front instead of failing on upgrade) and autocommit writes, one at a time behind a FIFO mutex.
 *   While another process (a CLI command, another node) holds SQLite's write lock, the writer waits
 *   with timers rather than SQLite's busy handler, which sleeps the thread: the event loop goes on
 *   serving reads and work that needs no lock. Transactions that queue behind one another share one
 *   SQLite transaction (group commit): each runs inside a savepoint, so its rollback undoes only its
 *   own writes, and each one's commit resolves only once the shared COMMIT is done, so nothing is
 *   reported committed before it is. A COMMIT writes every page its transaction changed to the WAL,
 *   and the transactions of a checkout touch mostly the same pages (the outbox, the carts), so one
 *   COMMIT for a queue of them writes a fraction of the pages;
 * - the reader runs read-only statements outside transactions, so storefront reads never queue behind
 *   a checkout transaction that is awaiting something.
 */
export class StratusSqliteDriver implements Driver {
  readonly #file: string;
  readonly #busyTimeoutMs: number;
  readonly #mutex = new Mutex();
  /** The transactions committed into the open SQLite transaction, waiting for its COMMIT. */
  #group: Committer[] = [];
  #writer!: BetterSqlite3.Database;
  #reader!: BetterSqlite3.Database;
  #writes!: StatementCache;
  #reads!: StatementCache;

  constructor(file: string, busyTimeoutMs = 5000) {
    this.#file = file;
    this.#busyTimeoutMs = busyTimeoutMs;
  }

  get writerHandle(): BetterSqlite3.Database {
    return this.#writer;
  }

  /** Handle usage for the pool gauges: the writer is busy while a transaction or write holds it. */
  stats(): { total: number; idle: number; waiting: number } {
    const total = this.#reader === this.#writer ? 1 : 2;
    return { total, idle: total - (this.#mutex.locked ? 1 : 0), waiting: this.#mutex.waiting };
  }

  async init(): Promise<void> {
    this.#writer = openHandle(this.#file, this.#busyTimeoutMs);
    // SQLITE_BUSY comes back at once; #whileBusy retries (after the WAL switch above, which may wait).
    this.#writer.pragma('busy_timeout = 0');
    this.#reader = this.#file === ':memory:' ? this.#writer : openHandle(this.#file, this.#busyTimeoutMs);
    this.#writes = new StatementCache(this.#writer);
    this.#reads = this.#reader === this.#writer ? this.#writes : new StatementCache(this.#reader);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new SqliteConnection(this);
  }

  async execute(connection: SqliteConnection, query: CompiledQuery): Promise<QueryResult<unknown>> {
    if (connection.inTransaction) return run(this.#writes, query);
    if (this.#reader !== this.#writer && this.#reads.get(query.sql).readonly) {
      // A commit on one handle empties the other's page cache (WAL), so a read on the reader after
      // any write reads every page it touches again (about 4× the cost of a warm read). While no
      // transaction holds the writer, a read goes through it instead, whose cache stays warm.
      return run(this.#mutex.locked ? this.#reads : this.#writes, query);
    }
    await this.#mutex.lock('write');
    try {
      // An autocommit write that finds the lock taken fails before changing anything: safe to repeat.
      return await this.#whileBusy(() => run(this.#writes, query));
    } finally {
      this.#mutex.unlock();
    }
  }

  async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    await this.#mutex.lock('transaction');
    try {
      // Handed an open transaction by the one before (a group), or opening one.
      if (!this.#writer.inTransaction)
        await this.#whileBusy(() => run(this.#writes, CompiledQuery.raw('begin immediate')));
      run(this.#writes, SAVEPOINT);
    } catch (error) {
      this.#finish(error);
      throw error;
    }
    (connection as SqliteConnection).inTransaction = true;
  }

  /**
   * Runs `take` (a statement that takes the write lock) again while another process holds the lock:
   * at once for the first tries (most transactions last well under a millisecond), then every
   * millisecond, until the busy timeout. In WAL mode nothing else on the writer waits for a lock:
   * statements inside a transaction already hold it, and COMMIT needs no other.
   */
  async #whileBusy<T>(take: () => T): Promise<T> {
    const deadline = performance.now() + this.#busyTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return take();
      } catch (error) {
        if (!isBusy(error) || performance.now() > deadline) throw error;
        await (attempt < 3 ? new Promise((resolve) => setImmediate(resolve)) : sleep(1));
      }
    }
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const sqlite = connection as SqliteConnection;
    sqlite.inTransaction = false;
    try {
      run(this.#writes, RELEASE);
    } catch (error) {
      this.#finish(error);
      throw error;
    }
    // Resolves once the shared COMMIT is done; rejects (and Kysely then calls rollback) if it fails.
    const committed = new Promise<void>((resolve, reject) => this.#group.push({ resolve, reject }));
    this.#finish();
    return committed;
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const sqlite = connection as SqliteConnection;
    // After a failed commit the transaction is already over, and the mutex handed on.
    if (!sqlite.inTransaction) return;
    sqlite.inTransaction = false;
    try {
      run(this.#writes, ROLLBACK_TO);
      run(this.#writes, RELEASE);
    } catch (error) {
      // An error that ended the SQLite transaction (I/O, disk full) took the group's writes with it.
      this.#finish(error);
      return;
    }
    this.#finish();
  }

  /**
   * Ends one transaction's hold on the writer. While another transaction waits and the group has
   * room, the open SQLite transaction passes to it; otherwise COMMIT, and settle every member. With
   * `failed`, the SQLite transaction is rolled back and every member waiting for the COMMIT fails.
   */
  #finish(failed?: unknown): void {
    if (
      failed === undefined &&
      this.#writer.inTransaction &&
      this.#mutex.next === 'transaction' &&
      this.#group.length < MAX_GROUP
    ) {
      this.#mutex.unlock();
      return;
    }
    const group = this.#group;
    this.#group = [];
    let error = failed;
    if (error === undefined && this.#writer.inTransaction) {
      try {
        run(this.#writes, CompiledQuery.raw('commit'));
      } catch (commitError) {
        error = commitError;
      }
    }
    // A failed COMMIT leaves SQLite inside the transaction; roll it back so the handle is reusable.
    if (this.#writer.inTransaction) this.#writer.exec('rollback');
    this.#mutex.unlock();
    for (const member of group) {
      if (error === undefined) member.resolve();
      else member.reject(error);
    }
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    if (this.#reader !== this.#writer) this.#reader?.close();
    this.#writer?.close();
  }
}

export class StratusSqliteDialect implements Dialect {
  driver: StratusSqliteDriver | undefined;
  constructor(private readonly file: string) {}
  createDriver(): Driver {
    this.driver = new StratusSqliteDriver(this.file);
    return this.driver;
  }
  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }
  createAdapter() {
    return new SqliteAdapter();
  }
  createIntrospector(db: Kysely<unknown>) {
    return new SqliteIntrospector(db);
  }
}
