import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSecrets } from './secrets.js';

describe('loadSecrets', () => {
  it('generates secrets once into the data dir with owner-only permissions, then reuses them', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stratus-secrets-'));
    const first = loadSecrets(dir, {});
    const second = loadSecrets(dir, {});
    expect(first.encryptionKey).toHaveLength(32);
    expect(second.encryptionKey.equals(first.encryptionKey)).toBe(true);
    expect(second.sessionSecret.equals(first.sessionSecret)).toBe(true);
    expect(statSync(path.join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(dir, 'secrets.json'), 'utf8')).toContain(
      first.encryptionKey.toString('base64'),
    );
  });

  it('prefers the environment and rejects a key of the wrong size', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'stratus-secrets-'));
    const key = Buffer.alloc(32, 7).toString('base64');
    const secrets = loadSecrets(dir, { STRATUS_SESSION_SECRET: key, STRATUS_ENCRYPTION_KEY: key });
    expect(secrets.encryptionKey.equals(Buffer.alloc(32, 7))).toBe(true);
    expect(() =>
      loadSecrets(dir, { STRATUS_SESSION_SECRET: key, STRATUS_ENCRYPTION_KEY: 'c2hvcnQ=' }),
    ).toThrow('STRATUS_ENCRYPTION_KEY');
  });
});
