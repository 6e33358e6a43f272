import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import {
  BackupIntegrityError,
  type Chunk,
  compareTables,
  keyId,
  type Manifest,
  TableDigest,
} from './archive.js';

/**
 * The archive, written and read as a stream so no step holds the database in memory:
 *
 *   `SBK2` | header length (uint32 BE) | header JSON | segments | trailer JSON | trailer length | `SBKE`
 *
 * The data is NDJSON (a `{"t","c"}` line per table, then one JSON array per row; pg_dump as base64
 * `{"d"}` lines), gzip'd, then cut into 64 KiB segments each sealed with AES-256-GCM, as in the STREAM
 * construction (Tink, age): nonce = random 7-byte prefix | segment counter | last-segment flag, and
 * the header is every segment's additional data. The trailer holds the table counts and checksums
 * (and the snapshot method), known only at the end; it is the last segment's additional data too. So every segment is
 * authenticated before its plaintext is used, and an altered header or trailer, reordered or dropped
 * segments, or a truncated file all fail.
 */
const MAGIC = Buffer.from('SBK2');
const END = Buffer.from('SBKE');
const SEGMENT = 64 * 1024;
const TAG = 16;
const ROWS_PER_CHUNK = 500;

type Head = Omit<Manifest, 'tables' | 'pg_dump' | 'method'>;
interface Header extends Head {
  key_id: string;
  cipher: 'aes-256-gcm-stream';
  compression: 'gzip';
  segment_bytes: number;
  nonce_prefix: string;
}
type Trailer = Pick<Manifest, 'method' | 'tables' | 'pg_dump'>;

