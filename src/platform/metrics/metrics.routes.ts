import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Config } from '../../config/config.js';
import { AppError, PlatformErrors } from '../http/errors.js';
import type { Metrics } from './metrics.js';

function allowList(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.split('/');
    const type = isIPv6(address ?? '') ? 'ipv6' : 'ipv4';
    if (!address || (!isIPv4(address) && !isIPv6(address)))
      throw new Error(`STRATUS_METRICS_ALLOW: "${entry}" is not an address or CIDR block`);
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return list;
}

/**
 * `GET /metrics` in the Prometheus text format. A scraper is let in when it presents the configured
 * bearer token, or when its address is on the allow-list (loopback by default). Behind a proxy, set
 * STRATUS_TRUST_PROXY to the proxies in front (a hop count or CIDRs, never `true`) so the address
 * is the client's, or rely on the token.
 */
/**
 * An onRequest hook admitting operators' tools: the bearer token from STRATUS_METRICS_TOKEN, or an
 * address on STRATUS_METRICS_ALLOW (loopback by default).
 */
export function operatorGuard(config: Config['metrics']): (request: FastifyRequest) => Promise<void> {
  const allowed = allowList(config.allow);
  const digest = (value: string) => createHash('sha256').update(value).digest();
  const expected = config.token ? digest(`Bearer ${config.token}`) : undefined;
  return async (request) => {
    const presented = request.headers.authorization;
    const byToken =
      expected !== undefined && presented !== undefined && timingSafeEqual(digest(presented), expected);
    const ip = request.ip.startsWith('::ffff:') ? request.ip.slice(7) : request.ip;
    const byAddress = allowed.check(ip, isIPv6(ip) ? 'ipv6' : 'ipv4');
    if (!byToken && !byAddress) {
      throw presented
        ? new AppError(PlatformErrors.FORBIDDEN, 'Invalid operator token')
        : new AppError(PlatformErrors.UNAUTHENTICATED, 'Needs the operator token or an allowed address');
    }
  };
}

export function metricsRoutes(metrics: Metrics, config: Config['metrics']): FastifyPluginAsync {
  const guard = operatorGuard(config);
  return async (app) => {
    app.get(
      '/metrics',
      { schema: { hide: true }, logLevel: 'warn', onRequest: guard },
      async (_request, reply) => {
        const body = await metrics.scrape();
        return reply.header('content-type', metrics.registry.contentType).send(body);
      },
    );
  };
}
