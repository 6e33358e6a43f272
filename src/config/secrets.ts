import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './config.js';

export interface Secrets {
  /** Signs session cookies and single-use tokens. */
  sessionSecret: Buffer;
  /** AES-256 data key for personal data at rest. */
  encryptionKey: Buffer;
}

const FILE = 'secrets.json';

function decodeKey(name: string, value: string): Buffer {
  const key = Buffer.from(value, 'base64');
  if (key.length !== 32) throw new ConfigError(name, 'must be 32 bytes encoded as base64');
  return key;
}

/**
 * Secrets come from the environment; when unset they are generated once into the data directory
 * (mode 0600) so a laptop install needs no set-up. A fleet must set them in the environment, because
 * every node has to share them. They are never logged.
 */
export function loadSecrets(dataDir: string, env: Record<string, string | undefined> = process.env): Secrets {
  const fromEnv = {
    sessionSecret: env.STRATUS_SESSION_SECRET,
    encryptionKey: env.STRATUS_ENCRYPTION_KEY,
  };
  let stored: Record<string, string> = {};
  const file = path.join(dataDir, FILE);
  if (!fromEnv.sessionSecret || !fromEnv.encryptionKey) {
    if (existsSync(file)) {
      stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    } else {
      stored = {
        sessionSecret: randomBytes(32).toString('base64'),
        encryptionKey: randomBytes(32).toString('base64'),
      };
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    }
  }
  return {
    sessionSecret: decodeKey('STRATUS_SESSION_SECRET', fromEnv.sessionSecret ?? stored.sessionSecret ?? ''),
    encryptionKey: decodeKey('STRATUS_ENCRYPTION_KEY', fromEnv.encryptionKey ?? stored.encryptionKey ?? ''),
  };
}
