import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { inTransaction } from '../../platform/db/transaction.js';
import type { AppContext } from '../../platform/http/context.js';
import { AppError, PlatformErrors } from '../../platform/http/errors.js';
import { recordAudit } from '../audit/index.js';
import { SELF_SERVICE, STAFF_COOKIE } from './authenticator.js';
import { type IdentityDeps, identityDeps } from './deps.js';
import {
  actorFrom,
  clearSessionCookie,
  csrfToken,
  requestMeta,
  requireKind,
  setSessionCookie,
} from './http.js';
import * as S from './identity.schemas.js';
import {
  confirmMfaEnrolment,
  disableMfa,
  regenerateRecoveryCodes,
  startMfaEnrolment,
} from './mfa.service.js';
import { passwordResetRoutes } from './password-reset.routes.js';
import { listSessions, revokeSession } from './sessions.service.js';
import {
  acceptInvitation,
  completeStaffMfaLogin,
  getStaffRow,
  loginStaff,
  type StaffLoginResult,
  staffView,
} from './staff.service.js';
import { changeStaffPassword } from './staff-password.service.js';

const tags = ['staff auth'];
const StaffLoginAnswer = Type.Union([
  S.SessionAnswer,
  Type.Object({ mfa_required: Type.Literal(true), mfa_token: Type.String() }),
]);
const Code = Type.String({ pattern: '^[0-9]{6}$' });
const RecoveryCodes = Type.Object({ recovery_codes: Type.Array(Type.String()) });

function answer(
  d: IdentityDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  result: StaffLoginResult,
  transport: 'cookie' | 'bearer',
) {
  if (result.kind === 'mfa') return { mfa_required: true as const, mfa_token: result.mfa_token };
  const expires_at = new Date(Date.now() + d.config.auth.sessionTtlHours * 3_600_000).toISOString();
  const base = {
    session_id: result.session_id,
    expires_at,
    mfa_enrollment_required: result.mfa_enrollment_required,
  };
  if (transport === 'bearer') return { ...base, token: result.token };
  setSessionCookie(reply, request, {
    name: STAFF_COOKIE,
    path: '/admin',
    token: result.token,
    expires_at,
    sameSite: 'strict',
  });
  return { ...base, csrf_token: csrfToken(d.secrets.sessionSecret, result.session_id) };
}

