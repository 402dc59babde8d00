import { decodeCursor, encodeCursor } from '../../application/cursor.js';
import type { Page, PageRequest } from '../../application/ports/read-models.js';

/** Where a page starts: below the cursor's key, or from the top. Lists run newest first. */
export const before = (page: PageRequest): number => (page.cursor ? (decodeCursor(page.cursor) ?? 0) : Number.MAX_SAFE_INTEGER);

/** Where a page starts in a list that runs oldest first: above the cursor's key, or from the bottom. */
export const after = (page: PageRequest): number => (page.cursor ? (decodeCursor(page.cursor) ?? Number.MAX_SAFE_INTEGER) : 0);

/** A page from `limit + 1` rows read: the extra row says whether there is a next page, keyed by the last row's `key`. */
export const pageOf = <Row, T>(rows: Row[], limit: number, key: (row: Row) => number, map: (row: Row) => T): Page<T> => {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items: items.map(map), nextCursor: rows.length > limit && last !== undefined ? encodeCursor(key(last)) : null };
};
