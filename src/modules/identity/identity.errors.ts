import { defineErrors } from '../../platform/http/errors.js';

export const IdentityErrors = defineErrors({
  INVALID_CREDENTIALS: {
    status: 401,
    description:
      'The email and password (or code) do not match an account; the same answer for unknown accounts.',
  },
  LOGIN_LOCKED: {
    status: 429,
    description:
      'Too many failed logins for this account name or address; retry after the time in Retry-After.',
  },
  WEAK_PASSWORD: {
    status: 400,
    description: 'The password is shorter than 8 characters, too common, or contains the email address.',
  },
  TOKEN_INVALID: {
    status: 400,
    description: 'The verification, reset, invitation or MFA token is unknown, expired or already used.',
  },
  MFA_CODE_INVALID: { status: 401, description: 'The TOTP or recovery code is wrong or was already used.' },
  MFA_STATE_CONFLICT: {
    status: 409,
    description: 'MFA is already enabled (enrol) or not enabled (confirm, disable, new recovery codes).',
  },
  CSRF_FAILED: {
    status: 403,
    description: 'A cookie-authenticated unsafe request lacks the matching x-csrf-token header.',
  },
  PRIVILEGE_ESCALATION: {
    status: 403,
    description: 'A staff member or API key may only grant permissions the caller holds.',
  },
  ROLE_READ_ONLY: { status: 409, description: 'Built-in roles cannot be changed or deleted.' },
  ROLE_IN_USE: { status: 409, description: 'The role is still assigned to staff or invitations.' },
  LAST_OWNER: { status: 409, description: 'The last active owner cannot be disabled or given another role.' },
  UNKNOWN_PERMISSION: {
    status: 400,
    description: 'A role or API key names a permission that does not exist.',
  },
  STAFF_EXISTS: { status: 409, description: 'A staff member with this email already exists.' },
});
