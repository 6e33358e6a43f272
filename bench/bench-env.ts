/**
 * Load in a benchmark comes from one local address: lift the per-IP and per-account limits unless a
 * run asks for them in its own environment.
 */
export function benchEnv(
  env: Record<string, string | undefined> = process.env,
): Record<string, string | undefined> {
  return {
    ...env,
    STRATUS_RATE_LIMIT_PER_MINUTE: env.STRATUS_RATE_LIMIT_PER_MINUTE ?? '1000000',
    STRATUS_ACCOUNT_RATE_LIMIT_PER_MINUTE: env.STRATUS_ACCOUNT_RATE_LIMIT_PER_MINUTE ?? '1000000',
    STRATUS_AUTH_RATE_LIMIT_PER_MINUTE: env.STRATUS_AUTH_RATE_LIMIT_PER_MINUTE ?? '1000000',
  };
}
