import type { FastifyReply, FastifyRequest } from 'fastify';
import { carriesCustomer } from '../../platform/http/auth.js';
import type { AppContext } from '../../platform/http/context.js';
import { AppError, PlatformErrors } from '../../platform/http/errors.js';
import type { AuditActor } from '../audit/index.js';
import type { IdentityPrincipal } from './authenticator.js';
import type { RequestMeta } from './deps.js';
import { customerGroupIds } from './groups.service.js';
import { csrfToken } from './sessions.service.js';

export function requestMeta(request: FastifyRequest): RequestMeta {
  return {
    ip: request.ip,
    user_agent: request.headers['user-agent'] ?? null,
    request_id: request.id,
    secure: request.protocol === 'https',
  };
}

/**
 * The customer groups of the signed-in shopper behind a storefront request (their member price lists
 * apply), or none. A request without a customer credential costs nothing here; one whose credential
 * does not check out counts as a guest.
 */
export async function shopperGroups(ctx: AppContext, request: FastifyRequest): Promise<string[]> {
  if (!carriesCustomer(ctx.auth, request.raw)) return [];
  const principal = await ctx.auth.authenticate(request).catch(() => null);
  return principal?.kind === 'customer' ? customerGroupIds(ctx.db, principal.id) : [];
}

export function principalOf(request: FastifyRequest): IdentityPrincipal {
  if (!request.principal) throw new AppError(PlatformErrors.UNAUTHENTICATED, 'Authentication required');
  return request.principal as IdentityPrincipal;
}

export function actorFrom(request: FastifyRequest): AuditActor {
  const p = request.principal;
  return {
    kind: p ? p.kind : 'anonymous',
    id: p?.id ?? null,
    ip: request.ip,
    user_agent: request.headers['user-agent'] ?? null,
    request_id: request.id,
  };
}

/** Self-service routes: the caller must be this kind (API keys have no "own account"). */
export function requireKind(request: FastifyRequest, kind: 'staff' | 'customer'): IdentityPrincipal {
  const principal = principalOf(request);
  if (principal.kind !== kind)
    throw new AppError(PlatformErrors.FORBIDDEN, `Only a signed-in ${kind} may call this`);
  return principal;
}

/**
 * Browser sessions: an httpOnly cookie (Secure when the request came over TLS, SameSite) scoped to
 * its API prefix. The answer carries the CSRF token the page echoes in `x-csrf-token`.
 */
export function setSessionCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  options: { name: string; path: string; token: string; expires_at: string; sameSite: 'lax' | 'strict' },
): void {
  reply.setCookie(options.name, options.token, {
    httpOnly: true,
    secure: request.protocol === 'https',
    sameSite: options.sameSite,
    path: options.path,
    expires: new Date(options.expires_at),
  });
}

export function clearSessionCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  name: string,
  path: string,
): void {
  reply.clearCookie(name, { path, httpOnly: true, secure: request.protocol === 'https' });
}

export { csrfToken };
