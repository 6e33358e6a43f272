import type { Timestamp } from '../../platform/db/time.js';

// Columns ending in `_enc` hold fieldCrypto values; `_index` columns hold blind indexes (HMAC).

export interface CustomersTable {
  id: string;
  email_enc: string;
  email_index: string;
  first_name_enc: string | null;
  last_name_enc: string | null;
  phone_enc: string | null;
  password_hash: string | null;
  email_verified_at: Timestamp | null;
  group_id: string | null;
  status: 'active' | 'erased';
  erased_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CustomerAddressesTable {
  id: string;
  customer_id: string;
  first_name_enc: string | null;
  last_name_enc: string | null;
  company_enc: string | null;
  address_1_enc: string;
  address_2_enc: string | null;
  city_enc: string;
  province_enc: string | null;
  postal_code_enc: string | null;
  country_code: string;
  phone_enc: string | null;
  is_default: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CustomerGroupsTable {
  id: string;
  name: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RolesTable {
  id: string;
  name: string;
  description: string | null;
  /** JSON array of permission names, or `["*"]` for the owner. */
  permissions: string;
  builtin: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface StaffUsersTable {
  id: string;
  email_enc: string;
  email_index: string;
  name_enc: string | null;
  password_hash: string;
  role_id: string;
  status: 'active' | 'disabled';
  mfa_secret_enc: string | null;
  mfa_enabled_at: Timestamp | null;
  /** Last TOTP time step accepted: a code is never accepted twice. */
  mfa_last_step: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MfaRecoveryCodesTable {
  id: string;
  staff_id: string;
  code_hash: string;
  used_at: Timestamp | null;
  created_at: Timestamp;
}

export interface StaffInvitationsTable {
  id: string;
  email_enc: string;
  email_index: string;
  role_id: string;
  invited_by: string;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  revoked_at: Timestamp | null;
  created_at: Timestamp;
}

export interface SessionsTable {
  id: string;
  subject_kind: 'staff' | 'customer';
  subject_id: string;
  token_hash: string;
  /** 1 while a staff member who must enrol in MFA has not yet done so. */
  mfa_pending: number;
  transport: 'cookie' | 'bearer';
  ip_enc: string | null;
  user_agent: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface ApiKeysTable {
  id: string;
  kind: 'publishable' | 'secret';
  name: string;
  /** The visible start of the key (`sk_live_ab12…`), for recognising it in lists. */
  prefix: string;
  token_hash: string;
  /** JSON array of permission names (secret keys). */
  scopes: string;
  sales_channel_id: string | null;
  created_by: string;
  last_used_at: Timestamp | null;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
  created_at: Timestamp;
}

/** Single-use tokens (email verification, password reset, invitations, MFA login step). */
export interface OneTimeTokensTable {
  id: string;
  purpose: string;
  subject_id: string;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  created_at: Timestamp;
}

/** Failed-login counters per throttle key (blind index of the account name, or the client IP). */
export interface LoginThrottleTable {
  key: string;
  failures: number;
  first_failure_at: Timestamp;
  locked_until: Timestamp | null;
}

export interface SettingsTable {
  key: string;
  /** JSON value. */
  value: string;
  updated_at: Timestamp;
}

export interface IdentityTables {
  customers: CustomersTable;
  customer_addresses: CustomerAddressesTable;
  customer_groups: CustomerGroupsTable;
  roles: RolesTable;
  staff_users: StaffUsersTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
  staff_invitations: StaffInvitationsTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  one_time_tokens: OneTimeTokensTable;
  login_throttle: LoginThrottleTable;
  settings: SettingsTable;
}
