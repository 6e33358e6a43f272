import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from './context.js';

const Check = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('failed')]),
  error: Type.Optional(Type.String()),
});
export const Ready = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('draining'), Type.Literal('failed')]),
  checks: Type.Record(Type.String(), Check),
});

/** Runs one readiness check with a 2 s ceiling. */
export async function probe(
  check: () => Promise<void>,
): Promise<{ status: 'ok' | 'failed'; error?: string }> {
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('timed out after 2000 ms')), 2000).unref(),
      ),
    ]);
    return { status: 'ok' };
  } catch (error) {
    return { status: 'failed', error: error instanceof Error ? error.message : String(error) };
  }
}

export const healthRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/health/live',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process serves HTTP',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: the database (and Redis, when configured) answer, and the node is not draining',
        response: { 200: Ready, 503: Ready },
      },
    },
    async (_request, reply) => {
      const checks: Record<string, { status: 'ok' | 'failed'; error?: string }> = {
        database: await probe(() => ctx.database.ping()),
      };
      if (ctx.config.redisUrl) checks.redis = await probe(() => ctx.cache.ping());
      const failed = Object.values(checks).some((c) => c.status === 'failed');
      const status = ctx.lifecycle.draining ? 'draining' : failed ? 'failed' : 'ok';
      return reply.status(status === 'ok' ? 200 : 503).send({ status, checks });
    },
  );
};
