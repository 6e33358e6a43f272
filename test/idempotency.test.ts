import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../src/platform/http/app.js';
import { AppError, PlatformErrors } from '../src/platform/http/errors.js';
import { claimIdempotencyKey, requestHash } from '../src/platform/http/idempotency.js';
import { createTestContext, type TestContext } from './helpers/test-context.js';

describe('Idempotency-Key', () => {
  let t: TestContext;
  let app: App;
  let executions = 0;
  let failNext = false;
  beforeAll(async () => {
    t = await createTestContext();
    app = await buildApp(t.ctx);
    const schema = {
      body: Type.Object({ amount: Type.Integer({ minimum: 1 }), note: Type.Optional(Type.String()) }),
      response: { 201: Type.Object({ id: Type.Number(), amount: Type.Integer() }) },
    };
    app.post('/store/things', { schema }, async (request, reply) => {
      executions++;
      const id = executions;
      await new Promise((resolve) => setTimeout(resolve, 30));
      if (failNext) {
        failNext = false;
        throw new Error('boom');
      }
      const { amount } = request.body as { amount: number };
      if (amount === 13) throw new AppError(PlatformErrors.CONFLICT, 'unlucky');
      return reply.code(201).send({ id, amount });
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  const post = (key: string | undefined, body: unknown) =>
    app.inject({
      method: 'POST',
      url: '/store/things',
      headers: key === undefined ? {} : { 'idempotency-key': key },
      payload: body as object,
    });

  it('replays the stored response for the same key and body, without running again', async () => {
    const before = executions;
    const first = await post('k-replay', { amount: 5, note: 'x' });
    expect(first.statusCode).toBe(201);
    const again = await post('k-replay', { note: 'x', amount: 5 });
    expect(again.statusCode).toBe(201);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(executions - before).toBe(1);
  });

  it('answers 409 IDEMPOTENCY_KEY_REUSED for the same key with a different body', async () => {
    await post('k-reuse', { amount: 5 });
    const other = await post('k-reuse', { amount: 6 });
    expect(other.statusCode).toBe(409);
    expect(other.json().error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('runs concurrent duplicates once and gives every caller the same response', async () => {
    const before = executions;
    const replies = await Promise.all(Array.from({ length: 30 }, () => post('k-race', { amount: 7 })));
    expect(new Set(replies.map((r) => r.statusCode))).toEqual(new Set([201]));
    expect(new Set(replies.map((r) => r.body)).size).toBe(1);
    expect(executions - before).toBe(1);
  });

  it('stores 4xx outcomes but lets a retry run again after a 5xx', async () => {
    const conflict = await post('k-4xx', { amount: 13 });
    expect(conflict.statusCode).toBe(409);
    const before = executions;
    expect((await post('k-4xx', { amount: 13 })).body).toBe(conflict.body);
    expect(executions).toBe(before);

    failNext = true;
    expect((await post('k-5xx', { amount: 2 })).statusCode).toBe(500);
    const retry = await post('k-5xx', { amount: 2 });
    expect(retry.statusCode).toBe(201);
    expect(executions).toBe(before + 2);
  });

  it('claims nothing for invalid bodies and rejects malformed keys', async () => {
    expect((await post('k-invalid', { amount: 0 })).statusCode).toBe(400);
    expect((await post('k-invalid', { amount: 3 })).statusCode).toBe(201);
    const bad = await post('has space', { amount: 3 });
    expect(bad.statusCode).toBe(400);
    const rows = await t.ctx.db.selectFrom('idempotency_keys').select('key').execute();
    expect(rows.map((r) => r.key)).not.toContain('has space');
  });

  it('lets a crashed claim be taken over once its lock lapses', async () => {
    const claim = { scope: 'public', key: 'k-crash', requestHash: requestHash('POST', '/x', {}) };
    expect(await claimIdempotencyKey(t.ctx.db, { ...claim, lockMs: -1 })).toEqual({ kind: 'execute' });
    expect(await claimIdempotencyKey(t.ctx.db, { ...claim, waitMs: 0 })).toEqual({ kind: 'execute' });
    await expect(claimIdempotencyKey(t.ctx.db, { ...claim, waitMs: 0 })).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_IN_USE',
    });
  });

  it('gives exactly one of several simultaneous first claims the execution, and the rest no error', async () => {
    // Claims that insert the same new key at the same instant meet in the unique indexes; only the
    // primary key may decide (a second unique index on the key once made the losers fail with 500).
    for (let round = 0; round < 100; round++) {
      const claim = { scope: 'public', key: `k-race-${round}`, requestHash: 'h', waitMs: 0 };
      const outcomes = await Promise.all(
        Array.from({ length: 3 }, () =>
          claimIdempotencyKey(t.ctx.db, claim).then(
            (result) => result.kind,
            (error: AppError) => error.code,
          ),
        ),
      );
      expect(outcomes.filter((o) => o === 'execute')).toHaveLength(1);
      expect(outcomes.filter((o) => o !== 'execute').every((o) => o === 'IDEMPOTENCY_KEY_IN_USE')).toBe(true);
    }
  });
});
