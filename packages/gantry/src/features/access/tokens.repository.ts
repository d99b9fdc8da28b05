import { and, asc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../../platform/database/database.js';
import { apiTokens } from './access.tables.js';

export type ApiToken = typeof apiTokens.$inferSelect;
export type NewApiToken = typeof apiTokens.$inferInsert;

export async function countTokens(db: Executor): Promise<number> {
  const [row] = await queryRows<{ count: string | number }>(
    db,
    sql`select count(*) as count from api_tokens`,
  );
  return Number(row?.count ?? 0);
}

/** Inserts a token; undefined when its name is taken (the caller decides what that means). */
export async function insertTokenUnlessNameTaken(
  tx: Executor,
  token: NewApiToken,
): Promise<ApiToken | undefined> {
  const [row] = await tx
    .insert(apiTokens)
    .values(token)
    .onConflictDoNothing({ target: apiTokens.name })
    .returning();
  return row;
}

/** The token with this hash, revoked or not. One indexed lookup (token_hash is unique). */
export async function findTokenByHash(db: Executor, hash: string): Promise<ApiToken | undefined> {
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.tokenHash, hash)).limit(1);
  return row;
}

/** Sets last_used_at unless someone already did so after `staleBefore`. */
export async function touchTokenLastUsed(db: Executor, id: string, staleBefore: Date): Promise<void> {
  await db
    .update(apiTokens)
    .set({ lastUsedAt: new Date() })
    .where(
      and(eq(apiTokens.id, id), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, staleBefore))),
    );
}

export async function listTokens(db: Executor): Promise<ApiToken[]> {
  return db.select().from(apiTokens).orderBy(asc(apiTokens.createdAt), asc(apiTokens.name));
}

export async function findTokenByName(db: Executor, name: string): Promise<ApiToken | undefined> {
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.name, name)).limit(1);
  return row;
}

/** Locks the token's row for the revoking transaction. */
export async function findTokenForUpdate(
  tx: Executor,
  by: { id: string } | { name: string },
): Promise<ApiToken | undefined> {
  const condition = 'id' in by ? eq(apiTokens.id, by.id) : eq(apiTokens.name, by.name);
  const [row] = await tx.select().from(apiTokens).where(condition).for('update').limit(1);
  return row;
}

/**
 * Locks every active admin token and returns their ids, so that two
 * concurrent revocations cannot both remove "the other" last admin.
 */
export async function lockActiveAdminTokens(tx: Executor): Promise<string[]> {
  const rows = await tx
    .select({ id: apiTokens.id })
    .from(apiTokens)
    .where(and(eq(apiTokens.role, 'admin'), isNull(apiTokens.revokedAt)))
    .orderBy(asc(apiTokens.id))
    .for('update');
  return rows.map((row) => row.id);
}

export async function markTokenRevoked(tx: Executor, id: string, at: Date): Promise<ApiToken> {
  const [row] = await tx.update(apiTokens).set({ revokedAt: at }).where(eq(apiTokens.id, id)).returning();
  return row!;
}
