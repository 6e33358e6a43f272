import {
  copyFileSync,
  createReadStream,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { Config } from '../../config/config.js';
import { type ArchiveSource, fileSource } from './archive-stream.js';

/**
 * Where backups are kept. The default is a local directory; `S3Storage` speaks the S3 API, so it
 * works with AWS, MinIO, Ceph or GCS interoperability.
 *
 * @example
 *   const storage = storageFor(config.backup); // STRATUS_BACKUP_TARGET=/var/backups/stratus or s3://bucket/prefix
 *   await storage.put(name, archive);
 */
export interface BackupStorage {
  describe(): string;
  /** Stores the archive at `file` (which the storage may move) under `name`, without reading it into memory. */
  putFile(name: string, file: string): Promise<void>;
  /** A local file holding the archive; `release` removes it if it was a download. */
  fetchFile(name: string): Promise<{ file: string; release(): Promise<void> }>;
  /** Random access without fetching the whole archive (listings read only its header and trailer). */
  openSource(name: string): Promise<ArchiveSource>;
  /** Small objects and tests: the whole archive in memory. */
  put(name: string, body: Buffer): Promise<void>;
  get(name: string): Promise<Buffer>;
  /** Backup names, oldest first. */
  list(): Promise<string[]>;
  delete(name: string): Promise<void>;
}

const NAME = /^stratus-\d{8}T\d{6}Z-[a-z0-9]+\.sbk$/;

export function isBackupName(name: string): boolean {
  return NAME.test(name);
}

export class DirectoryStorage implements BackupStorage {
  constructor(private readonly dir: string) {}
  describe() {
    return this.dir;
  }
  #partial(name: string) {
    mkdirSync(this.dir, { recursive: true });
    return path.join(this.dir, `.${name}.partial`);
  }
  // Write (or move) then rename, so a crash never leaves a half-written backup under a valid name.
  async putFile(name: string, file: string) {
    const partial = this.#partial(name);
    try {
      renameSync(file, partial);
    } catch {
      copyFileSync(file, partial); // another file system
    }
    renameSync(partial, path.join(this.dir, name));
  }
  async put(name: string, body: Buffer) {
    const partial = this.#partial(name);
    writeFileSync(partial, body, { mode: 0o600 });
    renameSync(partial, path.join(this.dir, name));
  }
  #path(name: string) {
    if (!isBackupName(name)) throw new Error(`${name} is not a backup name`);
    return path.join(this.dir, name);
  }
  async fetchFile(name: string) {
    return { file: this.#path(name), release: async () => {} };
  }
  openSource(name: string) {
    return fileSource(this.#path(name));
  }
  async get(name: string) {
    return readFileSync(this.#path(name));
  }
  async list() {
    try {
      return readdirSync(this.dir).filter(isBackupName).sort();
    } catch {
      return [];
    }
  }
  async delete(name: string) {
    if (isBackupName(name)) rmSync(path.join(this.dir, name), { force: true });
  }
}

export class S3Storage implements BackupStorage {
  readonly #client: S3Client;
  constructor(
    private readonly bucket: string,
    private readonly prefix: string,
    client: S3Client,
  ) {
    this.#client = client;
  }
  describe() {
    return `s3://${this.bucket}/${this.prefix}`;
  }
  #key(name: string) {
    return `${this.prefix}${name}`;
  }
  async putFile(name: string, file: string) {
    // One PUT streams up to 5 GiB; the length must be known, which a finished file gives.
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.#key(name),
        Body: createReadStream(file),
        ContentLength: statSync(file).size,
        ContentType: 'application/octet-stream',
      }),
    );
  }
  async fetchFile(name: string) {
    const result = await this.#client.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: this.#key(name) }),
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'stratus-backup-get-'));
    const file = path.join(dir, name);
    const release = async () => rmSync(dir, { recursive: true, force: true });
    try {
      await pipeline(result.Body as Readable, createWriteStream(file, { mode: 0o600 }));
    } catch (error) {
      await release();
      throw error;
    }
    return { file, release };
  }
  /** Ranged GETs: a listing reads a few KB of each archive, not the archive. */
  async openSource(name: string): Promise<ArchiveSource> {
    const key = this.#key(name);
    const head = await this.#client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
    return {
      size: head.ContentLength ?? 0,
      read: async (position, length) => {
        if (length <= 0) return Buffer.alloc(0);
        const result = await this.#client.send(
          new GetObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Range: `bytes=${position}-${position + length - 1}`,
          }),
        );
        return Buffer.from(await result.Body!.transformToByteArray());
      },
      close: async () => {},
    };
  }
  async put(name: string, body: Buffer) {
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.#key(name),
        Body: body,
        ContentType: 'application/octet-stream',
      }),
    );
  }
  async get(name: string) {
    const result = await this.#client.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: this.#key(name) }),
    );
    return Buffer.from(await result.Body!.transformToByteArray());
  }
  async list() {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        const name = object.Key?.slice(this.prefix.length) ?? '';
        if (isBackupName(name)) names.push(name);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return names.sort();
  }
  async delete(name: string) {
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.#key(name) }));
  }
}

/** The storage named by STRATUS_BACKUP_TARGET: `s3://bucket/prefix` or a directory path. */
export function storageFor(
  backup: Config['backup'],
  env: Record<string, string | undefined> = process.env,
): BackupStorage {
  const target = backup.target;
  if (!target) throw new Error('STRATUS_BACKUP_TARGET is not set (a directory or s3://bucket/prefix)');
  if (!target.startsWith('s3://')) return new DirectoryStorage(path.resolve(target));
  const url = new URL(target);
  const prefix = url.pathname.replace(/^\//, '');
  const accessKeyId = env.STRATUS_BACKUP_S3_ACCESS_KEY_ID;
  const secretAccessKey = env.STRATUS_BACKUP_S3_SECRET_ACCESS_KEY;
  const client = new S3Client({
    region: backup.s3.region,
    forcePathStyle: backup.s3.forcePathStyle,
    // Streamed uploads would otherwise be sent `aws-chunked` with trailing checksums, which many
    // S3-compatible servers (older MinIO, Ceph, GCS interop, s3rver) store verbatim or refuse.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(backup.s3.endpoint ? { endpoint: backup.s3.endpoint } : {}),
    // Without explicit keys the SDK's default chain applies (AWS_* variables, profiles, instance roles).
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
  });
  return new S3Storage(url.hostname, prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix, client);
}
