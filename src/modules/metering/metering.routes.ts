import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../platform/http/context.js';
import { AppError } from '../../platform/http/errors.js';
import { MeteringErrors } from './metering.errors.js';
import { dayOf } from './metering.repository.js';
import { CostQuery, CostResponse, UsageQuery, UsageResponse } from './metering.schemas.js';
import { costReport, UsageRecorder, usageReport } from './metering.service.js';

const DAY_MS = 86_400_000;

export const meteringRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  // Each API node adds the requests it answered and the CPU it used to the day's meters.
  const recorder = new UsageRecorder(ctx.db, async () => {
    const { values } = await ctx.metrics.httpRequests.get();
    return values.reduce((sum, v) => sum + v.value, 0);
  });
  recorder.start(15_000);
  app.addHook('onClose', async () => recorder.stop().catch(() => {}));

  app.get(
    '/admin/usage',
    {
      config: { permission: 'system:read' },
      schema: {
        tags: ['operations'],
        summary: 'Usage meters per UTC day (default: the last 30 days)',
        querystring: UsageQuery,
        response: { 200: UsageResponse },
      },
    },
    async (request) => {
      const to = request.query.to ?? dayOf();
      const from = request.query.from ?? dayOf(new Date(Date.parse(to) - 29 * DAY_MS));
      const span = (Date.parse(to) - Date.parse(from)) / DAY_MS;
      if (Number.isNaN(span) || span < 0 || span > 366) {
        throw new AppError(
          MeteringErrors.USAGE_RANGE_INVALID,
          'from must be before to, at most 366 days apart',
          [{ field: 'query.from', message: `${from}..${to} is not a valid range` }],
        );
      }
      return { data: await usageReport(ctx.db, from, to) };
    },
  );

  app.get(
    '/admin/costs',
    {
      config: { permission: 'system:read' },
      schema: {
        tags: ['operations'],
        summary: "A day's estimated cost: per meter, per order and per 1,000 sessions, with the alert",
        querystring: CostQuery,
        response: { 200: CostResponse },
      },
    },
    async (request) => {
      await recorder.flush();
      return costReport(ctx.db, request.query.day ?? dayOf(), ctx.config.costs);
    },
  );
};
