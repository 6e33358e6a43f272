import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldCrypto } from '../../src/platform/crypto/field-crypto.js';
import { keyUsage, rotateKeys } from '../../src/platform/crypto/key-rotation.js';
import { type CustomerCredentials, customerCredentials } from '../helpers/identity.js';
import { createTestApp, type TestApp } from '../helpers/test-context.js';

const REFRESH_MS = 200;
const env = {
  STRATUS_KEY_REFRESH_MS: String(REFRESH_MS),
  STRATUS_AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
};

// Two nodes over one database, each with its own key ring (as two processes would have): the
// first runs `keys rotate`, the second keeps writing customers and addresses throughout.
describe('key rotation while another node keeps writing', () => {
  let cli: TestApp;
  let node: TestApp;
  let shopper: CustomerCredentials;
  beforeAll(async () => {
    cli = await createTestApp({ env });
    node = await createTestApp({ env, shareDatabaseWith: cli });
    shopper = await customerCredentials(node);
  });
  afterAll(async () => {
    await node.close();
    await cli.close();
  });

  it('leaves no value on the retired key once rotate returns, and counts only rows it moved', async () => {
    const nodeRing = await fieldCrypto(node.ctx.db, node.ctx.secrets);
    const oldKey = nodeRing.activeKeyId();
    let stop = false;
    let writes = 0;
    const writer = (async () => {
      for (let i = 0; !stop; i++) {
        const res =
          i % 4 === 0
            ? await node.app.inject({
                method: 'POST',
                url: '/store/customers',
                payload: {
                  email: `writer-${i}@example.test`,
                  password: `a long passphrase ${i}`,
                  first_name: 'W',
                },
              })
            : await node.app.inject({
                method: 'POST',
                url: '/store/customers/me/addresses',
                headers: shopper.headers,
                payload: {
                  first_name: 'Wendy',
                  last_name: `Writer ${i}`,
                  address_1: `${i} Rotation Road`,
                  city: 'Keyham',
                  postal_code: 'K1 1EY',
                  country_code: 'gb',
                },
              });
        expect(res.statusCode, res.body).toBeLessThan(300);
        writes++;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const writesBefore = writes;
    const report = await rotateKeys(cli.ctx.db, cli.ctx.secrets, {
      batchSize: 3,
      settleMs: 2 * REFRESH_MS + 500,
    });
    const writesDuring = writes - writesBefore;
    stop = true;
    await writer;
    expect(report.key_id).not.toBe(oldKey);
    // The writing node switched to the new key by itself (its refresh), and the writes went on.
    expect(nodeRing.activeKeyId()).toBe(report.key_id);
    expect(writesDuring).toBeGreaterThan(3);
    const usage = await keyUsage(cli.ctx.db, cli.ctx.secrets);
    expect(usage[oldKey] ?? 0).toBe(0);
    expect(usage[report.key_id]).toBeGreaterThan(0);
    // The last pass was a clean one, after at least one pass that moved values.
    expect(report.passes).toBeGreaterThanOrEqual(2);
    // Rows counted are rows that exist and were re-encrypted, never more.
    const addresses = await cli.ctx.db.selectFrom('customer_addresses').select('id').execute();
    const moved = report.tables.find((r) => r.table === 'customer_addresses')!.rows;
    expect(moved).toBeGreaterThan(0);
    expect(moved).toBeLessThanOrEqual(addresses.length);
    // Reads on the writing node still decrypt everything.
    const list = await node.app.inject({ url: '/store/customers/me/addresses', headers: shopper.headers });
    expect(list.json().data.length).toBe(writes - Math.ceil(writes / 4));
  });
});
