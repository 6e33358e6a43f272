import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { inTransaction } from '../../platform/db/transaction.js';
import type { AppContext } from '../../platform/http/context.js';
import { decodeCursor, Page, PageQuery, toPage } from '../../platform/http/pagination.js';
import { recordAudit } from '../audit/index.js';
import { listAddresses } from './addresses.service.js';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.service.js';
import { getCustomer, listCustomers, updateCustomer } from './customers.service.js';
import { identityDeps } from './deps.js';
import { createGroup, deleteGroup, listGroups, renameGroup } from './groups.service.js';
import { actorFrom, principalOf } from './http.js';
import * as S from './identity.schemas.js';
import { PERMISSIONS } from './permissions.js';
import { createRole, deleteRole, listRoles, updateRole } from './roles.service.js';
import { listSessions, revokeAllSessions } from './sessions.service.js';
import { getSettings, putSettings } from './settings.js';
import {
  getStaffRow,
  inviteStaff,
  listInvitations,
  listStaff,
  revokeInvitation,
  staffView,
  updateStaff,
} from './staff.service.js';

const RoleName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9_]+$' });

/** Staff, roles, invitations, API keys, customers and groups, and security settings. */
export const adminIdentityRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const deps = () => identityDeps(ctx);
  const can = (permission: string) => ({ permission, audited: true });

  // ---- staff
  app.get(
    '/admin/staff',
    {
      schema: { tags: ['staff'], querystring: PageQuery, response: { 200: Page(S.Staff) } },
      config: can('staff:read'),
    },
    async (request) => {
      const limit = request.query.limit ?? 20;
      const cursor = decodeCursor(request.query.cursor, 1);
      const rows = await listStaff(await deps(), limit + 1, cursor ? String(cursor[0]) : undefined);
      return toPage(rows, limit, (row) => [row.id]);
    },
  );
  app.get(
    '/admin/staff/:id',
    { schema: { tags: ['staff'], params: S.IdParam, response: { 200: S.Staff } }, config: can('staff:read') },
    async (request) => staffView(await deps(), ctx.db, await getStaffRow(ctx.db, request.params.id)),
  );
  app.patch(
    '/admin/staff/:id',
    {
      schema: {
        tags: ['staff'],
        params: S.IdParam,
        body: Type.Object(
          {
            role: Type.Optional(Type.String({ maxLength: 64 })),
            status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
            name: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: { 200: S.Staff },
      },
      config: can('staff:write'),
    },
    async (request) =>
      updateStaff(await deps(), principalOf(request), request.params.id, request.body, actorFrom(request)),
  );
  app.get(
    '/admin/staff/:id/sessions',
    {
      schema: {
        tags: ['staff'],
        params: S.IdParam,
        response: { 200: Type.Object({ data: Type.Array(S.Session) }) },
      },
      config: can('staff:read'),
    },
    async (request) => ({
      data: await listSessions(ctx.db, await deps(), 'staff', request.params.id, undefined),
    }),
  );
  app.delete(
    '/admin/staff/:id/sessions',
    {
      schema: {
        tags: ['staff'],
        summary: 'Sign a staff member out everywhere',
        params: S.IdParam,
        response: { 204: Type.Null() },
      },
      config: can('staff:write'),
    },
    async (request, reply) => {
      await getStaffRow(ctx.db, request.params.id);
      await inTransaction(ctx.db, async (trx) => {
        await revokeAllSessions(trx, 'staff', request.params.id);
        await recordAudit(trx, actorFrom(request), {
          action: 'staff.sessions_revoked',
          target_type: 'staff',
          target_id: request.params.id,
        });
      });
      return reply.status(204).send(null);
    },
  );

  // ---- invitations
  app.get(
    '/admin/invitations',
    {
      schema: { tags: ['staff'], response: { 200: Type.Object({ data: Type.Array(S.Invitation) }) } },
      config: can('staff:read'),
    },
    async () => ({ data: await listInvitations(await deps()) }),
  );
  app.post(
    '/admin/invitations',
    {
      schema: {
        tags: ['staff'],
        summary: 'Invite a staff member by email with a role',
        body: Type.Object({ email: S.Email, role: Type.String({ maxLength: 64 }) }),
        response: { 201: S.Invitation },
      },
      config: can('staff:write'),
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await inviteStaff(await deps(), principalOf(request), request.body, actorFrom(request))),
  );
  app.delete(
    '/admin/invitations/:id',
    {
      schema: { tags: ['staff'], params: S.IdParam, response: { 204: Type.Null() } },
      config: can('staff:write'),
    },
    async (request, reply) => {
      await revokeInvitation(await deps(), request.params.id, actorFrom(request));
      return reply.status(204).send(null);
    },
  );

  // ---- roles and permissions
  app.get(
    '/admin/permissions',
    {
      schema: { tags: ['roles'], response: { 200: Type.Object({ data: Type.Array(Type.String()) }) } },
      config: can('staff:read'),
    },
    async () => ({ data: [...PERMISSIONS] }),
  );
  app.get(
    '/admin/roles',
    {
      schema: { tags: ['roles'], response: { 200: Type.Object({ data: Type.Array(S.Role) }) } },
      config: can('staff:read'),
    },
    async () => ({ data: await listRoles(ctx.db) }),
  );
  app.post(
    '/admin/roles',
    {
      schema: {
        tags: ['roles'],
        summary: 'Create a custom role from named permissions',
        body: Type.Object({
          name: RoleName,
          description: Type.Optional(Type.String({ maxLength: 500 })),
          permissions: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 64 }),
        }),
        response: { 201: S.Role },
      },
      config: can('staff:write'),
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await createRole(ctx.db, principalOf(request), request.body, actorFrom(request))),
  );
  app.patch(
    '/admin/roles/:id',
    {
      schema: {
        tags: ['roles'],
        params: S.IdParam,
        body: Type.Object({
          description: Type.Optional(Type.String({ maxLength: 500 })),
          permissions: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 64 })),
        }),
        response: { 200: S.Role },
      },
      config: can('staff:write'),
    },
    async (request) =>
      updateRole(ctx.db, principalOf(request), request.params.id, request.body, actorFrom(request)),
  );
  app.delete(
    '/admin/roles/:id',
    {
      schema: { tags: ['roles'], params: S.IdParam, response: { 204: Type.Null() } },
      config: can('staff:write'),
    },
    async (request, reply) => {
      await deleteRole(ctx.db, principalOf(request), request.params.id, actorFrom(request));
      return reply.status(204).send(null);
    },
  );

  // ---- API keys
  app.get(
    '/admin/api-keys',
    {
      schema: { tags: ['api keys'], response: { 200: Type.Object({ data: Type.Array(S.ApiKey) }) } },
      config: can('settings:read'),
    },
    async () => ({ data: await listApiKeys(ctx.db) }),
  );
  app.post(
    '/admin/api-keys',
    {
      schema: {
        tags: ['api keys'],
        summary: 'Create a publishable or secret key; the full key is in this answer only',
        body: Type.Object({
          kind: Type.Union([Type.Literal('publishable'), Type.Literal('secret')]),
          name: Type.String({ minLength: 1, maxLength: 100 }),
          scopes: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 64 })),
          sales_channel_id: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
          expires_at: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
        }),
        response: { 201: Type.Object({ key: S.ApiKey, token: Type.String() }) },
      },
      config: can('settings:write'),
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await createApiKey(ctx.db, principalOf(request), request.body, actorFrom(request))),
  );
  app.post(
    '/admin/api-keys/:id/revoke',
    {
      schema: { tags: ['api keys'], params: S.IdParam, response: { 200: S.ApiKey } },
      config: can('settings:write'),
    },
    async (request) => revokeApiKey(ctx.db, request.params.id, actorFrom(request)),
  );

  // ---- customers and groups
  app.get(
    '/admin/customers',
    {
      schema: {
        tags: ['customers'],
        querystring: Type.Object({
          ...PageQuery.properties,
          email: Type.Optional(Type.String({ maxLength: 254 })),
          group_id: Type.Optional(Type.String({ maxLength: 64 })),
        }),
        response: { 200: Page(S.Customer) },
      },
      config: can('customers:read'),
    },
    async (request) => {
      const limit = request.query.limit ?? 20;
      const cursor = decodeCursor(request.query.cursor, 1);
      const rows = await listCustomers(await deps(), {
        ...request.query,
        limit: limit + 1,
        before: cursor ? String(cursor[0]) : undefined,
      });
      return toPage(rows, limit, (row) => [row.id]);
    },
  );
  app.get(
    '/admin/customers/:id',
    {
      schema: { tags: ['customers'], params: S.IdParam, response: { 200: S.Customer } },
      config: can('customers:read'),
    },
    async (request) => getCustomer(await deps(), ctx.db, request.params.id),
  );
  app.patch(
    '/admin/customers/:id',
    {
      schema: {
        tags: ['customers'],
        params: S.IdParam,
        body: Type.Object(
          {
            ...S.ProfilePatch.properties,
            group_id: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: { 200: S.Customer },
      },
      config: can('customers:write'),
    },
    async (request) => updateCustomer(await deps(), request.params.id, request.body, actorFrom(request)),
  );
  app.get(
    '/admin/customers/:id/addresses',
    {
      schema: {
        tags: ['customers'],
        params: S.IdParam,
        response: { 200: Type.Object({ data: Type.Array(S.Address) }) },
      },
      config: can('customers:read'),
    },
    async (request) => {
      const d = await deps();
      await getCustomer(d, ctx.db, request.params.id);
      return { data: await listAddresses(d, request.params.id) };
    },
  );
  app.get(
    '/admin/customer-groups',
    {
      schema: { tags: ['customers'], response: { 200: Type.Object({ data: Type.Array(S.CustomerGroup) }) } },
      config: can('customers:read'),
    },
    async () => ({ data: await listGroups(ctx.db) }),
  );
  const GroupBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) });
  app.post(
    '/admin/customer-groups',
    {
      schema: { tags: ['customers'], body: GroupBody, response: { 201: S.CustomerGroup } },
      config: can('customers:write'),
    },
    async (request, reply) =>
      reply.status(201).send(await createGroup(ctx.db, request.body.name, actorFrom(request))),
  );
  app.patch(
    '/admin/customer-groups/:id',
    {
      schema: { tags: ['customers'], params: S.IdParam, body: GroupBody, response: { 200: S.CustomerGroup } },
      config: can('customers:write'),
    },
    async (request) => renameGroup(ctx.db, request.params.id, request.body.name, actorFrom(request)),
  );
  app.delete(
    '/admin/customer-groups/:id',
    {
      schema: { tags: ['customers'], params: S.IdParam, response: { 204: Type.Null() } },
      config: can('customers:write'),
    },
    async (request, reply) => {
      await deleteGroup(ctx.db, request.params.id, actorFrom(request));
      return reply.status(204).send(null);
    },
  );

  // ---- security settings
  app.get(
    '/admin/settings/security',
    { schema: { tags: ['settings'], response: { 200: S.SecuritySettings } }, config: can('settings:read') },
    async () => getSettings(ctx.db),
  );
  app.patch(
    '/admin/settings/security',
    {
      schema: {
        tags: ['settings'],
        body: Type.Partial(S.SecuritySettings),
        response: { 200: S.SecuritySettings },
      },
      config: can('settings:write'),
    },
    async (request) => {
      const before = await getSettings(ctx.db);
      await inTransaction(ctx.db, async (trx) => {
        await putSettings(trx, request.body);
        await recordAudit(trx, actorFrom(request), {
          action: 'settings.security_updated',
          target_type: 'settings',
          target_id: 'security',
          before,
          after: { ...before, ...request.body },
        });
      });
      return getSettings(ctx.db);
    },
  );
};
