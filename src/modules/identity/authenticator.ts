import type { FastifyRequest } from 'fastify';
import type { Authenticator, Principal } from '../../platform/http/auth.js';
import { AppError } from '../../platform/http/errors.js';
import { findLiveKey, markKeyUsed } from './api-keys.service.js';
import type { IdentityDeps } from './deps.js';
import { IdentityErrors } from './identity.errors.js';
import { parsePermissions } from './permissions.js';
import { csrfMatches, findActiveSession, touchSession } from './sessions.service.js';
import { getSettings } from './settings.js';

export const STAFF_COOKIE = 'stratus_admin_session';
export const CUSTOMER_COOKIE = 'stratus_session';

export interface IdentityPrincipal extends Principal {
  session_id?: string;
  /** Staff who must enrol in MFA before anything else (setting `require_staff_mfa`). */
  mfa_pending?: boolean;
}

/**
 * Granted to every staff session (even one that must still enrol in MFA) and never to API keys:
 * the staff member's own account, sessions and MFA.
 */
export const SELF_SERVICE = 'account:self';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const NONE: ReadonlySet<string> = new Set();
const ONLY_SELF: ReadonlySet<string> = new Set([SELF_SERVICE]);

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header?.startsWith('Bearer ')) return undefined;
  return header.slice(7).trim() || undefined;
}

/**
 * Resolves credentials by audience: `/admin/*` accepts staff sessions (cookie or bearer) and secret
 * API keys; every other prefix accepts customer sessions only, so a customer token never opens an
 * admin route and a staff token is no customer. Cookie sessions must send `x-csrf-token` on unsafe
 * methods; bearer credentials are not sent by browsers on their own, so they need none.
 */
function withSelf(permissions: ReadonlySet<string> | '*'): ReadonlySet<string> | '*' {
  return permissions === '*' ? '*' : new Set([...permissions, SELF_SERVICE]);
}

/** A `stratus_session=` pair anywhere in a Cookie header. */
const CUSTOMER_COOKIE_PAIR = new RegExp(`(?:^|;\\s*)${CUSTOMER_COOKIE}=`);

export function createAuthenticator(deps: () => Promise<IdentityDeps>): Authenticator {
  return {
    carriesCustomer(request) {
      const { authorization, cookie } = request.headers;
      return (
        authorization?.startsWith('Bearer ') === true ||
        (cookie !== undefined && CUSTOMER_COOKIE_PAIR.test(cookie))
      );
    },
    async authenticate(request): Promise<IdentityPrincipal | null> {
      const d = await deps();
      const admin = (request.routeOptions.url ?? '').startsWith('/admin/');
      const token = bearer(request);
      const meta = {
        ip: request.ip,
        request_id: request.id,
        user_agent: request.headers['user-agent'] ?? null,
      };
      if (token?.startsWith('sk_')) {
        if (!admin) return null;
        const key = await findLiveKey(d.db, token, 'secret');
        if (!key) return null;
        await markKeyUsed(d.db, key, meta);
        return { kind: 'api_key', id: key.id, permissions: parsePermissions(key.scopes) };
      }
      let sessionToken = token;
      const viaCookie = !sessionToken;
      if (viaCookie) sessionToken = request.cookies?.[admin ? STAFF_COOKIE : CUSTOMER_COOKIE];
      if (!sessionToken) return null;
      const session = await findActiveSession(d.db, sessionToken);
      if (!session || session.subject_kind !== (admin ? 'staff' : 'customer')) return null;
      if (viaCookie && !SAFE.has(request.method)) {
        const given = request.headers['x-csrf-token'];
        if (!csrfMatches(d.secrets.sessionSecret, session.id, typeof given === 'string' ? given : undefined))
          throw new AppError(IdentityErrors.CSRF_FAILED, 'Missing or wrong x-csrf-token header');
      }
      await touchSession(d.db, session);
      if (session.subject_kind === 'customer') {
        const customer = await d.db
          .selectFrom('customers')
          .select('status')
          .where('id', '=', session.subject_id)
          .executeTakeFirst();
        if (customer?.status !== 'active') return null;
        return { kind: 'customer', id: session.subject_id, permissions: NONE, session_id: session.id };
      }
      const staff = await d.db
        .selectFrom('staff_users')
        .innerJoin('roles', 'roles.id', 'staff_users.role_id')
        .select(['staff_users.status', 'staff_users.mfa_enabled_at', 'roles.permissions'])
        .where('staff_users.id', '=', session.subject_id)
        .executeTakeFirst();
      if (staff?.status !== 'active') return null;
      const mustEnrol =
        staff.mfa_enabled_at === null &&
        (session.mfa_pending === 1 || (await getSettings(d.db)).require_staff_mfa);
      return {
        kind: 'staff',
        id: session.subject_id,
        // Until enrolled, only their own account (to enrol) is open.
        permissions: mustEnrol ? ONLY_SELF : withSelf(parsePermissions(staff.permissions)),
        session_id: session.id,
        mfa_pending: mustEnrol,
      };
    },
  };
}
