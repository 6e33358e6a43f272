import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../platform/http/context.js';
import { AppError } from '../../platform/http/errors.js';
import { actorFrom, requireKind } from '../identity/http.js';
import { getCustomer, IdentityErrors, identityDeps } from '../identity/index.js';
import { verifyPassword } from '../identity/passwords.js';
import {
  eraseCustomer,
  exportCustomer,
  listConsents,
  recordConsent,
  runRetention,
} from './privacy.service.js';

const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Consent = Type.Object({
  id: Type.String(),
  purpose: Type.String(),
  granted: Type.Boolean(),
  source: Type.String(),
  text_version: Type.String(),
  created_at: Type.String(),
});
const ConsentBody = Type.Object({
  purpose: Type.Union([Type.Literal('marketing_email'), Type.Literal('analytics_cookies')]),
  granted: Type.Boolean(),
  source: Type.String({ minLength: 1, maxLength: 64 }),
  text_version: Type.String({ minLength: 1, maxLength: 64 }),
});
const ExportAnswer = Type.Record(Type.String(), Type.Unknown());
const tags = ['privacy'];

export const privacyRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const deps = () => identityDeps(ctx);
  const me = { permission: 'authenticated' } as const;

  app.get(
    '/store/customers/me/export',
    {
      schema: { tags, summary: 'Download all your data as JSON', response: { 200: ExportAnswer } },
      config: me,
    },
    async (request) => exportCustomer(await deps(), requireKind(request, 'customer').id),
  );
  app.get(
    '/store/customers/me/consents',
    {
      schema: {
        tags,
        summary: 'Your consent history, newest first',
        response: { 200: Type.Object({ data: Type.Array(Consent) }) },
      },
      config: me,
    },
    async (request) => ({ data: await listConsents(ctx.db, requireKind(request, 'customer').id) }),
  );
  app.post(
    '/store/customers/me/consents',
    {
      schema: { tags, summary: 'Give or withdraw a consent', body: ConsentBody, response: { 201: Consent } },
      config: me,
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await recordConsent(ctx.db, requireKind(request, 'customer').id, request.body, actorFrom(request)),
        ),
  );
  app.post(
    '/store/customers/me/erase',
    {
      schema: {
        tags,
        summary: 'Erase your account (needs your password)',
        body: Type.Object({ password: Type.String({ minLength: 1, maxLength: 256 }) }),
        response: { 204: Type.Null() },
      },
      config: me,
    },
    async (request, reply) => {
      const principal = requireKind(request, 'customer');
      const d = await deps();
      const row = await ctx.db
        .selectFrom('customers')
        .select('password_hash')
        .where('id', '=', principal.id)
        .executeTakeFirstOrThrow();
      if (!row.password_hash || !(await verifyPassword(row.password_hash, request.body.password)))
        throw new AppError(IdentityErrors.INVALID_CREDENTIALS, 'The password is wrong');
      await eraseCustomer(d, principal.id, actorFrom(request));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/admin/customers/:id/export',
    {
      schema: { tags, summary: "Export a customer's data", params: IdParam, response: { 200: ExportAnswer } },
      config: { permission: 'customers:export' },
    },
    async (request) => exportCustomer(await deps(), request.params.id),
  );
  app.post(
    '/admin/customers/:id/erase',
    {
      schema: {
        tags,
        summary: 'Erase a customer: anonymise personal data, keep financial records',
        params: IdParam,
        response: { 204: Type.Null() },
      },
      config: { permission: 'customers:erase', audited: true },
    },
    async (request, reply) => {
      await eraseCustomer(await deps(), request.params.id, actorFrom(request));
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/admin/customers/:id/consents',
    {
      schema: { tags, params: IdParam, response: { 200: Type.Object({ data: Type.Array(Consent) }) } },
      config: { permission: 'customers:read' },
    },
    async (request) => {
      await getCustomer(await deps(), ctx.db, request.params.id);
      return { data: await listConsents(ctx.db, request.params.id) };
    },
  );
  app.post(
    '/admin/privacy/retention/run',
    {
      schema: {
        tags,
        summary: 'Run the retention purge now (it also runs daily)',
        response: {
          200: Type.Object({
            sessions: Type.Integer(),
            tokens: Type.Integer(),
            throttle: Type.Integer(),
            handlers: Type.Record(Type.String(), Type.Integer()),
          }),
        },
      },
      config: { permission: 'settings:write' },
    },
    async () => runRetention(ctx.db),
  );
};
