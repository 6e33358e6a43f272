import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Cache } from '../../platform/cache/cache.js';

/** Shared caches and browsers may keep a storefront read briefly; stock and sales move it on. */
export const STORE_CACHE_CONTROL = 'public, max-age=30, stale-while-revalidate=60';
const TTL_MS = 60_000;

interface Entry {
  etag: string;
  body: string;
}

/** Strong: the tag is a hash of the exact bytes sent. */
export function etagOf(body: string): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((candidate) => candidate.trim() === etag);
}

/** The cache key of a storefront GET: its exact URL (path and query string as sent). */
export function urlKey(request: FastifyRequest): string {
  return `catalog:url:${request.url}`;
}

function send(
  request: FastifyRequest,
  reply: FastifyReply,
  entry: Entry,
  state: 'hit' | 'miss',
): FastifyReply {
  reply
    .header('x-cache', state)
    .header('etag', entry.etag)
    .header('cache-control', STORE_CACHE_CONTROL)
    .header('vary', 'accept-encoding');
  if (matches(request.headers['if-none-match'], entry.etag)) return reply.code(304).send();
  return reply.type('application/json; charset=utf-8').send(entry.body);
}

/**
 * Route-level onRequest hook: a cache hit is answered before the query is validated or the handler
 * runs. Only validated requests ever fill an entry (see `sendCached`), so serving by raw URL is safe.
 */
export function cacheFastLane(cache: Cache) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const entry = await cache.get<Entry>(urlKey(request));
    return entry === undefined ? undefined : send(request, reply, entry, 'hit');
  };
}

/**
 * Serves a storefront GET from the cache (filling it on a miss) with a strong ETag, answering 304
 * when If-None-Match already holds it. The body is cached serialised, so a hit costs a lookup.
 */
export async function sendCached(
  cache: Cache,
  request: FastifyRequest,
  reply: FastifyReply,
  build: () => Promise<{ body: unknown; tags: string[] }>,
): Promise<FastifyReply> {
  const key = urlKey(request);
  const cached = await cache.get<Entry>(key);
  if (cached !== undefined) return send(request, reply, cached, 'hit');
  const built = await build();
  const body = JSON.stringify(built.body);
  const entry = { etag: etagOf(body), body };
  await cache.set(key, entry, { tags: built.tags, ttlMs: TTL_MS });
  return send(request, reply, entry, 'miss');
}
