import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../db/database.js';
import { migrateToLatest } from '../db/migrator.js';
import { fieldCrypto, normaliseEmail } from './field-crypto.js';

describe('field crypto', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'stratus-crypto-'));
  let database: Database;
  const secrets = { sessionSecret: Buffer.alloc(32, 1), encryptionKey: Buffer.alloc(32, 7) };
  beforeAll(async () => {
    database = createDatabase({ kind: 'sqlite', file: path.join(dir, 'c.db') });
    await migrateToLatest(database.db);
  });
  afterAll(async () => {
    await database.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips, uses a fresh IV per value, and names its key', async () => {
    const crypto = await fieldCrypto(database.db, secrets);
    const a = crypto.encrypt('ada@example.com');
    const b = crypto.encrypt('ada@example.com');
    expect(a).not.toBe(b);
    expect(a.startsWith(`enc:v1:${crypto.activeKeyId()}:`)).toBe(true);
    expect(await crypto.decrypt(a)).toBe('ada@example.com');
    expect(await crypto.decrypt(crypto.encrypt(''))).toBe('');
    expect(await crypto.decrypt(crypto.encrypt('Zoë 🚀'))).toBe('Zoë 🚀');
  });

  it('refuses a modified ciphertext (GCM authentication)', async () => {
    const crypto = await fieldCrypto(database.db, secrets);
    const stored = crypto.encrypt('221B Baker Street');
    const body = Buffer.from(stored.split(':')[3]!, 'base64url');
    body[body.length - 1]! ^= 1;
    const tampered = `${stored.split(':').slice(0, 3).join(':')}:${body.toString('base64url')}`;
    await expect(crypto.decrypt(tampered)).rejects.toThrow();
  });

  it('gives equal blind indexes for equal normalised input, different per purpose and per master key', async () => {
    const crypto = await fieldCrypto(database.db, secrets);
    const one = crypto.blindIndex('email', normaliseEmail(' Ada@Example.com '));
    expect(one).toBe(crypto.blindIndex('email', 'ada@example.com'));
    expect(one).not.toBe(crypto.blindIndex('phone', 'ada@example.com'));
    expect(one).not.toContain('ada');
  });
});
