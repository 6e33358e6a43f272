import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { inTransaction } from '../../platform/db/transaction.js';
import type { AppContext } from '../../platform/http/context.js';
import { AppError, PlatformErrors } from '../../platform/http/errors.js';
import { recordAudit } from '../audit/index.js';
import { addAddress, deleteAddress, getAddress, listAddresses, updateAddress } from './addresses.service.js';
import { CUSTOMER_COOKIE } from './authenticator.js';
import {
  changeCustomerPassword,
  getCustomer,
  loginCustomer,
  registerCustomer,
  updateCustomer,
  verifyCustomerEmail,
} from './customers.service.js';
import { identityDeps } from './deps.js';
import {
  actorFrom,
  clearSessionCookie,
  csrfToken,
  requestMeta,
  requireKind,
  setSessionCookie,
} from './http.js';
import * as S from './identity.schemas.js';
import { runCustomerLoginHooks } from './login-hooks.js';
import { passwordResetRoutes } from './password-reset.routes.js';
import { listSessions, revokeSession } from './sessions.service.js';

const tags = ['customers'];

export const storeIdentityRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const deps = () => identityDeps(ctx);

  app.post(
    '/store/customers',
    {
      schema: {
        tags,
        summary: 'Register a customer (same answer whether or not the email is taken)',
        body: S.Registration,
        response: { 202: S.Accepted },
      },
      config: { signInLimit: true },
    },
    async (request, reply) => {
      await registerCustomer(await deps(), request.body, requestMeta(request));
      return reply.status(202).send({ status: 'accepted' as const });
    },
  );

  app.post(
    '/store/auth/login',
    {
      schema: {
        tags,
        summary: 'Sign in: a session cookie (browsers) or a bearer token (apps)',
        body: S.CustomerLoginBody,
        response: { 200: S.SessionAnswer },
      },
      config: { signInLimit: true },
    },
    async (request, reply) => {
      const d = await deps();
      const transport = request.body.transport ?? 'cookie';
      const { email, password, cart_id } = request.body;
      const { session, token } = await loginCustomer(d, { email, password, transport }, requestMeta(request));
      // Other modules' sign-in work (the guest cart merge) through the hook seam, see login-hooks.ts.
      const extra = await runCustomerLoginHooks(ctx, {
        customer_id: session.subject_id,
        cart_id: cart_id ?? null,
      });
      if (transport === 'bearer')
        return { session_id: session.id, expires_at: session.expires_at, token, ...extra };
      setSessionCookie(reply, request, {
        name: CUSTOMER_COOKIE,
        path: '/store',
        token,
        expires_at: session.expires_at,
        sameSite: 'lax',
      });
      return {
        session_id: session.id,
        expires_at: session.expires_at,
        csrf_token: csrfToken(d.secrets.sessionSecret, session.id),
        ...extra,
      };
    },
  );

  app.post(
    '/store/auth/logout',
    {
      schema: { tags, summary: 'End the current session', response: { 200: S.Ok } },
      config: { permission: 'authenticated' },
    },
    async (request, reply) => {
      const principal = requireKind(request, 'customer');
      await inTransaction(ctx.db, async (trx) => {
        await revokeSession(trx, 'customer', principal.id, principal.session_id!);
        await recordAudit(trx, actorFrom(request), {
          action: 'customer.logout',
          target_type: 'session',
          target_id: principal.session_id!,
        });
      });
      clearSessionCookie(reply, request, CUSTOMER_COOKIE, '/store');
      return { ok: true };
    },
  );

  app.post(
    '/store/auth/verify-email',
    {
      schema: {
        tags,
        summary: 'Confirm an email address with the emailed token',
        body: Type.Object({ token: Type.String({ maxLength: 200 }) }),
        response: { 200: S.Ok },
      },
    },
    async (request) => {
      await verifyCustomerEmail(await deps(), request.body.token, requestMeta(request));
      return { ok: true };
    },
  );

  passwordResetRoutes(app, {
    kind: 'customer',
    prefix: '/store/auth',
    tags,
    config: { signInLimit: true },
    deps,
  });

  const me = { permission: 'authenticated' } as const;

  app.get(
    '/store/customers/me',
    { schema: { tags, summary: 'The signed-in customer', response: { 200: S.Customer } }, config: me },
    async (request) => {
      const principal = requireKind(request, 'customer');
      return getCustomer(await deps(), ctx.db, principal.id);
    },
  );

  app.patch(
    '/store/customers/me',
    {
      schema: { tags, summary: 'Update the profile', body: S.ProfilePatch, response: { 200: S.Customer } },
      config: me,
    },
    async (request) => {
      const principal = requireKind(request, 'customer');
      return updateCustomer(await deps(), principal.id, request.body, actorFrom(request));
    },
  );

  app.post(
    '/store/customers/me/password',
    {
      schema: {
        tags,
        summary: 'Change the password; ends the other sessions',
        body: Type.Object({ current_password: S.Password, new_password: S.Password }),
        response: { 200: S.Ok },
      },
      config: me,
    },
    async (request) => {
      const principal = requireKind(request, 'customer');
      await changeCustomerPassword(
        await deps(),
        principal.id,
        request.body.current_password,
        request.body.new_password,
        principal.session_id,
        requestMeta(request),
      );
      return { ok: true };
    },
  );

  app.get(
    '/store/customers/me/addresses',
    {
      schema: {
        tags,
        summary: 'The address book',
        response: { 200: Type.Object({ data: Type.Array(S.Address) }) },
      },
      config: me,
    },
    async (request) => ({ data: await listAddresses(await deps(), requireKind(request, 'customer').id) }),
  );

  app.post(
    '/store/customers/me/addresses',
    {
      schema: { tags, summary: 'Add an address', body: S.AddressBody, response: { 201: S.Address } },
      config: me,
    },
    async (request, reply) => {
      const principal = requireKind(request, 'customer');
      return reply
        .status(201)
        .send(await addAddress(await deps(), principal.id, request.body, actorFrom(request)));
    },
  );

  app.get(
    '/store/customers/me/addresses/:id',
    { schema: { tags, summary: 'One address', params: S.IdParam, response: { 200: S.Address } }, config: me },
    async (request) => getAddress(await deps(), requireKind(request, 'customer').id, request.params.id),
  );

  app.patch(
    '/store/customers/me/addresses/:id',
    {
      schema: {
        tags,
        summary: 'Change an address',
        params: S.IdParam,
        body: S.AddressPatch,
        response: { 200: S.Address },
      },
      config: me,
    },
    async (request) =>
      updateAddress(
        await deps(),
        requireKind(request, 'customer').id,
        request.params.id,
        request.body,
        actorFrom(request),
      ),
  );

  app.delete(
    '/store/customers/me/addresses/:id',
    {
      schema: { tags, summary: 'Remove an address', params: S.IdParam, response: { 204: Type.Null() } },
      config: me,
    },
    async (request, reply) => {
      await deleteAddress(
        await deps(),
        requireKind(request, 'customer').id,
        request.params.id,
        actorFrom(request),
      );
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/store/customers/me/sessions',
    {
      schema: {
        tags,
        summary: 'Active sessions',
        response: { 200: Type.Object({ data: Type.Array(S.Session) }) },
      },
      config: me,
    },
    async (request) => {
      const principal = requireKind(request, 'customer');
      return {
        data: await listSessions(ctx.db, await deps(), 'customer', principal.id, principal.session_id),
      };
    },
  );

  app.delete(
    '/store/customers/me/sessions/:id',
    {
      schema: {
        tags,
        summary: 'Revoke one of your sessions',
        params: S.IdParam,
        response: { 204: Type.Null() },
      },
      config: me,
    },
    async (request, reply) => {
      const principal = requireKind(request, 'customer');
      await inTransaction(ctx.db, async (trx) => {
        if (!(await revokeSession(trx, 'customer', principal.id, request.params.id)))
          throw new AppError(PlatformErrors.NOT_FOUND, 'Session not found');
        await recordAudit(trx, actorFrom(request), {
          action: 'customer.session_revoked',
          target_type: 'session',
          target_id: request.params.id,
        });
      });
      return reply.status(204).send(null);
    },
  );
};
