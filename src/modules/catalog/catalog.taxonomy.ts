import type { Selectable } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { newId } from '../../platform/db/ids.js';
import { lockRows } from '../../platform/db/lock.js';
import { now } from '../../platform/db/time.js';
import { type DbOrTrx, inTransaction, type Trx } from '../../platform/db/transaction.js';
import { emit } from '../../platform/events/outbox.js';
import { AppError, PlatformErrors } from '../../platform/http/errors.js';
import { decodeCursor, toPage } from '../../platform/http/pagination.js';
import { CatalogErrors } from './catalog.errors.js';
import { LISTS_TAG, parseJson, productTag, syncProduct, type WriteResult } from './catalog.products.js';
import type {
  Category,
  CategoryInput,
  CategoryUpdate,
  Collection,
  CollectionInput,
  CollectionUpdate,
} from './catalog.schemas.js';
import type { CategoriesTable, CollectionsTable } from './catalog.tables.js';
import { slugify } from './catalog.validate.js';

export const CATEGORIES_TAG = 'catalog:categories';

function toCategory(row: Selectable<CategoriesTable>): Category {
  return { ...row, translations: parseJson(row.translations) };
}

function toCollection(row: Selectable<CollectionsTable>): Collection {
  return { ...row, translations: parseJson(row.translations) };
}

async function assertFreeHandle(
  trx: Trx,
  table: 'categories' | 'collections',
  handle: string,
  exceptId?: string,
) {
  let query = trx.selectFrom(table).select('id').where('handle', '=', handle);
  if (exceptId) query = query.where('id', '!=', exceptId);
  if (await query.executeTakeFirst())
    throw new AppError(CatalogErrors.HANDLE_TAKEN, `The handle "${handle}" is already used`, [
      { field: 'body.handle', message: 'is taken' },
    ]);
}

async function assertParent(trx: Trx, id: string | null, parentId: string | null | undefined): Promise<void> {
  if (!parentId) return;
  // Walk up from the new parent: meeting the category itself means the move would close a cycle.
  let cursor: string | null = parentId;
  for (let depth = 0; cursor; depth++) {
    if (cursor === id || depth > 100)
      throw new AppError(CatalogErrors.INVALID_CATEGORY, 'A category cannot be its own ancestor', [
        { field: 'body.parent_id', message: 'would create a cycle' },
      ]);
    const parent: { parent_id: string | null } | undefined = await trx
      .selectFrom('categories')
      .select('parent_id')
      .where('id', '=', cursor)
      .executeTakeFirst();
    if (!parent)
      throw new AppError(CatalogErrors.INVALID_CATEGORY, `Unknown parent category ${cursor}`, [
        { field: 'body.parent_id', message: 'is not a category' },
      ]);
    cursor = parent.parent_id;
  }
}

export async function createCategory(db: Db, input: CategoryInput): Promise<WriteResult<Category>> {
  const value = await inTransaction(db, async (trx) => {
    const handle = input.handle ?? slugify(input.name);
    await assertFreeHandle(trx, 'categories', handle);
    await assertParent(trx, null, input.parent_id);
    const at = now();
    const row = {
      id: newId('pcat'),
      parent_id: input.parent_id ?? null,
      handle,
      name: input.name,
      description: input.description ?? '',
      translations: JSON.stringify(input.translations ?? {}),
      position: input.position ?? 0,
      created_at: at,
      updated_at: at,
    };
    await trx.insertInto('categories').values(row).execute();
    await emit(trx, { topic: 'category.created', payload: { id: row.id, handle } });
    return toCategory(row);
  });
  return { value, invalidate: [CATEGORIES_TAG] };
}

export async function updateCategory(
  db: Db,
  id: string,
  patch: CategoryUpdate,
): Promise<WriteResult<Category>> {
  const value = await inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('categories').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError(PlatformErrors.NOT_FOUND, `Category ${id} not found`);
    if (patch.handle && patch.handle !== row.handle)
      await assertFreeHandle(trx, 'categories', patch.handle, id);
    if (patch.parent_id !== undefined) await assertParent(trx, id, patch.parent_id);
    const next = {
      ...row,
      ...(patch.handle !== undefined ? { handle: patch.handle } : {}),
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.parent_id !== undefined ? { parent_id: patch.parent_id } : {}),
      ...(patch.position !== undefined ? { position: patch.position } : {}),
      ...(patch.translations !== undefined ? { translations: JSON.stringify(patch.translations) } : {}),
      updated_at: now(),
    };
    await trx.updateTable('categories').set(next).where('id', '=', id).execute();
    await emit(trx, { topic: 'category.updated', payload: { id, handle: next.handle } });
    return toCategory(next);
  });
  // A category move changes which products a parent category's filter finds.
  return {
    value,
    invalidate: patch.parent_id !== undefined ? [CATEGORIES_TAG, LISTS_TAG] : [CATEGORIES_TAG],
  };
}

