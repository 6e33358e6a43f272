import type { AppContext } from '../../platform/http/context.js';

/**
 * Work another module does when a customer signs in, without identity importing that module (the cart
 * module depends on identity for customer groups, so identity may not depend on the cart). Registered
 * from the module's index.ts; runs after the session exists, in registration order.
 *
 * ```ts
 * registerCustomerLoginHook({
 *   name: 'cart',
 *   afterLogin: (ctx, { customer_id, cart_id }) => adoptGuestCart(ctx, cart_id, customer_id),
 * });
 * ```
 *
 * A hook returns the answer fields it contributes (the cart hook returns `{ cart_id }`). A hook's
 * failure must not undo the sign-in: hooks return values for expected outcomes and throw only on
 * the unexpected, which the login route answers as an error after the session was made.
 */
export interface CustomerLoginHook {
  name: string;
  afterLogin(
    ctx: AppContext,
    input: { customer_id: string; cart_id: string | null },
  ): Promise<{ cart_id?: string | null }>;
}

const hooks = new Map<string, CustomerLoginHook>();

export function registerCustomerLoginHook(hook: CustomerLoginHook): void {
  hooks.set(hook.name, hook);
}

/** Runs every registered hook and merges what they contribute to the login answer. */
export async function runCustomerLoginHooks(
  ctx: AppContext,
  input: { customer_id: string; cart_id: string | null },
): Promise<{ cart_id?: string | null }> {
  let answer: { cart_id?: string | null } = {};
  for (const hook of hooks.values()) answer = { ...answer, ...(await hook.afterLogin(ctx, input)) };
  return answer;
}
