/**
 * Which sales channel a storefront call belongs to, from its `x-publishable-key` header. The identity
 * branch provides the real key store; until it is wired in, every call (with or without a key) maps
 * to the default channel.
 *
 * @example
 *   setPublishableKeyResolver({ resolve: async (key) => (key === 'pk_live_1' ? { channel_id: 'sc_web' } : null) });
 */
export interface PublishableKeyResolver {
  /** The channel for `key` (undefined when the header is absent), or null when the key is not valid. */
  resolve(key: string | undefined): Promise<{ channel_id: string } | null>;
}

export const DEFAULT_CHANNEL = 'default';

export const defaultChannelResolver: PublishableKeyResolver = {
  resolve: async () => ({ channel_id: DEFAULT_CHANNEL }),
};

let resolver: PublishableKeyResolver = defaultChannelResolver;

export function setPublishableKeyResolver(next: PublishableKeyResolver): void {
  resolver = next;
}

export function publishableKeyResolver(): PublishableKeyResolver {
  return resolver;
}
