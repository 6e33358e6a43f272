import type { Authenticator } from '../../src/platform/http/auth.js';

/** Stands in for identity until it merges: `x-test-staff: owner` is a staff principal with every permission. */
export const staffByHeader: Authenticator = {
  authenticate: async (request) =>
    request.headers['x-test-staff'] === 'owner' ? { kind: 'staff', id: 'usr_test', permissions: '*' } : null,
};
export const owner = { 'x-test-staff': 'owner' };
