import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Cache } from '../../platform/cache/cache.js';

export interface CachedPage {
  status: number;
  html: string;
  etag: string;
  tags: string[];
  ttlMs: number;
  type?: string;
}

/** Strong: a hash of the exact bytes sent. */
export function etagOf(body: string): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

/**
 * A rendered page from the cache (rendering it on a miss), with a strong ETag and a 304 when the
 * client already holds it. `x-cache` says which happened.
 */
export async function sendPage(
  cache: Cache,
  request: FastifyRequest,
  reply: FastifyReply,
  key: string,
  cacheControl: string,
  render: () => Promise<CachedPage>,
): Promise<FastifyReply> {
  let page = await cache.get<CachedPage>(key);
  if (page === undefined) {
    page = await render();
    await cache.set(key, page, { tags: page.tags, ttlMs: page.ttlMs });
    reply.header('x-cache', 'miss');
  } else {
    reply.header('x-cache', 'hit');
  }
  reply
    .header('etag', page.etag)
    .header('cache-control', page.status === 200 ? cacheControl : 'no-cache')
    .header('vary', 'accept-encoding');
  if (page.status === 200 && matches(request.headers['if-none-match'], page.etag))
    return reply.code(304).send();
  return reply
    .code(page.status)
    .type(page.type ?? 'text/html; charset=utf-8')
    .send(page.html);
}
