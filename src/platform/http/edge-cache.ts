import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Cache } from '../cache/cache.js';
import { type EncodedBody, encodable, encodedBody } from './encoded-body.js';

/**
 * A public GET response stored whole: what the edge lane and the routes answer from the cache.
 * Only a route that has validated its request fills an entry, so serving by raw URL is safe.
 */
export interface EdgeEntry {
  status: number;
  type: string;
  body: string;
  etag: string;
  cacheControl: string;
  /** The route pattern, for the metrics and the access line of a hit served by the lane. */
  route: string;
}

export interface EdgeResponse {
  status?: number;
  type: string;
  body: string;
  cacheControl: string;
  tags: string[];
  ttlMs: number;
}

/** Strong: a hash of the exact bytes sent. */
function etagOf(body: string): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

const notModified = (raw: IncomingMessage, entry: EdgeEntry) =>
  entry.status === 200 && matches(raw.headers['if-none-match'], entry.etag);

/**
 * The cache key of a response: its exact URL plus every request header a page may be built from
 * (the host, and a proxy's forwarded host and protocol, from which pages build absolute URLs).
 */
export function edgeKey(raw: IncomingMessage): string {
  const h = raw.headers;
  return `edge:${h['x-forwarded-proto'] ?? ''}|${h['x-forwarded-host'] ?? ''}|${h.host ?? ''}|${raw.url}`;
}

const bodies = new WeakMap<EdgeEntry, EncodedBody>();

/**
 * An entry's body as bytes, compressed in each encoding on the first request that accepts it and
 * kept while the cache holds the entry.
 */
function bodyOf(entry: EdgeEntry): EncodedBody {
  let body = bodies.get(entry);
  if (body === undefined) {
    body = encodable(Buffer.from(entry.body), /json|html|xml|text/.test(entry.type));
    bodies.set(entry, body);
  }
  return body;
}

function send(request: FastifyRequest, reply: FastifyReply, entry: EdgeEntry, state: 'hit' | 'miss') {
  reply
    .header('x-cache', state)
    .header('etag', entry.etag)
    .header('cache-control', entry.cacheControl)
    .header('vary', 'accept-encoding');
  if (notModified(request.raw, entry)) return reply.code(304).send();
  const { encoding, body } = encodedBody(bodyOf(entry), request.headers['accept-encoding'], 'fast');
  if (encoding) reply.header('content-encoding', encoding);
  return reply.code(entry.status).type(entry.type).send(body);
}

/**
 * Answers a public GET from the cache, building and storing the response on a miss, with a strong
 * ETag and a 304 when If-None-Match already holds it. `x-cache` says which happened.
 */
export async function sendEdgeCached(
  cache: Cache,
  request: FastifyRequest,
  reply: FastifyReply,
  build: () => Promise<EdgeResponse>,
): Promise<FastifyReply> {
  const key = edgeKey(request.raw);
  const cached = await cache.get<EdgeEntry>(key);
  if (cached !== undefined) return send(request, reply, cached, 'hit');
  const built = await build();
  const entry: EdgeEntry = {
    status: built.status ?? 200,
    type: built.type,
    body: built.body,
    etag: etagOf(built.body),
    cacheControl: built.cacheControl,
    route: request.routeOptions.url ?? '(unmatched)',
  };
  await cache.set(key, entry, { tags: built.tags, ttlMs: built.ttlMs });
  return send(request, reply, entry, 'miss');
}

/**
 * Route-level onRequest hook for requests the edge lane leaves to Fastify (cross-origin ones, or
 * injected in tests): a hit is answered before the query is validated or the handler runs. Personal
 * requests (see EdgeLaneOptions) go on to the handler.
 */
export function edgeFastLane(cache: Cache, personal: (raw: IncomingMessage) => boolean) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (personal(request.raw)) return undefined;
    const entry = cache.peekLocal<EdgeEntry>(edgeKey(request.raw));
    return entry === undefined ? undefined : send(request, reply, entry, 'hit');
  };
}

