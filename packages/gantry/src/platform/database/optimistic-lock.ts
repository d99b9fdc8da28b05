import { and, eq, sql } from 'drizzle-orm';
import type { AnyPgColumn, PgTable, PgUpdateSetSource } from 'drizzle-orm/pg-core';
import { NotFoundError, StaleVersionError } from '../../shared/errors.js';
import type { Executor } from './database.js';

/** An aggregate table with an `id` and an integer `version` column. */
export type VersionedTable = PgTable & { id: AnyPgColumn; version: AnyPgColumn };

export interface VersionedUpdate<T extends VersionedTable> {
  /** Named in the error message: "promotion 0193… was changed by someone else". */
  aggregate: string;
  id: string;
  /** The version the caller read; the update applies only if it is still current. */
  expectedVersion: number;
  set: PgUpdateSetSource<T>;
}

/**
 * Optimistic locking: updates the row only if its version is still the one
 * the caller read, and bumps the version in the same statement. A stale
 * version throws StaleVersionError (HTTP 409); a missing row NotFoundError.
 * The compare-and-set is one UPDATE, so no lock is held between read and write.
 */
export async function updateWithVersion<T extends VersionedTable>(
  executor: Executor,
  table: T,
  update: VersionedUpdate<T>,
): Promise<T['$inferSelect']> {
  const rows = (await executor
    .update(table)
    .set({ ...update.set, version: sql`${table.version} + 1` })
    .where(and(eq(table.id, update.id), eq(table.version, update.expectedVersion)))
    .returning()) as T['$inferSelect'][];
  const [row] = rows;
  if (row) return row;
  const [existing] = await executor
    .select({ id: table.id })
    .from(asPlainTable(table))
    .where(eq(table.id, update.id))
    .limit(1);
  if (!existing) throw new NotFoundError(`${update.aggregate} ${update.id} does not exist`);
  throw new StaleVersionError(update.aggregate, update.id, update.expectedVersion);
}

// Drizzle's from() cannot prove a generic table has a selection; it does.
function asPlainTable(table: VersionedTable): PgTable {
  return table;
}
