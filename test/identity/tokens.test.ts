import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumeToken, issueToken } from '../../src/modules/identity/tokens.js';
import { inTransaction } from '../../src/platform/db/transaction.js';
import { createTestContext, type TestContext } from '../helpers/test-context.js';

describe('single-use tokens', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext();
  });
  afterAll(async () => {
    await t.close();
  });
  const secret = () => t.ctx.secrets.sessionSecret;

  it('is consumed once even by concurrent requests, and only for its purpose', async () => {
    const token = await inTransaction(t.ctx.db, (trx) =>
      issueToken(trx, secret(), 'reset_password', 'cus_1', 60_000),
    );
    expect(
      await inTransaction(t.ctx.db, (trx) => consumeToken(trx, secret(), 'verify_email', token)),
    ).toBeNull();
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        inTransaction(t.ctx.db, (trx) => consumeToken(trx, secret(), 'reset_password', token)),
      ),
    );
    expect(results.filter((r) => r === 'cus_1')).toHaveLength(1);
    expect(results.filter((r) => r === null)).toHaveLength(7);
  });

  it('refuses expired, forged and malformed tokens', async () => {
    const expired = await inTransaction(t.ctx.db, (trx) =>
      issueToken(trx, secret(), 'verify_email', 'cus_2', -1),
    );
    const fresh = await inTransaction(t.ctx.db, (trx) =>
      issueToken(trx, secret(), 'verify_email', 'cus_2', 60_000),
    );
    const [id] = fresh.split('.');
    for (const bad of [expired, `${id}.${'A'.repeat(43)}`, 'nonsense', `${id}`, '']) {
      expect(
        await inTransaction(t.ctx.db, (trx) => consumeToken(trx, secret(), 'verify_email', bad)),
      ).toBeNull();
    }
    expect(
      await inTransaction(t.ctx.db, (trx) => consumeToken(trx, Buffer.alloc(32, 9), 'verify_email', fresh)),
    ).toBeNull();
    expect(await inTransaction(t.ctx.db, (trx) => consumeToken(trx, secret(), 'verify_email', fresh))).toBe(
      'cus_2',
    );
  });
});
