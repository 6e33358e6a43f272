import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyContextConfig, FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { IdentityDeps } from './deps.js';
import { requestMeta } from './http.js';
import * as S from './identity.schemas.js';
import { requestPasswordReset, resetPassword } from './password-reset.js';

/**
 * "Forgot password" for one audience: `POST {prefix}/password-reset` mails a link when the account
 * exists (202 either way) and `POST {prefix}/password-reset/confirm` sets the new password with it.
 * Customers and staff differ only in their prefix, token purpose and route config.
 */
export function passwordResetRoutes(
  plain: FastifyInstance,
  options: {
    kind: 'customer' | 'staff';
    prefix: string;
    tags: string[];
    config: FastifyContextConfig;
    deps: () => Promise<IdentityDeps>;
  },
): void {
  const app = plain.withTypeProvider<TypeBoxTypeProvider>();
  const { kind, prefix, tags, config, deps } = options;
  const who = kind === 'staff' ? 'staff ' : '';
  app.post(
    `${prefix}/password-reset`,
    {
      schema: {
        tags,
        summary: `Email a ${who}password reset link if the account exists (same answer either way)`,
        body: Type.Object({ email: S.Email }),
        response: { 202: S.Accepted },
      },
      config,
    },
    async (request, reply) => {
      await requestPasswordReset(await deps(), kind, request.body.email, requestMeta(request));
      return reply.status(202).send({ status: 'accepted' as const });
    },
  );
  app.post(
    `${prefix}/password-reset/confirm`,
    {
      schema: {
        tags,
        summary: `Set a new ${who}password with the emailed token; ends every session`,
        body: Type.Object({ token: Type.String({ maxLength: 200 }), password: S.Password }),
        response: { 200: S.Ok },
      },
      config,
    },
    async (request) => {
      const { token, password } = request.body;
      await resetPassword(await deps(), kind, token, password, requestMeta(request));
      return { ok: true };
    },
  );
}
