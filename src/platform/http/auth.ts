import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, PlatformErrors } from './errors.js';

/** Who is calling. Resolved once per request by the configured `Authenticator`. */
export interface Principal {
  kind: 'staff' | 'api_key' | 'customer';
  id: string;
  /** Named permissions such as `catalog:write`; `'*'` grants every permission (owner). */
  permissions: ReadonlySet<string> | '*';
}

/**
 * Turns a request's credentials (session cookie, bearer token, API key) into a principal, or null
 * when it carries none that are valid. The identity module provides the implementation.
 */
export interface Authenticator {
  authenticate(request: FastifyRequest): Promise<Principal | null>;
  /**
   * Whether a request carries a customer credential, read from its headers alone (no lookup). Storefront
   * reads of such a request may be priced for that customer, so shared cached answers do not fit it.
   */
  carriesCustomer?(request: IncomingMessage): boolean;
}

/** `carriesCustomer`, or (an authenticator without it) any credential-looking header at all. */
export function carriesCustomer(auth: Authenticator, request: IncomingMessage): boolean {
  if (auth.carriesCustomer) return auth.carriesCustomer(request);
  return request.headers.authorization !== undefined || request.headers.cookie !== undefined;
}

/** No credentials are ever valid: every protected route answers 401 until identity is wired in. */
export const denyAll: Authenticator = { authenticate: async () => null };

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The permission a route requires. Every `/admin/*` route must declare one; `'authenticated'`
     * asks only for a valid principal (customer self-service routes).
     */
    permission?: string;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export function hasPermission(principal: Principal, permission: string): boolean {
  return principal.permissions === '*' || principal.permissions.has(permission);
}

const declaredByApp = new WeakMap<FastifyInstance, Map<string, string | undefined>>();

/** The permission each route declared, keyed `METHOD /url` (for the RBAC matrix test and docs). */
export function declaredPermissions(app: FastifyInstance): ReadonlyMap<string, string | undefined> {
  return declaredByApp.get(app) ?? new Map();
}

/**
 * Enforces `config.permission` on every route that declares one, and refuses admin routes that
 * forgot to declare one (fail closed).
 */
export function installAuthGuard(app: FastifyInstance, authenticator: () => Authenticator): void {
  const declared = new Map<string, string | undefined>();
  declaredByApp.set(app, declared);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) declared.set(`${method} ${route.url}`, route.config?.permission);
  });
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const permission = request.routeOptions.config?.permission;
    const url = request.routeOptions.url ?? '';
    if (!permission) {
      if (url.startsWith('/admin/'))
        throw new AppError(PlatformErrors.FORBIDDEN, 'This route declares no permission');
      return;
    }
    if (permission === 'public') return;
    const principal = await authenticator().authenticate(request);
    if (!principal) throw new AppError(PlatformErrors.UNAUTHENTICATED, 'Authentication required');
    request.principal = principal;
    if (permission !== 'authenticated' && !hasPermission(principal, permission)) {
      throw new AppError(PlatformErrors.FORBIDDEN, `Missing permission ${permission}`);
    }
  });
}
