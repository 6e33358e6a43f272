import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** A body held in memory whose compressed forms are made on first request and kept with it. */
export interface EncodedBody {
  raw: Buffer;
  compressible: boolean;
  gzip?: Buffer;
  br?: Buffer;
}

export type Encoding = 'br' | 'gzip' | null;

/** Bodies this small gain less from compression than the work costs. */
const MIN_COMPRESSIBLE_BYTES = 1024;

export function encodable(raw: Buffer, compressibleType: boolean): EncodedBody {
  return { raw, compressible: compressibleType && raw.length > MIN_COMPRESSIBLE_BYTES };
}

/**
 * The body in the best encoding the client accepts (brotli, then gzip), compressing once on first
 * use. `quality` trades the one-off work for size: high for build files, moderate for cached responses
 * that a write can replace at any time.
 */
export function encodedBody(
  body: EncodedBody,
  acceptEncoding: string | undefined,
  quality: 'max' | 'fast' = 'max',
): { encoding: Encoding; body: Buffer } {
  if (!body.compressible || !acceptEncoding) return { encoding: null, body: body.raw };
  const accepted = acceptEncoding.toLowerCase();
  if (/\bbr\b/.test(accepted)) {
    const level = quality === 'max' ? 9 : 5;
    body.br ??= brotliCompressSync(body.raw, { params: { [constants.BROTLI_PARAM_QUALITY]: level } });
    return { encoding: 'br', body: body.br };
  }
  if (/\bgzip\b/.test(accepted)) {
    body.gzip ??= gzipSync(body.raw, { level: quality === 'max' ? 9 : 6 });
    return { encoding: 'gzip', body: body.gzip };
  }
  return { encoding: null, body: body.raw };
}
