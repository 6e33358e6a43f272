import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inTransaction } from '../src/platform/db/transaction.js';
import { replayDeadLetters } from '../src/platform/events/dead-letters.js';
import { OutboxDispatcher } from '../src/platform/events/dispatcher.js';
import { emit, preparedUpdateThenEmit, updateThenEmit } from '../src/platform/events/outbox.js';
import { type DeliveredEvent, SubscriberRegistry } from '../src/platform/events/subscribers.js';
import { createLogger } from '../src/platform/logging/logger.js';
import { createTestContext, type TestContext } from './helpers/test-context.js';

const logger = createLogger('silent');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function dispatcher(
  context: TestContext,
  registry: SubscriberRegistry,
  overrides: Partial<ConstructorParameters<typeof OutboxDispatcher>[0]> = {},
) {
  return new OutboxDispatcher({
    db: context.ctx.db,
    registry,
    logger,
    pollIntervalMs: 5,
    batchSize: 20,
    maxAttempts: 3,
    leaseMs: 10_000,
    retryBaseMs: 1,
    maxRetryDelayMs: 5,
    ...overrides,
  });
}

async function deliveries(context: TestContext) {
  return context.ctx.db.selectFrom('outbox_deliveries').selectAll().orderBy('id').execute();
}

/** Each event has one pending delivery for each of the two subscribers the guarded-update tests register. */
async function expectPendingForBoth(context: TestContext, events: { id: string }[]) {
  const rows = await deliveries(context);
  for (const event of events)
    expect(
      rows
        .filter((d) => d.event_id === event.id)
        .map((d) => [d.subscriber, d.status])
        .sort(),
    ).toEqual([
      ['first', 'pending'],
      ['second', 'pending'],
    ]);
}

/**
 * A guarded bump from 0 lands once (a second one no longer matches and emits nothing), then one from 1:
 * exactly two `test.bumped` events, each pending for both subscribers.
 */
async function expectGuardedBumps(context: TestContext, bump: (from: number) => Promise<boolean>) {
  expect(await bump(0)).toBe(true);
  expect(await bump(0)).toBe(false);
  expect(await bump(1)).toBe(true);
  const events = await context.ctx.db
    .selectFrom('outbox_events')
    .select(['id', 'payload'])
    .where('topic', '=', 'test.bumped')
    .execute();
  expect(events.map((e) => JSON.parse(e.payload)).sort((a, b) => a.from - b.from)).toEqual([
    { from: 0 },
    { from: 1 },
  ]);
  await expectPendingForBoth(context, events);
}

