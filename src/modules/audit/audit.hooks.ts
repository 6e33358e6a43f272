import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/http/context.js';
import { recordAuditNow } from './audit.service.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The use case records its own, richer audit entry (with a before/after diff). */
    audited?: boolean;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Every admin or API-key mutation is audited, including those of modules that record nothing
 * themselves: after the response, one entry with the actor, route, target id, outcome and request
 * facts. Anonymous requests are not recorded (a flood of 401s must not turn into writes).
 */
export async function installMutationAudit(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.addHook('onResponse', async (request, reply) => {
    const principal = request.principal;
    if (!principal || principal.kind === 'customer' || !UNSAFE.has(request.method)) return;
    if (request.routeOptions.config?.audited && reply.statusCode < 400) return;
    const params = (request.params ?? {}) as Record<string, unknown>;
    const target = Object.entries(params).find(([key]) => key === 'id' || key.endsWith('_id'));
    try {
      await recordAuditNow(
        ctx.db,
        {
          kind: principal.kind,
          id: principal.id,
          ip: request.ip,
          user_agent: request.headers['user-agent'] ?? null,
          request_id: request.id,
        },
        {
          action: `${request.method} ${request.routeOptions.url ?? '(unmatched)'}`,
          target_type: 'route',
          target_id: target ? String(target[1]) : null,
          after: { status: reply.statusCode },
          outcome: reply.statusCode < 400 ? 'success' : 'failure',
        },
      );
    } catch (error) {
      request.log.error({ err: error }, 'audit entry could not be written');
    }
  });
}