/** Removes a link from every product that carries it, re-rendering those products. */
async function unlinkProducts(
  trx: Trx,
  table: 'product_categories' | 'product_collections',
  ref: string,
): Promise<string[]> {
  const column = table === 'product_categories' ? 'category_ids' : 'collection_ids';
  const rows = await trx.selectFrom(table).select('product_id').where('ref', '=', ref).execute();
  for (const { product_id } of rows) {
    const product = await trx
      .selectFrom('products')
      .select(column)
      .where('id', '=', product_id)
      .executeTakeFirstOrThrow();
    const ids = parseJson<string[]>((product as Record<string, string>)[column]!).filter((x) => x !== ref);
    await trx
      .updateTable('products')
      .set({ [column]: JSON.stringify(ids), updated_at: now() })
      .where('id', '=', product_id)
      .execute();
    await syncProduct(trx, product_id);
  }
  return rows.map((r) => r.product_id);
}

/**
 * Adds products to and removes them from one category or collection, each product's row locked while its
 * list changes, so concurrent changes to the same product's other links are never lost. Unknown product
 * ids, or one id both added and removed, are a 422 and change nothing.
 */
export async function linkProductsTo(
  db: Db,
  kind: 'category' | 'collection',
  ref: string,
  change: { add?: string[]; remove?: string[] },
): Promise<WriteResult<{ added: number; removed: number }>> {
  const add = [...new Set(change.add ?? [])];
  const remove = [...new Set(change.remove ?? [])];
  const column = kind === 'category' ? 'category_ids' : 'collection_ids';
  const changed = await inTransaction(db, async (trx) => {
    const owner = await trx
      .selectFrom(kind === 'category' ? 'categories' : 'collections')
      .select('id')
      .where('id', '=', ref)
      .executeTakeFirst();
    if (!owner)
      throw new AppError(
        PlatformErrors.NOT_FOUND,
        `${kind === 'category' ? 'Category' : 'Collection'} ${ref} not found`,
      );
    const problems = add
      .filter((id) => remove.includes(id))
      .map((id) => ({ field: 'body.remove', message: `${id} is also in add` }));
    const ids = [...add, ...remove];
    const rows =
      ids.length === 0
        ? []
        : await lockRows(
            trx,
            trx.selectFrom('products').select(['id', 'handle', column]).where('id', 'in', ids).orderBy('id'),
          ).execute();
    for (const [field, list] of [
      ['body.add', add],
      ['body.remove', remove],
    ] as const)
      list.forEach((id, i) => {
        if (!rows.some((r) => r.id === id))
          problems.push({ field: `${field}[${i}]`, message: `unknown product ${id}` });
      });
    if (problems.length > 0)
      throw new AppError(
        CatalogErrors.INVALID_PRODUCT,
        `Invalid change: ${problems[0]!.field} ${problems[0]!.message}`,
        problems,
      );
    const result = { added: 0, removed: 0, ids: [] as string[] };
    const at = now();
    for (const row of rows) {
      const current = parseJson<string[]>((row as Record<string, string>)[column]!);
      const adding = add.includes(row.id);
      if (adding === current.includes(ref)) continue;
      const next = adding ? [...current, ref] : current.filter((x) => x !== ref);
      await trx
        .updateTable('products')
        .set({ [column]: JSON.stringify(next), updated_at: at })
        .where('id', '=', row.id)
        .execute();
      await syncProduct(trx, row.id);
      await emit(trx, {
        topic: 'product.updated',
        payload: { id: row.id, handle: row.handle, fields: [column] },
      });
      if (adding) result.added++;
      else result.removed++;
      result.ids.push(row.id);
    }
    return result;
  });
  return {
    value: { added: changed.added, removed: changed.removed },
    invalidate: changed.ids.length > 0 ? [LISTS_TAG, ...changed.ids.map(productTag)] : [],
  };
}

