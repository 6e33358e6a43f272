import { type TSchema, Type } from 'typebox';
import { AppError, PlatformErrors } from './errors.js';

/** `?limit=&cursor=` for every list. */
export const PageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
});

/** `{ data: [...], next_cursor }` for every list. */
export function Page<T extends TSchema>(item: T) {
  return Type.Object({ data: Type.Array(item), next_cursor: Type.Union([Type.String(), Type.Null()]) });
}

/**
 * Keyset cursors are opaque base64url JSON of the sort key of the last row returned, so the next page
 * starts strictly after it and stays stable under concurrent inserts.
 */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, length: number): unknown[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === length) return key;
  } catch {}
  throw new AppError(PlatformErrors.VALIDATION_FAILED, 'Invalid cursor', [
    { field: 'query.cursor', message: 'is not a cursor this list issued' },
  ]);
}

/** Fetch `limit + 1` rows, then call this: it trims the extra row and builds the next cursor. */
export function toPage<R>(
  rows: R[],
  limit: number,
  keyOf: (row: R) => unknown[],
): { data: R[]; next_cursor: string | null } {
  if (rows.length <= limit) return { data: rows, next_cursor: null };
  const data = rows.slice(0, limit);
  return { data, next_cursor: encodeCursor(keyOf(data[data.length - 1]!)) };
}