export interface EdgeLaneOptions {
  cache: Cache;
  /** Headers every response carries (the security headers). */
  headers: Readonly<Record<string, string>>;
  /** A request whose answer may be its own (a signed-in customer's prices): never from a shared entry. */
  personal(raw: IncomingMessage): boolean;
  requestId(raw: IncomingMessage): string;
  /** Metrics and the access line of a request the lane answered. */
  served(raw: IncomingMessage, requestId: string, entry: EdgeEntry, status: number, ms: number): void;
}

interface Wire {
  notModified: string[];
  identity?: string[];
  br?: string[];
  gzip?: string[];
}

/**
 * The edge lane: the HTTP server answers a same-origin GET whose response this node holds in its
 * cache straight from the stored bytes, before Fastify's pipeline, as a CDN in front of the shop
 * would. Everything else, and every request while the app closes, goes to Fastify. A hit is counted
 * in the HTTP metrics and logged like any request; like a CDN hit, it is not rate limited.
 */
export class EdgeLane {
  readonly #options: EdgeLaneOptions;
  readonly #wire = new WeakMap<EdgeEntry, Wire>();
  #open = true;

  constructor(options: EdgeLaneOptions) {
    this.#options = options;
  }

  /** From here on, requests go to Fastify, which answers 503 while it closes. */
  close(): void {
    this.#open = false;
  }

  /** A Fastify `serverFactory` with the same server settings Fastify applies to its own. */
  server(
    handler: (req: IncomingMessage, res: ServerResponse) => void,
    settings: { keepAliveTimeout: number; requestTimeout: number; connectionTimeout: number },
  ): Server {
    const server = createServer((req, res) => {
      if (!this.#serve(req, res)) handler(req, res);
    });
    server.keepAliveTimeout = settings.keepAliveTimeout;
    server.requestTimeout = settings.requestTimeout;
    server.setTimeout(settings.connectionTimeout);
    return server;
  }

  #serve(req: IncomingMessage, res: ServerResponse): boolean {
    // Cross-origin requests need the CORS decision, which only the pipeline makes.
    if (!this.#open || req.method !== 'GET' || req.headers.origin !== undefined) return false;
    if (this.#options.personal(req)) return false;
    const entry = this.#options.cache.peekLocal<EdgeEntry>(edgeKey(req));
    if (entry === undefined) return false;
    const started = performance.now();
    const requestId = this.#options.requestId(req);
    const wire = this.#wireOf(entry);
    let headers: string[];
    if (notModified(req, entry)) {
      headers = wire.notModified.slice();
      headers[1] = requestId;
      res.writeHead(304, headers).end();
    } else {
      const { encoding, body } = encodedBody(bodyOf(entry), req.headers['accept-encoding'], 'fast');
      const key = encoding ?? 'identity';
      wire[key] ??= [
        ...wire.notModified,
        'content-type',
        entry.type,
        ...(encoding ? ['content-encoding', encoding] : []),
        'content-length',
        String(body.length),
      ];
      headers = wire[key].slice();
      headers[1] = requestId;
      res.writeHead(entry.status, headers).end(body);
    }
    this.#options.served(req, requestId, entry, res.statusCode, performance.now() - started);
    return true;
  }

  /**
   * An entry's header lists as sent (the request id at index 1), worked out on its first hit and kept
   * with it, so a hit copies bytes and little else.
   */
  #wireOf(entry: EdgeEntry): Wire {
    let wire = this.#wire.get(entry);
    if (wire === undefined) {
      wire = {
        notModified: [
          'x-request-id',
          '',
          ...Object.entries(this.#options.headers).flat(),
          'x-cache',
          'hit',
          'etag',
          entry.etag,
          'cache-control',
          entry.cacheControl,
          'vary',
          'accept-encoding',
        ],
      };
      this.#wire.set(entry, wire);
    }
    return wire;
  }
}
