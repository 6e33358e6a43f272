import { inTransaction } from '../../platform/db/transaction.js';
import { subscribers } from '../../platform/events/subscribers.js';
import { LISTS_TAG, productTag, refreshPriceIndex } from './catalog.products.js';

/** Every variant id an event of another module mentions, wherever its payload keeps them. */
function variantIdsOf(payload: Record<string, unknown>): string[] {
  const ids = new Set<string>();
  if (typeof payload.variant_id === 'string') ids.add(payload.variant_id);
  if (Array.isArray(payload.variant_ids))
    for (const id of payload.variant_ids) if (typeof id === 'string') ids.add(id);
  for (const key of ['lines', 'reservations', 'backordered']) {
    const list = payload[key];
    if (Array.isArray(list))
      for (const line of list) {
        const id = (line as { variant_id?: unknown }).variant_id;
        if (typeof id === 'string') ids.add(id);
      }
  }
  return [...ids];
}

/**
 * Price and on-hand changes made by the pricing and inventory modules drop the cached storefront
 * reads of the affected products, on every node. Short-lived reservations are left to the 60 s TTL,
 * so a checkout rush does not empty the cache; checkout's reservation is authoritative anyway.
 * Idempotent: invalidating twice is harmless.
 */
subscribers.register({
  name: 'catalog.storefront-cache',
  topics: [
    'prices.updated',
    'price_list.created',
    'price_list.updated',
    'price_list.deleted',
    'inventory.adjusted',
    'inventory.item_updated',
    'inventory.committed',
    'inventory.restocked',
  ],
  handle: async (event, { db, cache }) => {
    const variantIds = variantIdsOf(event.payload);
    if (variantIds.length === 0) return;
    const products = new Set<string>();
    for (let i = 0; i < variantIds.length; i += 500) {
      const rows = await db
        .selectFrom('product_variants')
        .select('product_id')
        .distinct()
        .where('id', 'in', variantIds.slice(i, i + 500))
        .execute();
      for (const row of rows) products.add(row.product_id);
    }
    if (products.size === 0) return;
    // Base prices feed the catalog's price index (filters and sorts); catalog writes keep it current
    // themselves, this catches prices set through the pricing module's own API.
    if (event.topic === 'prices.updated')
      await inTransaction(db, (trx) => refreshPriceIndex(trx, [...products]));
    if (!cache) return;
    // Prices also reorder price-sorted lists and change price-range filters.
    const lists = event.topic.startsWith('price') ? [LISTS_TAG] : [];
    await cache.invalidateTags([...[...products].map(productTag), ...lists]);
  },
});
