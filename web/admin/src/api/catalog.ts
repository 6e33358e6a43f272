import { api, must } from './client.js';
import type { paths } from './schema.js';

export type AdminProduct =
  paths['/admin/products/{id}']['get']['responses']['200']['content']['application/json'];
export type ProductPatch = NonNullable<
  paths['/admin/products/{id}']['patch']['requestBody']
>['content']['application/json'];
export type Category =
  paths['/admin/categories/{id}']['get']['responses']['200']['content']['application/json'];
export type Collection =
  paths['/admin/collections/{id}']['get']['responses']['200']['content']['application/json'];

/** Every page of a keyset list (categories and collections are small: a shop has dozens, not thousands). */
async function all<T>(page: (cursor?: string) => Promise<{ data: T[]; next_cursor: string | null }>) {
  const rows: T[] = [];
  let cursor: string | undefined;
  do {
    const answer = await page(cursor);
    rows.push(...answer.data);
    cursor = answer.next_cursor ?? undefined;
  } while (cursor);
  return rows;
}

export const loadCategories = () =>
  all(async (cursor) =>
    must(
      await api.GET('/admin/categories', {
        params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } },
      }),
    ),
  );

export const loadCollections = () =>
  all(async (cursor) =>
    must(
      await api.GET('/admin/collections', {
        params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } },
      }),
    ),
  );

/** Categories in tree order (parents before children, siblings by position), each with its depth. */
export function categoryTree(categories: Category[]): Array<Category & { depth: number }> {
  const children = new Map<string | null, Category[]>();
  for (const category of categories) {
    const parent = categories.some((c) => c.id === category.parent_id) ? category.parent_id : null;
    children.set(parent, [...(children.get(parent) ?? []), category]);
  }
  const out: Array<Category & { depth: number }> = [];
  const walk = (parent: string | null, depth: number) => {
    const level = [...(children.get(parent) ?? [])].sort(
      (a, b) => a.position - b.position || a.name.localeCompare(b.name),
    );
    for (const category of level) {
      out.push({ ...category, depth });
      walk(category.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** Locales offered for translations beside the ones a resource already has. */
export const SUGGESTED_LOCALES = ['pl', 'de', 'fr', 'es', 'it', 'nl', 'cs', 'sv'];
