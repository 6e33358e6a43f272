import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { decodeCursor, encodeCursor, toPage } from './pagination.js';

describe('keyset pagination', () => {
  it('trims the look-ahead row and encodes the last key', () => {
    const rows = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    const page = toPage(rows, 2, (r) => [r.id]);
    expect(page.data).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(decodeCursor(page.next_cursor!, 1)).toEqual(['b']);
    expect(toPage(rows, 3, (r) => [r.id]).next_cursor).toBeNull();
  });

  it('rejects a forged or foreign cursor as a 400', () => {
    expect(() => decodeCursor('not-base64-json', 1)).toThrow(AppError);
    expect(() => decodeCursor(encodeCursor(['a', 'b']), 1)).toThrow('Invalid cursor');
    expect(decodeCursor(undefined, 1)).toBeUndefined();
  });
});
