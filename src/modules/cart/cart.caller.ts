import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/http/context.js';

/**
 * The signed-in customer behind a store request, resolved at most once and only when asked (store
 * cart routes declare no permission, so the auth guard has not resolved anyone). Credentials that do
 * not check out (a cookie without its CSRF token on a write) count as a guest.
 */
export function cartCaller(ctx: AppContext, request: FastifyRequest): () => Promise<string | null> {
  let resolved: Promise<string | null> | undefined;
  return () => {
    resolved ??= ctx.auth.authenticate(request).then(
      (principal) => (principal?.kind === 'customer' ? principal.id : null),
      () => null,
    );
    return resolved;
  };
}
