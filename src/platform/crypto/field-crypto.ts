import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { Secrets } from '../../config/secrets.js';
import type { Db } from '../db/database.js';
import { now } from '../db/time.js';

/**
 * The one place personal data is encrypted at rest. Values are AES-256-GCM with a random 96-bit IV,
 * stored as `enc:v1:<key id>:<base64url(iv | tag | ciphertext)>`. Data keys live in `crypto_keys`,
 * wrapped by the master key (STRATUS_ENCRYPTION_KEY); rotation adds a new active data key and
 * re-encrypts in batches (see key-rotation.ts) while old keys keep decrypting.
 *
 * Lookups never decrypt: `blindIndex` is an HMAC-SHA256 under a key derived from the master key, so
 * equal normalised inputs give equal indexes and rotation of data keys leaves indexes untouched.
 *
 * ```ts
 * const crypto = await fieldCrypto(ctx.db, ctx.secrets);
 * const stored = crypto.encrypt('ada@example.com');
 * const plain = await crypto.decrypt(stored);
 * ```
 */
export interface FieldCrypto {
  encrypt(plaintext: string): string;
  encryptNullable(plaintext: string | null | undefined): string | null;
  decrypt(stored: string): Promise<string>;
  decryptNullable(stored: string | null): Promise<string | null>;
  /**
   * Like `decryptNullable`, but a value without the `enc:` prefix is returned as it is: a legacy
   * plaintext value written before its column was encrypted (until `stratus keys rotate` encrypts it).
   */
  decryptLegacy(stored: string | null): Promise<string | null>;
  /** Key id a stored value was encrypted with. */
  keyIdOf(stored: string): string;
  activeKeyId(): string;
  blindIndex(purpose: string, value: string): string;
  /** Re-reads the key ring (after a rotation on another node). */
  reload(): Promise<void>;
  /** Re-reads the ring only if another process made a different key active (one cheap query). */
  refresh(): Promise<void>;
}

const PREFIX = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

function seal(key: Buffer, plaintext: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function open(key: Buffer, sealed: Buffer): Buffer {
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}

function derive(master: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));
}

/** Whether a stored value is a fieldCrypto value (rather than legacy plaintext). */
export function isEncrypted(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

export class UnknownKeyError extends Error {}

class KeyRing implements FieldCrypto {
  private keys = new Map<string, Buffer>();
  private active = '';
  private readonly wrapKey: Buffer;
  private readonly indexKey: Buffer;

  constructor(
    private readonly db: Db,
    master: Buffer,
  ) {
    this.wrapKey = derive(master, 'stratus key wrapping v1');
    this.indexKey = derive(master, 'stratus blind index v1');
  }

  async reload(): Promise<void> {
    let rows = await this.db.selectFrom('crypto_keys').selectAll().orderBy('created_at').execute();
    if (rows.length === 0) {
      // First start: a fixed id makes concurrent first starts agree on one key.
      await this.db
        .insertInto('crypto_keys')
        .values({ id: 'k1', wrapped_key: this.wrap(randomBytes(32)), status: 'active', created_at: now() })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      rows = await this.db.selectFrom('crypto_keys').selectAll().orderBy('created_at').execute();
    }
    const keys = new Map<string, Buffer>();
    let active = '';
    for (const row of rows) {
      keys.set(row.id, this.unwrap(row.wrapped_key));
      if (row.status === 'active') active = row.id;
    }
    this.keys = keys;
    this.active = active || rows[rows.length - 1]!.id;
  }

  async refresh(): Promise<void> {
    const row = await this.db
      .selectFrom('crypto_keys')
      .select('id')
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (row && (row.id !== this.active || !this.keys.has(row.id))) await this.reload();
  }

  wrap(key: Buffer): string {
    return seal(this.wrapKey, key).toString('base64url');
  }

  private unwrap(wrapped: string): Buffer {
    return open(this.wrapKey, Buffer.from(wrapped, 'base64url'));
  }

  activeKeyId(): string {
    return this.active;
  }

  encrypt(plaintext: string): string {
    const key = this.keys.get(this.active)!;
    return `${PREFIX}${this.active}:${seal(key, Buffer.from(plaintext, 'utf8')).toString('base64url')}`;
  }

  encryptNullable(plaintext: string | null | undefined): string | null {
    return plaintext === null || plaintext === undefined ? null : this.encrypt(plaintext);
  }

  keyIdOf(stored: string): string {
    if (!stored.startsWith(PREFIX)) throw new Error('not an encrypted value');
    return stored.slice(PREFIX.length, stored.indexOf(':', PREFIX.length));
  }

  async decrypt(stored: string): Promise<string> {
    const kid = this.keyIdOf(stored);
    let key = this.keys.get(kid);
    if (!key) {
      await this.reload();
      key = this.keys.get(kid);
      if (!key) throw new UnknownKeyError(`unknown data key ${kid}`);
    }
    const body = Buffer.from(stored.slice(PREFIX.length + kid.length + 1), 'base64url');
    return open(key, body).toString('utf8');
  }

  async decryptNullable(stored: string | null): Promise<string | null> {
    return stored === null ? null : this.decrypt(stored);
  }

  async decryptLegacy(stored: string | null): Promise<string | null> {
    return stored === null || !isEncrypted(stored) ? stored : this.decrypt(stored);
  }

  blindIndex(purpose: string, value: string): string {
    return createHmac('sha256', this.indexKey).update(`${purpose}\0${value}`).digest('base64url');
  }
}

const rings = new WeakMap<Db, Promise<KeyRing>>();

/** The key ring for a database, loaded once per process and shared by every module. */
export function fieldCrypto(db: Db, secrets: Secrets): Promise<FieldCrypto & { wrap(key: Buffer): string }> {
  let ring = rings.get(db);
  if (!ring) {
    const created = new KeyRing(db, secrets.encryptionKey);
    ring = created.reload().then(() => created);
    ring.catch(() => rings.delete(db));
    rings.set(db, ring);
  }
  return ring;
}

/**
 * Keeps this process's ring current: every `intervalMs` it checks which data key is active and
 * reloads when another process (`stratus keys rotate`, another node) changed it, so new writes move
 * to the new key within one interval even on a node that never meets a value under an unknown key.
 * Returns the stop function (call it before the database closes).
 */
export function keepKeyRingFresh(
  db: Db,
  secrets: Secrets,
  intervalMs: number,
  onError: (error: unknown) => void = () => {},
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    fieldCrypto(db, secrets)
      .then((ring) => ring.refresh())
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Normalises an email for its blind index: case and surrounding space never matter for lookup. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
