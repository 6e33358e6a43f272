/**
 * Field names whose values are personal data or credentials: the one list that both the logs and the
 * audit log redact by, at any depth. A new personal field added here is redacted everywhere at once.
 */
export const PERSONAL_FIELDS: ReadonlySet<string> = new Set([
  'email',
  'phone',
  'phone_number',
  'first_name',
  'last_name',
  'full_name',
  'name_on_card',
  'company',
  'address',
  'address_1',
  'address_2',
  'city',
  'province',
  'postal_code',
  'ip',
  'note',
  'notes',
  'password',
  'token',
  'totp',
  'secret',
  'recovery_codes',
]);

/** Encrypted values, hashes, secrets and tokens, by suffix (`ip_enc`, `token_hash`, `csrf_token`). */
const SECRET_SUFFIX = /(_enc|_hash|_secret|_token)$/;

export function isPersonalField(key: string): boolean {
  return PERSONAL_FIELDS.has(key) || SECRET_SUFFIX.test(key);
}

export const REDACTED = '[redacted]';
const MAX_DEPTH = 12;

const isPlainObject = (value: object) => {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/**
 * A copy of `value` with every personal field's value replaced by `[redacted]`, at any depth, inside
 * plain objects and arrays. Ids, flags, amounts and nulls stay (a null is not personal data and shows
 * that a field was cleared). Class instances (errors, requests, dates, buffers) are kept as they are:
 * their own serializers decide what they print. Unchanged values are returned as is, without copying.
 */
export function redactPersonal(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (!value || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (seen.has(value)) return value;
  if (Array.isArray(value)) {
    seen.add(value);
    let changed = false;
    const out = value.map((item) => {
      const next = redactPersonal(item, depth + 1, seen);
      if (next !== item) changed = true;
      return next;
    });
    return changed ? out : value;
  }
  if (!isPlainObject(value)) return value;
  seen.add(value);
  let out: Record<string, unknown> | undefined;
  for (const [key, inner] of Object.entries(value)) {
    const next =
      isPersonalField(key) && inner !== null && inner !== undefined
        ? REDACTED
        : redactPersonal(inner, depth + 1, seen);
    if (next !== inner) {
      out ??= { ...(value as Record<string, unknown>) };
      out[key] = next;
    }
  }
  return out ?? value;
}
