import { and, eq, lt } from 'drizzle-orm';
import type { Executor } from '../../platform/database/database.js';
import { idempotencyKeys } from './access.tables.js';

export type IdempotencyRecord = typeof idempotencyKeys.$inferSelect;

export interface IdempotencyClaim {
  actor: string;
  key: string;
  method: string;
  path: string;
  requestHash: string;
}

/**
 * Records the key as in progress. The primary key (actor, key) decides races:
 * of two concurrent requests only one inserts; the other gets undefined and
 * reads what the winner stored.
 */
export async function claimIdempotencyKey(
  db: Executor,
  claim: IdempotencyClaim,
): Promise<IdempotencyRecord | undefined> {
  const [row] = await db
    .insert(idempotencyKeys)
    .values({
      ...claim,
      status: 'in_progress',
      responseStatus: null,
      responseBody: null,
      createdAt: new Date(),
    })
    .onConflictDoNothing()
    .returning();
  return row;
}

export async function findIdempotencyKey(
  db: Executor,
  actor: string,
  key: string,
): Promise<IdempotencyRecord | undefined> {
  const [row] = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.actor, actor), eq(idempotencyKeys.key, key)))
    .limit(1);
  return row;
}

export async function completeIdempotencyKey(
  db: Executor,
  actor: string,
  key: string,
  response: { status: number; body: unknown },
): Promise<void> {
  await db
    .update(idempotencyKeys)
    .set({ status: 'done', responseStatus: response.status, responseBody: response.body ?? null })
    .where(and(eq(idempotencyKeys.actor, actor), eq(idempotencyKeys.key, key)));
}

/**
 * Forgets a key, so a retry runs again. With `createdAt`, only that exact
 * record (an expired or abandoned one another request may be replacing).
 */
export async function releaseIdempotencyKey(
  db: Executor,
  actor: string,
  key: string,
  createdAt?: Date,
): Promise<void> {
  const conditions = [eq(idempotencyKeys.actor, actor), eq(idempotencyKeys.key, key)];
  if (createdAt) conditions.push(eq(idempotencyKeys.createdAt, createdAt));
  await db.delete(idempotencyKeys).where(and(...conditions));
}

export async function pruneIdempotencyKeys(db: Executor, createdBefore: Date): Promise<number> {
  const rows = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, createdBefore))
    .returning({ key: idempotencyKeys.key });
  return rows.length;
}
