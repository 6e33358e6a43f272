// Who may do what: customers and staff accounts, sessions, MFA, roles and permissions, API keys.
// Provides the platform's Authenticator; other modules use `resolvePublishableKey` and the views here.
import type { FastifyPluginAsync } from 'fastify';
import { registerEncryptedColumns } from '../../platform/crypto/key-rotation.js';
import type { AppContext } from '../../platform/http/context.js';
import type { StratusModule } from '../index.js';
import { adminIdentityRoutes } from './admin.routes.js';
import { adminAuthRoutes } from './admin-auth.routes.js';
import { storeIdentityRoutes } from './store.routes.js';

export { createApiKey, resolvePublishableKey } from './api-keys.service.js';
export { createAuthenticator, type IdentityPrincipal } from './authenticator.js';
export { announceSignIn, DEMO_OWNER_EMAIL } from './bootstrap.js';
export { type CustomerView, getCustomer, loginCustomer, registerCustomer } from './customers.service.js';
export { type IdentityDeps, identityDeps, type RequestMeta } from './deps.js';
export { customerGroupIds } from './groups.service.js';
export { actorFrom, shopperGroups } from './http.js';
export { IdentityErrors } from './identity.errors.js';
export type { IdentityTables } from './identity.tables.js';
export { type CustomerLoginHook, registerCustomerLoginHook } from './login-hooks.js';
export { createMailer, type Mailer } from './mailer.js';
export { AREAS, BUILTIN_ROLES, PERMISSIONS } from './permissions.js';
export { getSettings, type SecuritySettings, storedSettings } from './settings.js';
export { createStaff, loginStaff } from './staff.service.js';

registerEncryptedColumns({
  table: 'customers',
  columns: ['email_enc', 'first_name_enc', 'last_name_enc', 'phone_enc'],
});
registerEncryptedColumns({
  table: 'customer_addresses',
  columns: [
    'first_name_enc',
    'last_name_enc',
    'company_enc',
    'address_1_enc',
    'address_2_enc',
    'city_enc',
    'province_enc',
    'postal_code_enc',
    'phone_enc',
  ],
});
registerEncryptedColumns({ table: 'staff_users', columns: ['email_enc', 'name_enc', 'mfa_secret_enc'] });
registerEncryptedColumns({ table: 'staff_invitations', columns: ['email_enc'] });
registerEncryptedColumns({ table: 'sessions', columns: ['ip_enc'] });

const routes: FastifyPluginAsync<{ ctx: AppContext }> = async (app, options) => {
  await app.register(storeIdentityRoutes, options);
  await app.register(adminAuthRoutes, options);
  await app.register(adminIdentityRoutes, options);
};

export const identityModule: StratusModule = { name: 'identity', routes };
