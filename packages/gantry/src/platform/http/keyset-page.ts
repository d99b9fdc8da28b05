import { ValidationError } from '../../shared/errors.js';
import { decodeKeysetCursor, encodeKeysetCursor, type KeysetPosition } from '../../shared/keyset-cursor.js';

// Newest-first lists paged by (time, id): a route decodes the caller's cursor,
// asks its service for limit + 1 rows (the extra one tells whether there is a
// next page), and answers one page with the cursor of its last row.

/** Where the page starts: after the row `cursor` names; undefined for the first page. */
export function cursorPosition(cursor: string | undefined): KeysetPosition | undefined {
  if (cursor === undefined) return undefined;
  const position = decodeKeysetCursor(cursor);
  if (!position) {
    throw new ValidationError(
      'Invalid query parameter cursor: use the nextCursor value of the previous page',
    );
  }
  return position;
}

/** The first `limit` of `rows` (fetched with limit + 1) as DTOs, and `nextCursor` when more rows exist. */
export function keysetPage<Row extends { id: string }, Dto>(
  rows: readonly Row[],
  limit: number,
  timeOf: (row: Row) => Date,
  toDto: (row: Row) => Dto,
): { items: Dto[]; nextCursor?: string } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => toDto(row)),
    ...(rows.length > limit && last
      ? { nextCursor: encodeKeysetCursor({ at: timeOf(last), id: last.id }) }
      : {}),
  };
}
