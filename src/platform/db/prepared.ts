import { type Compilable, type CompiledQuery, createQueryId, type RootOperationNode } from 'kysely';
import { dialectOf } from './database.js';
import type { DbOrTrx } from './transaction.js';

export type Scalar = string | number | null;
export type PreparedArgs = Record<string, Scalar | readonly Scalar[]>;

const MARK = '\u0000stratus:';
const MAX_SHAPES = 256;

interface Template {
  query: RootOperationNode;
  sql: string;
  /** Per parameter: where its value comes from in the args, or the constant the build put there. */
  bind: Array<{ key: string; index?: number } | { value: unknown }>;
}

/**
 * A hot-path query whose SQL is built and compiled once per shape, then only re-bound. Building and
 * compiling a Kysely query costs more CPU than SQLite takes to run a point read (35 µs against 15 µs
 * for the storefront's price lookup), so the reads every product page makes are prepared this way.
 *
 * The shape is the dialect, the `shape` argument and the length of every array in `args`. `build`
 * must use `args` only as values (bound parameters): it is called once with markers in their place,
 * and a marker that lands anywhere but a parameter is an error at that first call. Plugins still see
 * each execution (`transformQuery` then `transformResult`, so timing and statement counts hold), but
 * a plugin that rewrites queries would not apply: ours only observe.
 *
 * ```ts
 * const byHandle = prepared((db, a: { handle: string }) =>
 *   db.selectFrom('products').select('document').where('handle', '=', a.handle));
 * const rows = await byHandle(db, { handle: 'oak-chair' });
 * ```
 */
export function prepared<A extends PreparedArgs, R>(
  build: (db: DbOrTrx, args: A, shape: string) => Compilable<R>,
): (db: DbOrTrx, args: A, shape?: string) => Promise<R[]> {
  const templates = new Map<string, Template>();
  return async (db, args, shape = '') => {
    const key = shapeKey(db, args, shape);
    let template = templates.get(key);
    if (!template) {
      // Built without plugins: they see each execution below, not this one-off compile as well.
      template = compileTemplate(build(db.withoutPlugins(), markers(args), shape).compile());
      if (templates.size < MAX_SHAPES) templates.set(key, template);
    }
    const parameters = template.bind.map((b) =>
      'value' in b ? b.value : b.index === undefined ? args[b.key] : (args[b.key] as Scalar[])[b.index],
    );
    const executor = db.getExecutor();
    const queryId = createQueryId();
    executor.transformQuery(template.query, queryId);
    const compiled: CompiledQuery<R> = { query: template.query, queryId, sql: template.sql, parameters };
    return (await executor.executeQuery(compiled)).rows;
  };
}

function shapeKey(db: DbOrTrx, args: PreparedArgs, shape: string): string {
  let key = `${dialectOf(db)}|${shape}`;
  for (const name in args) {
    const value = args[name];
    if (Array.isArray(value)) key += `|${name}:${value.length}`;
  }
  return key;
}

function markers<A extends PreparedArgs>(args: A): A {
  const out: PreparedArgs = {};
  for (const name in args) {
    const value = args[name];
    out[name] = Array.isArray(value) ? value.map((_, i) => `${MARK}${name}.${i}`) : `${MARK}${name}`;
  }
  return out as A;
}

function compileTemplate(compiled: CompiledQuery): Template {
  if (compiled.sql.includes(MARK)) throw new Error('prepared(): an argument was inlined into the SQL text');
  const bind = compiled.parameters.map((parameter) => {
    if (typeof parameter !== 'string' || !parameter.startsWith(MARK)) return { value: parameter };
    const path = parameter.slice(MARK.length);
    const dot = path.lastIndexOf('.');
    return dot < 0 ? { key: path } : { key: path.slice(0, dot), index: Number(path.slice(dot + 1)) };
  });
  return { query: compiled.query, sql: compiled.sql, bind };
}
