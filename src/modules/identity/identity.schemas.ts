import { Type } from 'typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });

export const Email = Type.String({ format: 'email', maxLength: 254 });
export const Password = Type.String({ minLength: 1, maxLength: 256 });
export const Transport = Type.Optional(Type.Union([Type.Literal('cookie'), Type.Literal('bearer')]));
export const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export const Accepted = Type.Object({ status: Type.Literal('accepted') });
export const Ok = Type.Object({ ok: Type.Boolean() });

export const LoginBody = Type.Object({ email: Email, password: Password, transport: Transport });
export const CustomerLoginBody = Type.Object({
  email: Email,
  password: Password,
  transport: Transport,
  /** The guest cart the shopper filled before signing in: it merges into the customer's open cart. */
  cart_id: Type.Optional(Type.String({ pattern: '^cart_[0-9A-Z]{26}$' })),
});
export const SessionAnswer = Type.Object({
  session_id: Type.String(),
  expires_at: Type.String(),
  /** Bearer transport only: the token, shown once. */
  token: Type.Optional(Type.String()),
  /** Cookie transport only: echo it in `x-csrf-token` on unsafe requests. */
  csrf_token: Type.Optional(Type.String()),
  mfa_enrollment_required: Type.Optional(Type.Boolean()),
  /** Customer login only: the customer's open cart after merging the guest cart (null: none). */
  cart_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

export const Customer = Type.Object({
  id: Type.String(),
  email: Type.String(),
  first_name: Nullable(Type.String()),
  last_name: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  email_verified: Type.Boolean(),
  group_id: Nullable(Type.String()),
  status: Type.String(),
  created_at: Type.String(),
  updated_at: Type.String(),
});

export const Registration = Type.Object({
  email: Email,
  password: Password,
  first_name: Type.Optional(Text(100)),
  last_name: Type.Optional(Text(100)),
  phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9 ()-]{4,32}$' })),
});

export const ProfilePatch = Type.Object(
  {
    first_name: Type.Optional(Nullable(Text(100))),
    last_name: Type.Optional(Nullable(Text(100))),
    phone: Type.Optional(Nullable(Type.String({ pattern: '^\\+?[0-9 ()-]{4,32}$' }))),
  },
  { additionalProperties: false },
);

const addressFields = {
  first_name: Type.Optional(Nullable(Text(100))),
  last_name: Type.Optional(Nullable(Text(100))),
  company: Type.Optional(Nullable(Text(200))),
  address_1: Text(200),
  address_2: Type.Optional(Nullable(Text(200))),
  city: Text(100),
  province: Type.Optional(Nullable(Text(100))),
  postal_code: Type.Optional(Nullable(Text(20))),
  country_code: Type.String({ pattern: '^[A-Za-z]{2}$' }),
  phone: Type.Optional(Nullable(Type.String({ pattern: '^\\+?[0-9 ()-]{4,32}$' }))),
  is_default: Type.Optional(Type.Boolean()),
};
export const AddressBody = Type.Object(addressFields, { additionalProperties: false });
export const AddressPatch = Type.Partial(AddressBody);
export const Address = Type.Object({
  id: Type.String(),
  first_name: Nullable(Type.String()),
  last_name: Nullable(Type.String()),
  company: Nullable(Type.String()),
  address_1: Type.String(),
  address_2: Nullable(Type.String()),
  city: Type.String(),
  province: Nullable(Type.String()),
  postal_code: Nullable(Type.String()),
  country_code: Type.String(),
  phone: Nullable(Type.String()),
  is_default: Type.Boolean(),
  created_at: Type.String(),
  updated_at: Type.String(),
});

export const Session = Type.Object({
  id: Type.String(),
  transport: Type.String(),
  user_agent: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  created_at: Type.String(),
  last_seen_at: Type.String(),
  expires_at: Type.String(),
  current: Type.Boolean(),
});

export const Staff = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Nullable(Type.String()),
  role_id: Type.String(),
  role: Type.String(),
  status: Type.String(),
  mfa_enabled: Type.Boolean(),
  created_at: Type.String(),
  updated_at: Type.String(),
});

export const Role = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  permissions: Type.Array(Type.String()),
  builtin: Type.Boolean(),
});

export const Invitation = Type.Object({
  id: Type.String(),
  email: Type.String(),
  role_id: Type.String(),
  expires_at: Type.String(),
  accepted_at: Nullable(Type.String()),
  revoked_at: Nullable(Type.String()),
  created_at: Type.String(),
});

export const ApiKey = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  scopes: Type.Array(Type.String()),
  sales_channel_id: Nullable(Type.String()),
  created_by: Type.String(),
  last_used_at: Nullable(Type.String()),
  expires_at: Nullable(Type.String()),
  revoked_at: Nullable(Type.String()),
  created_at: Type.String(),
});

export const CustomerGroup = Type.Object({
  id: Type.String(),
  name: Type.String(),
  created_at: Type.String(),
  updated_at: Type.String(),
});

export const SecuritySettings = Type.Object({
  require_staff_mfa: Type.Boolean(),
  session_retention_days: Type.Integer({ minimum: 1, maximum: 3650 }),
  event_retention_days: Type.Integer({ minimum: 1, maximum: 3650 }),
});
