import {
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type SqlBool,
  sql,
  type UnknownRow,
} from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepared } from '../src/platform/db/prepared.js';
import { inTransaction } from '../src/platform/db/transaction.js';
import { createTestContext, type TestContext } from './helpers/test-context.js';

/** Records what plugins see: one transformQuery and one transformResult per execution, same id. */
class Observer implements KyselyPlugin {
  started: object[] = [];
  finished: object[] = [];
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.started.push(args.queryId);
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.finished.push(args.queryId);
    return args.result;
  }
}

describe('prepared queries', () => {
  let t: TestContext;
  const leases = prepared((db, a: { names: string[]; owner: string }, order) =>
    db
      .selectFrom('leases')
      .select(['name', 'owner'])
      .where('name', 'in', a.names)
      .where('owner', '=', a.owner)
      .orderBy('name', order === 'desc' ? 'desc' : 'asc'),
  );

  beforeAll(async () => {
    t = await createTestContext();
    await t.ctx.db
      .insertInto('leases')
      .values(
        ['p1', 'p2', 'p3', 'p4'].map((name, i) => ({ name, owner: i % 2 ? 'odd' : 'even', expires_at: 'x' })),
      )
      .execute();
  });
  afterAll(() => t.close());

  it('re-binds the same SQL with new values, per array length and shape', async () => {
    const names = (rows: Array<{ name: string }>) => rows.map((r) => r.name);
    expect(names(await leases(t.ctx.db, { names: ['p1', 'p2', 'p3'], owner: 'even' }))).toEqual(['p1', 'p3']);
    expect(names(await leases(t.ctx.db, { names: ['p2', 'p3', 'p4'], owner: 'odd' }))).toEqual(['p2', 'p4']);
    expect(names(await leases(t.ctx.db, { names: ['p4'], owner: 'odd' }))).toEqual(['p4']);
    expect(names(await leases(t.ctx.db, { names: ['p1', 'p2', 'p3', 'p4'], owner: 'odd' }, 'desc'))).toEqual([
      'p4',
      'p2',
    ]);
    expect(await leases(t.ctx.db, { names: ['p1', 'p3'], owner: 'odd' })).toEqual([]);
  });

  it('runs inside a transaction and shows each execution to plugins', async () => {
    const observer = new Observer();
    const db = t.ctx.db.withPlugin(observer);
    await leases(db, { names: ['p1'], owner: 'even' });
    await leases(db, { names: ['p1'], owner: 'even' });
    expect(observer.started).toHaveLength(2);
    expect(observer.finished).toEqual(observer.started);
    const seen = await inTransaction(t.ctx.db, async (trx) => {
      await trx.insertInto('leases').values({ name: 'p5', owner: 'even', expires_at: 'x' }).execute();
      return leases(trx, { names: ['p5'], owner: 'even' });
    });
    expect(seen).toEqual([{ name: 'p5', owner: 'even' }]);
  });

  it('shows plugins the first execution of a shape once, not its one-off compile as well', async () => {
    const observer = new Observer();
    const db = t.ctx.db.withPlugin(observer);
    const owners = prepared((db, a: { owner: string }) =>
      db.selectFrom('leases').select('name').where('owner', '=', a.owner),
    );
    expect(await owners(db, { owner: 'odd' })).toHaveLength(2);
    expect(observer.started).toHaveLength(1);
    expect(observer.finished).toEqual(observer.started);
  });

  it('refuses a build that puts an argument into the SQL text', async () => {
    const literal = prepared((db, a: { owner: string }) =>
      db
        .selectFrom('leases')
        .select('name')
        .where(sql<SqlBool>`owner = '${sql.raw(a.owner)}'`),
    );
    await expect(literal(t.ctx.db, { owner: 'even' })).rejects.toThrow(/inlined/);
  });
});
