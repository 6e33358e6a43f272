import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, PlatformErrors } from '../../platform/http/errors.js';
import type { AuditActor } from '../audit/index.js';
import type { IdentityPrincipal } from './authenticator.js';
import type { RequestMeta } from './deps.js';
import { csrfToken } from './sessions.service.js';

export function requestMeta(request: FastifyRequest): RequestMeta {
  return {
    ip: request.ip,
    user_agent: request.headers['user-agent'] ?? null,
    request_id: request.id,
    secure: request.protocol === 'https',
  };
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
