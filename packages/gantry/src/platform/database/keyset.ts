import { and, eq, lt, or, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';

/**
 * The rows after `position` in a newest-first list ordered by (time desc,
 * id desc): a page that starts after the last row of the previous one, however
 * many rows were added meanwhile (see shared/keyset-cursor.ts for the cursor).
 * Written as or/and rather than a row comparison so that PGlite and
 * PostgreSQL both use the (time, id) index.
 */
export function olderThan(time: AnyPgColumn, id: AnyPgColumn, position: { at: Date; id: string }): SQL {
  return or(lt(time, position.at), and(eq(time, position.at), lt(id, position.id)))!;
}
