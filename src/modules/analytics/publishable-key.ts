import type { Db } from '../../platform/db/database.js';
import { resolvePublishableKey } from '../identity/index.js';

/**
 * Which sales channel a storefront call belongs to, from its `x-publishable-key` header. By default
 * the key store of the identity module answers (keys made with `POST /admin/api-keys`, kind
 * `publishable`): no header means the default channel (the store's own storefront sends none), a
 * live key means its sales channel (the default one when it names none), and an unknown, revoked or
 * expired key is refused. Tests and embedders may swap in another resolver.
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

/** How long a node trusts a key lookup: a revoked key is refused on every node within this long. */
export const KEY_CACHE_MS = 10_000;

/**
 * The key store behind `x-publishable-key`, with a short per-process cache so event ingestion (many
 * batches per second from one storefront) costs no query per batch.
 */
export function keyStoreResolver(db: Db, cacheMs = KEY_CACHE_MS): PublishableKeyResolver {
  const cache = new Map<string, { channel: { channel_id: string } | null; until: number }>();
  return {
    async resolve(key) {
      if (key === undefined) return { channel_id: DEFAULT_CHANNEL };
      const at = Date.now();
      const hit = cache.get(key);
      if (hit && hit.until > at) return hit.channel;
      const found = await resolvePublishableKey(db, key);
      // A key with no channel (stored null or empty) selects the default one.
      const channel = found ? { channel_id: found.sales_channel_id || DEFAULT_CHANNEL } : null;
      // Bounded: a flood of made-up keys cannot grow the map without limit.
      if (cache.size >= 1000) cache.clear();
      cache.set(key, { channel, until: at + cacheMs });
      return channel;
    },
  };
}

let override: PublishableKeyResolver | undefined;

/** Replaces the key store for every app in this process (tests, embedders). */
export function setPublishableKeyResolver(next: PublishableKeyResolver | undefined): void {
  override = next;
}

/** The resolver an app uses: the override when one is set, else `fallback` (the app's key store). */
export function publishableKeyResolver(fallback: PublishableKeyResolver): PublishableKeyResolver {
  return override ?? fallback;
}