describe('transactional outbox', () => {
  let context: TestContext;
  let registry: SubscriberRegistry;
  beforeEach(async () => {
    context = await createTestContext();
    registry = new SubscriberRegistry();
  });
  afterEach(async () => {
    await context.close();
  });

  it('updateThenEmit records the event and its deliveries only when the guarded update changed a row', async () => {
    for (const name of ['first', 'second'])
      registry.register({ name, topics: ['test.*'], handle: async () => {} });
    const { db } = context.ctx;
    await db.insertInto('counters').values({ name: 'test_guard', value: 0 }).execute();
    const bump = (from: number) =>
      updateThenEmit(
        db,
        db
          .updateTable('counters')
          .set({ value: from + 1 })
          .where('name', '=', 'test_guard')
          .where('value', '=', from),
        { topic: 'test.bumped', payload: { from } },
        registry,
      );
    await expectGuardedBumps(context, bump);
    // Without subscribers only the event is written.
    expect(
      await updateThenEmit(
        db,
        db.updateTable('counters').set({ value: 9 }).where('name', '=', 'test_guard'),
        { topic: 'other.bumped', payload: {} },
        registry,
      ),
    ).toBe(true);
    expect(
      await db.selectFrom('outbox_events').select('id').where('topic', '=', 'other.bumped').execute(),
    ).toHaveLength(1);
  });

  it('preparedUpdateThenEmit does the same with the UPDATE compiled once per shape', async () => {
    for (const name of ['first', 'second'])
      registry.register({ name, topics: ['test.*'], handle: async () => {} });
    const { db } = context.ctx;
    await db.insertInto('counters').values({ name: 'test_guard', value: 0 }).execute();
    const guarded = preparedUpdateThenEmit((db, a: { name: string; from: number; to: number }, shape) => {
      const update = db.updateTable('counters').set({ value: a.to }).where('name', '=', a.name);
      return shape === 'guarded' ? update.where('value', '=', a.from) : update;
    });
    const bump = (from: number) =>
      guarded(
        db,
        { name: 'test_guard', from, to: from + 1 },
        'guarded',
        {
          topic: 'test.bumped',
          payload: { from },
        },
        registry,
      );
    await expectGuardedBumps(context, bump);
    // Another shape, and a topic without subscribers: only the event is written.
    expect(
      await guarded(
        db,
        { name: 'test_guard', from: 0, to: 9 },
        '',
        { topic: 'other.bumped', payload: {} },
        registry,
      ),
    ).toBe(true);
    expect(
      await db.selectFrom('counters').select('value').where('name', '=', 'test_guard').executeTakeFirst(),
    ).toEqual({
      value: 9,
    });
    expect(
      await db.selectFrom('outbox_events').select('id').where('topic', '=', 'other.bumped').execute(),
    ).toHaveLength(1);
    expect(await deliveries(context)).toHaveLength(4);
  });

  it('never delivers an event emitted in a rolled-back transaction', async () => {
    const seen: unknown[] = [];
    registry.register({
      name: 'recorder',
      topics: ['test.*'],
      handle: async (event) => void seen.push(event.payload),
    });
    await expect(
      inTransaction(context.ctx.db, async (trx) => {
        await emit(trx, { topic: 'test.rolled_back', payload: { n: 1 } }, registry);
        throw new Error('use case failed after emitting');
      }),
    ).rejects.toThrow('use case failed');
    await inTransaction(context.ctx.db, (trx) =>
      emit(trx, { topic: 'test.committed', payload: { n: 2 } }, registry),
    );

    const d = dispatcher(context, registry);
    while ((await d.runOnce()) > 0);
    expect(seen).toEqual([{ n: 2 }]);
    const events = await context.ctx.db.selectFrom('outbox_events').select('topic').execute();
    expect(events.map((e) => e.topic)).toEqual(['test.committed']);
  });

  it('retries a throwing subscriber with backoff, dead-letters it, and lets others progress', async () => {
    const attempts: number[] = [];
    let healthy = 0;
    let broken = true;
    registry.register({
      name: 'flaky',
      topics: ['order.placed'],
      handle: async (event) => {
        attempts.push(event.attempt);
        if (broken) throw new Error('downstream is down');
      },
    });
    registry.register({ name: 'healthy', topics: ['order.placed'], handle: async () => void healthy++ });
    await inTransaction(context.ctx.db, (trx) =>
      emit(trx, { topic: 'order.placed', payload: { id: 'ord_1' } }, registry),
    );

    const d = dispatcher(context, registry);
    for (let i = 0; i < 50 && attempts.length < 3; i++) {
      await d.runOnce();
      await sleep(10);
    }
    await d.runOnce();
    expect(attempts).toEqual([1, 2, 3]);
    expect(healthy).toBe(1);
    const rows = await deliveries(context);
    const flaky = rows.find((r) => r.subscriber === 'flaky')!;
    expect(flaky).toMatchObject({ status: 'dead', attempts: 3, last_error: 'downstream is down' });
    expect(rows.find((r) => r.subscriber === 'healthy')!.status).toBe('done');

    // Dead letters stay put until replayed, then deliver with a fresh attempt budget.
    await sleep(20);
    expect(await d.runOnce()).toBe(0);
    broken = false;
    expect(await replayDeadLetters(context.ctx.db)).toBe(1);
    expect(await d.runOnce()).toBe(1);
    expect((await deliveries(context)).every((r) => r.status === 'done')).toBe(true);
    expect(attempts).toEqual([1, 2, 3, 1]);
  });

  it('never runs the same delivery on two workers at once, and delivers each exactly once without crashes', async () => {
    const second = await createTestContext({ shareDatabaseWith: context });
    try {
      const running = new Set<string>();
      const handled = new Map<string, number>();
      let overlaps = 0;
      const handle = async (event: DeliveredEvent) => {
        if (running.has(event.id)) overlaps++;
        running.add(event.id);
        await sleep(Math.random() * 4);
        running.delete(event.id);
        handled.set(event.id, (handled.get(event.id) ?? 0) + 1);
      };
      registry.register({ name: 'race', topics: ['race.*'], handle });
      const total = 200;
      for (let i = 0; i < total; i += 50) {
        await inTransaction(context.ctx.db, async (trx) => {
          for (let j = i; j < i + 50; j++) await emit(trx, { topic: 'race.item', payload: { j } }, registry);
        });
      }
      const a = dispatcher(context, registry, { batchSize: 7 });
      const b = dispatcher(second, registry, { batchSize: 7 });
      a.start();
      b.start();
      for (let i = 0; i < 400 && handled.size < total; i++) await sleep(25);
      await Promise.all([a.stop(), b.stop()]);
      expect(overlaps).toBe(0);
      expect(handled.size).toBe(total);
      expect([...handled.values()].every((count) => count === 1)).toBe(true);
      const owners = await context.ctx.db.selectFrom('outbox_deliveries').select('status').execute();
      expect(owners.every((r) => r.status === 'done')).toBe(true);
    } finally {
      await second.close();
    }
  });

  it('redelivers after the lease expires when a worker dies between claim and acknowledgement', async () => {
    const seen: DeliveredEvent[] = [];
    registry.register({
      name: 'once',
      topics: ['crash.test'],
      handle: async (event) => void seen.push(event),
    });
    await inTransaction(context.ctx.db, (trx) =>
      emit(trx, { topic: 'crash.test', payload: { n: 1 } }, registry),
    );

    const crashed = dispatcher(context, registry, { leaseMs: 300 });
    const claimed = await crashed.claim();
    expect(claimed).toHaveLength(1);
    // The crashed worker never acknowledges. While its lease holds, nobody else may take the delivery.
    const survivor = dispatcher(context, registry, { leaseMs: 300 });
    expect(await survivor.runOnce()).toBe(0);
    await sleep(350);
    expect(await survivor.runOnce()).toBe(1);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.attempt).toBe(2);
    // A late acknowledgement from the dead worker's claim does not overwrite the survivor's outcome.
    await crashed.process(claimed[0]!);
    const [row] = await deliveries(context);
    expect(row).toMatchObject({ status: 'done', attempts: 2, lease_owner: null });
  });
});