export async function deleteCategory(db: Db, id: string): Promise<WriteResult<null>> {
  const products = await inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('categories').select('id').where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError(PlatformErrors.NOT_FOUND, `Category ${id} not found`);
    if (await trx.selectFrom('categories').select('id').where('parent_id', '=', id).executeTakeFirst())
      throw new AppError(CatalogErrors.CATEGORY_HAS_CHILDREN, 'Move or delete the child categories first');
    const products = await unlinkProducts(trx, 'product_categories', id);
    await trx.deleteFrom('categories').where('id', '=', id).execute();
    await emit(trx, { topic: 'category.deleted', payload: { id, product_ids: products } });
    return products;
  });
  return { value: null, invalidate: [CATEGORIES_TAG, LISTS_TAG, ...products.map(productTag)] };
}

export async function getCategory(db: DbOrTrx, id: string): Promise<Category> {
  const row = await db.selectFrom('categories').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError(PlatformErrors.NOT_FOUND, `Category ${id} not found`);
  return toCategory(row);
}

export async function listCategories(db: DbOrTrx, page: { limit: number; cursor?: string }) {
  const after = decodeCursor(page.cursor, 1);
  let query = db
    .selectFrom('categories')
    .selectAll()
    .orderBy('id')
    .limit(page.limit + 1);
  if (after) query = query.where('id', '>', String(after[0]));
  return toPage((await query.execute()).map(toCategory), page.limit, (c) => [c.id]);
}

export async function allCategories(db: DbOrTrx): Promise<Category[]> {
  return (await db.selectFrom('categories').selectAll().orderBy('position').orderBy('name').execute()).map(
    toCategory,
  );
}

export async function createCollection(db: Db, input: CollectionInput): Promise<WriteResult<Collection>> {
  const value = await inTransaction(db, async (trx) => {
    const handle = input.handle ?? slugify(input.title);
    await assertFreeHandle(trx, 'collections', handle);
    const at = now();
    const row = {
      id: newId('pcol'),
      handle,
      title: input.title,
      description: input.description ?? '',
      translations: JSON.stringify(input.translations ?? {}),
      created_at: at,
      updated_at: at,
    };
    await trx.insertInto('collections').values(row).execute();
    await emit(trx, { topic: 'collection.created', payload: { id: row.id, handle } });
    return toCollection(row);
  });
  return { value, invalidate: [CATEGORIES_TAG] };
}

export async function updateCollection(
  db: Db,
  id: string,
  patch: CollectionUpdate,
): Promise<WriteResult<Collection>> {
  const value = await inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('collections').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError(PlatformErrors.NOT_FOUND, `Collection ${id} not found`);
    if (patch.handle && patch.handle !== row.handle)
      await assertFreeHandle(trx, 'collections', patch.handle, id);
    const next = {
      ...row,
      ...(patch.handle !== undefined ? { handle: patch.handle } : {}),
      ...(patch.title !== undefined ? { title: patch.title } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.translations !== undefined ? { translations: JSON.stringify(patch.translations) } : {}),
      updated_at: now(),
    };
    await trx.updateTable('collections').set(next).where('id', '=', id).execute();
    await emit(trx, { topic: 'collection.updated', payload: { id, handle: next.handle } });
    return toCollection(next);
  });
  return { value, invalidate: [CATEGORIES_TAG] };
}

export async function deleteCollection(db: Db, id: string): Promise<WriteResult<null>> {
  const products = await inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('collections').select('id').where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError(PlatformErrors.NOT_FOUND, `Collection ${id} not found`);
    const products = await unlinkProducts(trx, 'product_collections', id);
    await trx.deleteFrom('collections').where('id', '=', id).execute();
    await emit(trx, { topic: 'collection.deleted', payload: { id, product_ids: products } });
    return products;
  });
  return { value: null, invalidate: [CATEGORIES_TAG, LISTS_TAG, ...products.map(productTag)] };
}

export async function getCollection(db: DbOrTrx, id: string): Promise<Collection> {
  const row = await db.selectFrom('collections').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError(PlatformErrors.NOT_FOUND, `Collection ${id} not found`);
  return toCollection(row);
}

export async function listCollections(db: DbOrTrx, page: { limit: number; cursor?: string }) {
  const after = decodeCursor(page.cursor, 1);
  let query = db
    .selectFrom('collections')
    .selectAll()
    .orderBy('id')
    .limit(page.limit + 1);
  if (after) query = query.where('id', '>', String(after[0]));
  return toPage((await query.execute()).map(toCollection), page.limit, (c) => [c.id]);
}

export async function allCollections(db: DbOrTrx): Promise<Collection[]> {
  return (await db.selectFrom('collections').selectAll().orderBy('title').execute()).map(toCollection);
}
