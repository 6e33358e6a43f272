import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../platform/http/context.js';
import { AppError } from '../../platform/http/errors.js';
import { AnalyticsErrors } from './analytics.errors.js';
import * as S from './analytics.schemas.js';
import { analyticsSettings } from './analytics.settings.js';
import { VisitorRateLimiter } from './bot-filter.js';
import { toCsv } from './csv.js';
import { eventBufferFor } from './event-buffer.js';
import { ingestBatch } from './ingest.service.js';
import {
  breakdown,
  type KpiName,
  kpisWithComparison,
  previousRange,
  searchReport,
  timeSeries,
  topCategories,
  topProducts,
  viewedNotBought,
} from './kpi.service.js';
import { keyStoreResolver, publishableKeyResolver } from './publishable-key.js';
import { realtime } from './realtime.service.js';
import { filterOf, parseRange, rangeOut } from './report-range.js';
import { TRACKER_SOURCE } from './tracker.js';

const READ = { permission: 'analytics:read' };

export const analyticsRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const settings = analyticsSettings;
  const buffer = eventBufferFor(ctx.db, ctx.logger, settings);
  const limiter = new VisitorRateLimiter(settings().maxEventsPerVisitorMinute);
  const keyStore = keyStoreResolver(ctx.db);
  app.addHook('onClose', async () => buffer.close());

  app.post(
    '/store/events',
    {
      schema: {
        tags: ['analytics'],
        summary: 'Track a batch of behaviour events (GA4 names); bad events are reported, the rest kept',
        security: [{ publishableKey: [] }],
        headers: Type.Object({ 'x-publishable-key': Type.Optional(Type.String({ maxLength: 256 })) }),
        querystring: Type.Object({ key: Type.Optional(Type.String({ maxLength: 256 })) }),
        body: S.IngestBody,
        response: { 202: S.IngestReply },
      },
    },
    async (request, reply) => {
      const key = request.headers['x-publishable-key'] ?? request.query.key;
      const channel = await publishableKeyResolver(keyStore).resolve(key);
      if (!channel)
        throw new AppError(
          AnalyticsErrors.INVALID_PUBLISHABLE_KEY,
          'Unknown, revoked or expired publishable key',
        );
      const result = await ingestBatch(
        request.body,
        { channelId: channel.channel_id, userAgent: request.headers['user-agent'], nowMs: Date.now() },
        limiter,
        buffer,
      );
      return reply.status(202).send(result);
    },
  );

  app.get('/tracker.js', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=3600').type('application/javascript; charset=utf-8');
    return TRACKER_SOURCE;
  });

  const tags = ['analytics'];

  app.get(
    '/admin/analytics/kpis',
    {
      config: READ,
      schema: {
        tags,
        summary: 'Headline KPIs with the previous period',
        querystring: S.RangeQuery,
        response: { 200: S.KpiReply },
      },
    },
    async (request) => {
      const range = parseRange(request.query, settings());
      const result = await kpisWithComparison(ctx.db, range, settings(), filterOf(request.query));
      return {
        range: rangeOut(range),
        previous_range: rangeOut(previousRange(range)),
        currency_code: settings().currency,
        ...result,
      };
    },
  );

  app.get(
    '/admin/analytics/kpis/:name',
    {
      config: READ,
      schema: {
        tags,
        summary: 'One KPI with the previous period',
        params: Type.Object({ name: S.KpiName }),
        querystring: S.RangeQuery,
        response: { 200: S.SingleKpiReply },
      },
    },
    async (request) => {
      const range = parseRange(request.query, settings());
      const name = request.params.name as KpiName;
      const r = await kpisWithComparison(ctx.db, range, settings(), filterOf(request.query));
      return {
        name,
        range: rangeOut(range),
        currency_code: settings().currency,
        value: r.current[name],
        previous: r.previous[name],
        change: r.change[name] ?? null,
      };
    },
  );

  app.get(
    '/admin/analytics/breakdown',
    {
      config: READ,
      schema: {
        tags,
        summary: 'Every KPI per value of one dimension',
        querystring: S.BreakdownQuery,
        response: { 200: S.BreakdownReply },
      },
    },
    async (request) => {
      const range = parseRange(request.query, settings());
      const data = await breakdown(
        ctx.db,
        range,
        settings(),
        request.query.dimension,
        filterOf(request.query),
      );
      return {
        range: rangeOut(range),
        dimension: request.query.dimension,
        currency_code: settings().currency,
        data,
      };
    },
  );

  app.get(
    '/admin/analytics/timeseries',
    {
      config: READ,
      schema: {
        tags,
        summary: 'One metric per hour or day',
        querystring: S.SeriesQuery,
        response: { 200: S.SeriesReply },
      },
    },
    async (request) => {
      const range = parseRange(request.query, settings());
      const interval = request.query.interval ?? 'day';
      const data = await timeSeries(
        ctx.db,
        range,
        settings(),
        request.query.metric,
        interval,
        filterOf(request.query),
        request.query.dimension,
      );
      return { range: rangeOut(range), metric: request.query.metric, interval, data };
    },
  );

  app.get(
    '/admin/analytics/funnel',
    {
      config: READ,
      schema: {
        tags,
        summary: 'view_item → add_to_cart → begin_checkout → purchase',
        querystring: S.RangeQuery,
        response: { 200: S.FunnelReply },
      },
    },
    async (request) => {
      const range = parseRange(request.query, settings());
      const r = await kpisWithComparison(ctx.db, range, settings(), filterOf(request.query));
      return { range: rangeOut(range), steps: r.current.funnel };
    },
  );

  app.get(
    '/admin/analytics/products',
    {
      config: READ,
      schema: {
        tags,
        summary: 'Top products',
        querystring: S.ProductsQuery,
        response: { 200: S.ProductsReply },
      },
    },
    async (request) => {
      const range = parseRange(request.query, settings());
      const data = await topProducts(
        ctx.db,
        range,
        settings(),
        request.query.sort ?? 'revenue',
        request.query.limit ?? 20,
        filterOf(request.query),
      );
      return { range: rangeOut(range), currency_code: settings().currency, data };
    },
  );

  app.get(
    '/admin/analytics/products/viewed-not-bought',
    {
      config: READ,
      schema: {
        tags,
        summary: 'Viewed often, rarely bought',
        querystring: S.ViewedNotBoughtQuery,
        response: { 200: S.ProductsReply },
      },
    },
    async (request) => {
      const range = parseRange(request.query, settings());
      const data = await viewedNotBought(
        ctx.db,
        range,
        settings(),
        request.query.min_views ?? 20,
        request.query.limit ?? 20,
        filterOf(request.query),
      );
      return { range: rangeOut(range), currency_code: settings().currency, data };
    },
  );

  app.get(
    '/admin/analytics/categories',
    {
      config: READ,
      schema: {
        tags,
        summary: 'Top categories by revenue',
        querystring: S.LimitQuery,
        response: { 200: S.CategoriesReply },
      },
    },
    async (request) => {
      const range = parseRange(request.query, settings());
      const data = await topCategories(
        ctx.db,
        range,
        settings(),
        request.query.limit ?? 20,
        filterOf(request.query),
      );
      return { range: rangeOut(range), currency_code: settings().currency, data };
    },
  );

  app.get(
    '/admin/analytics/searches',
    {
      config: READ,
      schema: {
        tags,
        summary: 'Top search terms and zero-result searches',
        querystring: S.LimitQuery,
        response: { 200: S.SearchesReply },
      },
    },
    async (request) => {
      const range = parseRange(request.query, settings());
      const r = await searchReport(
        ctx.db,
        range,
        settings(),
        request.query.limit ?? 20,
        filterOf(request.query),
      );
      return { range: rangeOut(range), ...r };
    },
  );

  app.get(
    '/admin/analytics/realtime',
    {
      config: READ,
      schema: {
        tags,
        summary: 'Active visitors, carts and orders in the last 30 minutes',
        response: { 200: S.RealtimeReply },
      },
    },
    async () => realtime(ctx.db, settings()),
  );

  app.get(
    '/admin/analytics/export',
    {
      config: READ,
      schema: {
        tags,
        summary: 'Any report as CSV',
        querystring: S.ExportQuery,
        response: { 200: Type.String({ description: 'text/csv' }) },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const range = parseRange(q, settings());
      const filter = filterOf(q);
      let rows: Record<string, unknown>[];
      switch (q.report) {
        case 'kpis': {
          const r = await kpisWithComparison(ctx.db, range, settings(), filter);
          rows = Object.keys(r.change).map((name) => ({
            kpi: name,
            value: r.current[name as KpiName],
            previous: r.previous[name as KpiName],
            change: r.change[name as KpiName],
          }));
          break;
        }
        case 'breakdown': {
          const data = await breakdown(ctx.db, range, settings(), q.dimension ?? 'device_class', filter);
          rows = data.map(({ funnel, ...rest }) => ({
            ...rest,
            ...Object.fromEntries(funnel.map((f) => [`funnel_${f.step}`, f.sessions])),
          }));
          break;
        }
        case 'timeseries':
          rows = await timeSeries(
            ctx.db,
            range,
            settings(),
            q.metric ?? 'sessions',
            q.interval ?? 'day',
            filter,
            q.dimension,
          );
          break;
        case 'products':
          rows = (await topProducts(
            ctx.db,
            range,
            settings(),
            q.sort ?? 'revenue',
            q.limit ?? 1000,
            filter,
          )) as never[];
          break;
        case 'categories':
          rows = await topCategories(ctx.db, range, settings(), q.limit ?? 1000, filter);
          break;
        default: {
          const r = await searchReport(ctx.db, range, settings(), q.limit ?? 1000, filter);
          rows = r.top as never[];
        }
      }
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="analytics-${q.report}.csv"`);
      return toCsv(rows);
    },
  );
};