/** Staff sign-in (password, then TOTP or recovery code), invitations, own sessions and MFA. */
export const adminAuthRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const deps = () => identityDeps(ctx);
  const open = { permission: 'public', signInLimit: true } as const;
  const self = { permission: SELF_SERVICE, audited: true } as const;

  app.post(
    '/admin/auth/login',
    {
      schema: {
        tags,
        summary: 'Staff sign-in, step one (password)',
        body: S.LoginBody,
        response: { 200: StaffLoginAnswer },
      },
      config: open,
    },
    async (request, reply) => {
      const d = await deps();
      const transport = request.body.transport ?? 'cookie';
      const result = await loginStaff(d, { ...request.body, transport }, requestMeta(request));
      return answer(d, request, reply, result, transport);
    },
  );

  passwordResetRoutes(app, { kind: 'staff', prefix: '/admin/auth', tags, config: open, deps });

  app.post(
    '/admin/auth/mfa',
    {
      schema: {
        tags,
        summary: 'Staff sign-in, step two (TOTP code or a single-use recovery code)',
        body: Type.Object({
          mfa_token: Type.String({ maxLength: 200 }),
          code: Type.Optional(Code),
          recovery_code: Type.Optional(Type.String({ maxLength: 32 })),
          transport: S.Transport,
        }),
        response: { 200: StaffLoginAnswer },
      },
      config: open,
    },
    async (request, reply) => {
      const d = await deps();
      const transport = request.body.transport ?? 'cookie';
      const result = await completeStaffMfaLogin(d, { ...request.body, transport }, requestMeta(request));
      return answer(d, request, reply, result, transport);
    },
  );

  app.post(
    '/admin/auth/invitations/accept',
    {
      schema: {
        tags,
        summary: 'Accept an invitation: choose a password',
        body: Type.Object({
          token: Type.String({ maxLength: 200 }),
          password: S.Password,
          name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        }),
        response: { 201: S.Staff },
      },
      config: open,
    },
    async (request, reply) =>
      reply.status(201).send(await acceptInvitation(await deps(), request.body, requestMeta(request))),
  );

  app.post(
    '/admin/auth/logout',
    { schema: { tags, summary: 'End the current staff session', response: { 200: S.Ok } }, config: self },
    async (request, reply) => {
      const principal = requireKind(request, 'staff');
      await inTransaction(ctx.db, async (trx) => {
        await revokeSession(trx, 'staff', principal.id, principal.session_id!);
        await recordAudit(trx, actorFrom(request), {
          action: 'staff.logout',
          target_type: 'session',
          target_id: principal.session_id!,
        });
      });
      clearSessionCookie(reply, request, STAFF_COOKIE, '/admin');
      return { ok: true };
    },
  );

  app.get(
    '/admin/me',
    {
      schema: {
        tags,
        summary: 'The signed-in staff member and their permissions',
        response: {
          200: Type.Object({
            staff: S.Staff,
            permissions: Type.Array(Type.String()),
            mfa_enrollment_required: Type.Boolean(),
            /** For a cookie session: the value to echo in `x-csrf-token`, so a reloaded app can write. */
            csrf_token: Type.Optional(Type.String()),
          }),
        },
      },
      config: self,
    },
    async (request) => {
      const principal = requireKind(request, 'staff');
      const d = await deps();
      const staff = await staffView(d, ctx.db, await getStaffRow(ctx.db, principal.id));
      const permissions =
        principal.permissions === '*'
          ? ['*']
          : [...principal.permissions].filter((p) => p !== SELF_SERVICE).sort();
      // Only same-origin scripts can read this answer (no CORS for other origins), so handing the
      // token back is as safe as the login answer that first carried it.
      const csrf_token = principal.session_id
        ? csrfToken(d.secrets.sessionSecret, principal.session_id)
        : undefined;
      return { staff, permissions, mfa_enrollment_required: principal.mfa_pending === true, csrf_token };
    },
  );

  app.post(
    '/admin/me/password',
    {
      schema: {
        tags,
        summary: 'Change your password (needs the current one); your other sessions end',
        body: Type.Object({ current_password: Type.String({ maxLength: 200 }), new_password: S.Password }),
        response: { 200: S.Ok },
      },
      config: self,
    },
    async (request) => {
      const principal = requireKind(request, 'staff');
      await changeStaffPassword(
        await deps(),
        {
          staff_id: principal.id,
          session_id: principal.session_id,
          current_password: request.body.current_password,
          new_password: request.body.new_password,
        },
        actorFrom(request),
      );
      return { ok: true };
    },
  );

  app.get(
    '/admin/me/sessions',
    {
      schema: {
        tags,
        summary: 'Your active sessions',
        response: { 200: Type.Object({ data: Type.Array(S.Session) }) },
      },
      config: self,
    },
    async (request) => {
      const principal = requireKind(request, 'staff');
      return { data: await listSessions(ctx.db, await deps(), 'staff', principal.id, principal.session_id) };
    },
  );

  app.delete(
    '/admin/me/sessions/:id',
    {
      schema: {
        tags,
        summary: 'Revoke one of your sessions',
        params: S.IdParam,
        response: { 204: Type.Null() },
      },
      config: self,
    },
    async (request, reply) => {
      const principal = requireKind(request, 'staff');
      await inTransaction(ctx.db, async (trx) => {
        if (!(await revokeSession(trx, 'staff', principal.id, request.params.id)))
          throw new AppError(PlatformErrors.NOT_FOUND, 'Session not found');
        await recordAudit(trx, actorFrom(request), {
          action: 'staff.session_revoked',
          target_type: 'session',
          target_id: request.params.id,
        });
      });
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/admin/me/mfa',
    {
      schema: {
        tags,
        summary: 'Start TOTP enrolment: secret, otpauth URL and QR code',
        response: {
          200: Type.Object({ secret: Type.String(), otpauth_url: Type.String(), qr_data_url: Type.String() }),
        },
      },
      config: self,
    },
    async (request) => startMfaEnrolment(await deps(), requireKind(request, 'staff').id, actorFrom(request)),
  );

  app.post(
    '/admin/me/mfa/confirm',
    {
      schema: {
        tags,
        summary: 'Confirm enrolment with a code; answers recovery codes once',
        body: Type.Object({ code: Code }),
        response: { 200: RecoveryCodes },
      },
      config: self,
    },
    async (request) =>
      confirmMfaEnrolment(
        await deps(),
        requireKind(request, 'staff').id,
        request.body.code,
        actorFrom(request),
      ),
  );

  app.post(
    '/admin/me/mfa/recovery-codes',
    {
      schema: {
        tags,
        summary: 'Replace the recovery codes (needs a current code)',
        body: Type.Object({ code: Code }),
        response: { 200: RecoveryCodes },
      },
      config: self,
    },
    async (request) =>
      regenerateRecoveryCodes(
        await deps(),
        requireKind(request, 'staff').id,
        request.body.code,
        actorFrom(request),
      ),
  );

  app.post(
    '/admin/me/mfa/disable',
    {
      schema: {
        tags,
        summary: 'Turn MFA off (needs a current code)',
        body: Type.Object({ code: Code }),
        response: { 200: S.Ok },
      },
      config: self,
    },
    async (request) => {
      await disableMfa(await deps(), requireKind(request, 'staff').id, request.body.code, actorFrom(request));
      return { ok: true };
    },
  );
};
