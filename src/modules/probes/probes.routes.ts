import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../platform/http/context.js';
import { AppError, PlatformErrors } from '../../platform/http/errors.js';
import { operatorGuard } from '../../platform/metrics/metrics.routes.js';
import { createProbe, getProbe } from './probes.service.js';

const Probe = Type.Object({
  id: Type.String(),
  idempotency_key: Type.String(),
  node: Type.String(),
  created_at: Type.String(),
  delivered_at: Type.Union([Type.String(), Type.Null()]),
  deliveries: Type.Integer(),
});

export const probesRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const guard = operatorGuard(ctx.config.metrics);
  app.post(
    '/ops/probes',
    {
      onRequest: guard,
      schema: {
        tags: ['operations'],
        summary: 'Record a synthetic write and its event (drills and black-box monitoring)',
        description:
          'Guarded like /metrics. Idempotency-Key is required; a retry with the same key returns the same probe.',
        headers: Type.Object({ 'idempotency-key': Type.String({ minLength: 1, maxLength: 128 }) }),
        body: Type.Optional(
          Type.Object({ hold_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 5000 })) }),
        ),
        response: { 200: Probe, 201: Probe },
      },
    },
    async (request, reply) => {
      const { probe, created } = await createProbe(
        ctx.db,
        request.headers['idempotency-key'],
        request.body?.hold_ms ?? 0,
      );
      if (created) ctx.pokeOutbox();
      return reply.status(created ? 201 : 200).send(probe);
    },
  );
  app.get(
    '/ops/probes/:id',
    {
      onRequest: guard,
      schema: {
        tags: ['operations'],
        summary: 'A probe, with when its event was delivered',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 200: Probe },
      },
    },
    async (request) => {
      const probe = await getProbe(ctx.db, request.params.id);
      if (!probe) throw new AppError(PlatformErrors.NOT_FOUND, 'No such probe');
      return probe;
    },
  );
};
