import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../platform/http/context.js';
import { decodeCursor, Page, PageQuery, toPage } from '../../platform/http/pagination.js';
import { searchAudit, verifyAuditChain } from './audit.service.js';

const Entry = Type.Object({
  seq: Type.Integer(),
  id: Type.String(),
  at: Type.String(),
  actor_kind: Type.String(),
  actor_id: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  target_type: Type.Union([Type.String(), Type.Null()]),
  target_id: Type.Union([Type.String(), Type.Null()]),
  diff: Type.Union([Type.Unknown(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  user_agent: Type.Union([Type.String(), Type.Null()]),
  request_id: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.String(),
  hash: Type.String(),
});

const Search = Type.Object({
  ...PageQuery.properties,
  action: Type.Optional(Type.String({ maxLength: 200 })),
  actor_id: Type.Optional(Type.String({ maxLength: 100 })),
  target_id: Type.Optional(Type.String({ maxLength: 100 })),
  outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure')])),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
});

export const auditRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get(
    '/admin/audit-log',
    {
      schema: {
        tags: ['audit'],
        summary: 'Search the audit log, newest first',
        querystring: Search,
        response: { 200: Page(Entry) },
      },
      config: { permission: 'audit:read' },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? 20;
      const cursor = decodeCursor(q.cursor, 1);
      const rows = await searchAudit(ctx.db, {
        ...q,
        before_seq: cursor ? Number(cursor[0]) : undefined,
        limit: limit + 1,
      });
      const page = toPage(rows, limit, (row) => [row.seq]);
      return {
        ...page,
        data: page.data.map((row) => ({ ...row, diff: row.diff ? JSON.parse(row.diff) : null })),
      };
    },
  );

  app.post(
    '/admin/audit-log/verify',
    {
      schema: {
        tags: ['audit'],
        summary: 'Verify the hash chain of the whole audit log',
        response: {
          200: Type.Object({
            ok: Type.Boolean(),
            entries: Type.Integer(),
            problems: Type.Array(Type.Object({ seq: Type.Integer(), problem: Type.String() })),
          }),
        },
      },
      config: { permission: 'audit:read' },
    },
    async () => verifyAuditChain(ctx.db),
  );
};