function nonce(prefix: Buffer, counter: number, last: boolean): Buffer {
  const iv = Buffer.alloc(12);
  prefix.copy(iv, 0, 0, 7);
  iv.writeUInt32BE(counter, 7);
  iv[11] = last ? 1 : 0;
  return iv;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** Seals its input in segments; on end, the last segment (bound to the trailer) and the trailer. */
class SegmentSealer extends Transform {
  #pending: Buffer[] = [];
  #length = 0;
  #counter = 0;
  constructor(
    private readonly key: Buffer,
    private readonly header: Buffer,
    private readonly prefix: Buffer,
    private readonly trailer: () => Buffer,
  ) {
    super();
  }
  #seal(plain: Buffer, last: boolean, aad: Buffer): Buffer {
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce(this.prefix, this.#counter++, last));
    cipher.setAAD(aad);
    return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#pending.push(chunk);
    this.#length += chunk.length;
    // Keep up to one full segment back: only the end of the input says which segment is the last.
    if (this.#length > SEGMENT) {
      let all = Buffer.concat(this.#pending);
      while (all.length > SEGMENT) {
        this.push(this.#seal(all.subarray(0, SEGMENT), false, this.header));
        all = all.subarray(SEGMENT);
      }
      this.#pending = [all];
      this.#length = all.length;
    }
    done();
  }
  override _flush(done: TransformCallback): void {
    const trailer = this.trailer();
    this.push(this.#seal(Buffer.concat(this.#pending), true, Buffer.concat([this.header, trailer])));
    this.push(Buffer.concat([trailer, u32(trailer.length), END]));
    done();
  }
}

/** Serialises `chunks` into an archive at `file`; returns the manifest and the archive's size. */
export async function writeArchive(
  file: string,
  key: Buffer,
  head: Head,
  chunks: AsyncIterable<Chunk>,
  /** Asked once every chunk is written: how the snapshot was taken (pg_dump may have failed). */
  method: () => Manifest['method'],
): Promise<{ manifest: Manifest; bytes: number }> {
  const prefix = randomBytes(7);
  const headerJson: Header = {
    ...head,
    key_id: keyId(key),
    cipher: 'aes-256-gcm-stream',
    compression: 'gzip',
    segment_bytes: SEGMENT,
    nonce_prefix: prefix.toString('base64'),
  };
  const header = Buffer.from(JSON.stringify(headerJson));
  const digests: TableDigest[] = [];
  const dump = { bytes: 0, hash: createHash('sha256') };
  const trailer = (): Trailer => ({
    method: method(),
    tables: digests.map((d) => d.toManifest()).sort((a, b) => a.name.localeCompare(b.name)),
    ...(dump.bytes > 0 ? { pg_dump: { bytes: dump.bytes, sha256: dump.hash.copy().digest('hex') } } : {}),
  });

  async function* lines(): AsyncGenerator<string> {
    let table: TableDigest | undefined;
    for await (const chunk of chunks) {
      if (chunk.kind === 'table') {
        table = new TableDigest(chunk.name);
        digests.push(table);
        yield `${JSON.stringify({ t: chunk.name, c: chunk.columns })}\n`;
      } else if (chunk.kind === 'rows') {
        if (!table) throw new Error('rows before any table');
        let text = '';
        for (const row of chunk.rows) {
          table.add(row);
          text += `${JSON.stringify(row)}\n`;
        }
        yield text;
      } else {
        dump.bytes += chunk.data.length;
        dump.hash.update(chunk.data);
        yield `${JSON.stringify({ d: chunk.data.toString('base64') })}\n`;
      }
    }
  }

  const out = createWriteStream(file, { mode: 0o600 });
  out.write(Buffer.concat([MAGIC, u32(header.length), header]));
  const sealer = new SegmentSealer(key, header, prefix, () => Buffer.from(JSON.stringify(trailer())));
  await pipeline(Readable.from(lines()), createGzip({ level: 6 }), sealer, out);
  return { manifest: { ...head, ...trailer() }, bytes: out.bytesWritten };
}

/** Random access to an archive's bytes: a file read piece by piece, or a buffer. */
export interface ArchiveSource {
  size: number;
  read(position: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

export function bufferSource(buffer: Buffer): ArchiveSource {
  return {
    size: buffer.length,
    read: async (position, length) => buffer.subarray(position, position + length),
    close: async () => {},
  };
}

export async function fileSource(file: string): Promise<ArchiveSource> {
  const handle = await openFile(file, 'r');
  const { size } = await handle.stat();
  return {
    size,
    async read(position, length) {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, position);
      return buffer.subarray(0, bytesRead);
    },
    close: () => handle.close(),
  };
}

interface Layout {
  header: Buffer;
  headerJson: Header;
  trailer: Buffer;
  manifest: Manifest;
  segmentsStart: number;
  segmentsEnd: number;
}

async function layout(source: ArchiveSource): Promise<Layout> {
  const start = await source.read(0, 8);
  if (start.length < 8 || !start.subarray(0, 4).equals(MAGIC)) {
    throw new BackupIntegrityError(
      start.subarray(0, 4).toString() === 'SBK1'
        ? 'backup is in format stratus-backup/1, which this version no longer reads'
        : 'not a Stratus backup',
    );
  }
  const headerLength = start.readUInt32BE(4);
  const end = await source.read(Math.max(0, source.size - 8), 8);
  if (source.size < 16 + headerLength || !end.subarray(4).equals(END))
    throw new BackupIntegrityError('backup is truncated');
  const trailerLength = end.readUInt32BE(0);
  const segmentsStart = 8 + headerLength;
  const segmentsEnd = source.size - 8 - trailerLength;
  if (segmentsEnd - segmentsStart < TAG) throw new BackupIntegrityError('backup is truncated');
  const header = await source.read(8, headerLength);
  const trailer = await source.read(segmentsEnd, trailerLength);
  try {
    const headerJson = JSON.parse(header.toString('utf8')) as Header;
    const { key_id, cipher, compression, segment_bytes, nonce_prefix, ...head } = headerJson;
    const manifest: Manifest = { ...head, ...(JSON.parse(trailer.toString('utf8')) as Trailer) };
    return { header, headerJson, trailer, manifest, segmentsStart, segmentsEnd };
  } catch {
    throw new BackupIntegrityError('backup header is unreadable');
  }
}

/** Reads the manifest without decrypting (for listings); it is authenticated only by `readChunks`. */
export async function peekManifest(source: ArchiveSource): Promise<Manifest & { key_id: string }> {
  const { manifest, headerJson } = await layout(source);
  return { ...manifest, key_id: headerJson.key_id };
}

async function* plaintext(source: ArchiveSource, key: Buffer, at: Layout): AsyncGenerator<Buffer> {
  const prefix = Buffer.from(at.headerJson.nonce_prefix, 'base64');
  const segment = at.headerJson.segment_bytes + TAG;
  let counter = 0;
  for (let position = at.segmentsStart; position < at.segmentsEnd; position += segment) {
    const length = Math.min(segment, at.segmentsEnd - position);
    const last = position + length === at.segmentsEnd;
    const sealed = await source.read(position, length);
    if (sealed.length !== length || length < TAG) throw new BackupIntegrityError('backup is truncated');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, nonce(prefix, counter++, last));
      decipher.setAAD(last ? Buffer.concat([at.header, at.trailer]) : at.header);
      decipher.setAuthTag(sealed.subarray(length - TAG));
      yield Buffer.concat([decipher.update(sealed.subarray(0, length - TAG)), decipher.final()]);
    } catch {
      throw new BackupIntegrityError('backup failed authentication: it was altered or is corrupt');
    }
  }
}

/**
 * Reads the archive's chunks, each segment authenticated before use, and at the end checks every
 * table's row count and checksum against the manifest: a consumer that reaches the end without an
 * error has read exactly what was backed up. Consumers that write must be able to roll back.
 */
export async function* readChunks(source: ArchiveSource, key: Buffer): AsyncGenerator<Chunk> {
  const at = await layout(source);
  if (at.headerJson.key_id !== keyId(key))
    throw new BackupIntegrityError(
      `backup was sealed with key ${at.headerJson.key_id}, not the configured key ${keyId(key)}`,
    );
  const input = Readable.from(plaintext(source, key, at));
  const gunzip = createGunzip();
  input.on('error', (error) => gunzip.destroy(error));
  input.pipe(gunzip).setEncoding('utf8');
  const digests: TableDigest[] = [];
  const dump = { bytes: 0, hash: createHash('sha256') };
  let table: TableDigest | undefined;
  let rows: unknown[][] = [];
  let rest = '';
  try {
    for await (const text of gunzip as AsyncIterable<string>) {
      const lines = (rest + text).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('[')) {
          const row = JSON.parse(line) as unknown[];
          if (!table) throw new BackupIntegrityError('backup has rows before any table');
          table.add(row);
          rows.push(row);
          if (rows.length >= ROWS_PER_CHUNK) {
            yield { kind: 'rows', rows };
            rows = [];
          }
          continue;
        }
        if (rows.length > 0) {
          yield { kind: 'rows', rows };
          rows = [];
        }
        const record = JSON.parse(line) as { t?: string; c?: string[]; d?: string };
        if (record.t !== undefined) {
          table = new TableDigest(record.t);
          digests.push(table);
          yield { kind: 'table', name: record.t, columns: record.c ?? [] };
        } else if (record.d !== undefined) {
          const data = Buffer.from(record.d, 'base64');
          dump.bytes += data.length;
          dump.hash.update(data);
          yield { kind: 'pg_dump', data };
        }
      }
    }
  } catch (error) {
    if (error instanceof BackupIntegrityError) throw error;
    throw new BackupIntegrityError(`backup data is unreadable: ${(error as Error).message}`);
  } finally {
    // A consumer that stops early (an error while restoring) must not leave the file being read.
    input.destroy();
    gunzip.destroy();
  }
  if (rest !== '') throw new BackupIntegrityError('backup data ends mid-record');
  if (rows.length > 0) yield { kind: 'rows', rows };
  compareTables(
    at.manifest.tables,
    digests.map((d) => d.toManifest()),
  );
  const expectedDump = at.manifest.pg_dump;
  if (
    (expectedDump?.bytes ?? 0) !== dump.bytes ||
    (expectedDump && expectedDump.sha256 !== dump.hash.digest('hex'))
  )
    throw new BackupIntegrityError('the pg_dump in the backup does not match its checksum');
}
