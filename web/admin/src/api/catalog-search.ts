import type { PickerItem } from '../components/search-picker.js';
import { api, must } from './client.js';

/** Type-ahead over the admin products list (`q` matches title, handle and SKU). */
async function findProducts(query: string) {
  return must(
    await api.GET('/admin/products', { params: { query: { limit: 20, ...(query ? { q: query } : {}) } } }),
  ).data;
}

export async function searchProducts(query: string): Promise<PickerItem[]> {
  return (await findProducts(query)).map((p) => ({ id: p.id, label: `${p.title} (${p.handle})` }));
}

export async function productsById(ids: string[]): Promise<PickerItem[]> {
  const found = await Promise.all(
    ids.map(async (id) => {
      const { data } = await api.GET('/admin/products/{id}', { params: { path: { id } } });
      return data ? { id, label: `${data.title} (${data.handle})` } : null;
    }),
  );
  return found.filter((item) => item !== null);
}

/** Variants of the matching products, named with their product and SKU. */
export async function searchVariants(query: string): Promise<PickerItem[]> {
  return (await findProducts(query)).flatMap((p) =>
    p.variants.map((v) => ({
      id: v.id,
      label: `${p.title} — ${v.title}${v.sku ? ` (${v.sku})` : ''}`,
    })),
  );
}
