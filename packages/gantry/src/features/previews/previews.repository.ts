import { and, asc, desc, eq, ne, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/database/database.js';
import { previews, type PreviewStatus } from './previews.tables.js';

export type Preview = typeof previews.$inferSelect;

export interface OpenedPreview {
  service: string;
  number: number;
  stage: string;
  title: string;
  author: string;
  pullRequestUrl: string;
  headSha: string;
  headRef: string;
  at: Date;
}

/**
 * The pull request is open: a new preview, or one reopened (closing or
 * closed) made active again with the new head. Returns the row as stored and
 * what it was before (undefined when new).
 */
export async function openPreview(
  db: Executor,
  input: OpenedPreview,
): Promise<{ preview: Preview; previousStatus: PreviewStatus | undefined }> {
  const existing = await findPreview(db, input.service, input.number, { forUpdate: true });
  const values = {
    status: 'active' as const,
    title: input.title,
    author: input.author,
    pullRequestUrl: input.pullRequestUrl,
    headSha: input.headSha.toLowerCase(),
    headRef: input.headRef,
    lastActivityAt: input.at,
    closeReason: null,
    closedAt: null,
  };
  if (!existing) {
    const [preview] = await db
      .insert(previews)
      .values({
        service: input.service,
        number: input.number,
        stage: input.stage,
        openedAt: input.at,
        ...values,
      })
      .returning();
    return { preview: preview!, previousStatus: undefined };
  }
  const [preview] = await db
    .update(previews)
    .set({ ...values, version: sql`${previews.version} + 1` })
    .where(and(eq(previews.service, input.service), eq(previews.number, input.number)))
    .returning();
  return { preview: preview!, previousStatus: existing.status };
}

export async function findPreview(
  db: Executor,
  service: string,
  number: number,
  options: { forUpdate?: boolean } = {},
): Promise<Preview | undefined> {
  const query = db
    .select()
    .from(previews)
    .where(and(eq(previews.service, service), eq(previews.number, number)));
  const [row] = options.forUpdate ? await query.for('update') : await query;
  return row;
}

/**
 * Active previews of `service` whose pull request's head is `commit`. A
 * release may name its commit abbreviated (7+ characters), so a prefix match.
 */
export async function activePreviewsAtCommit(
  db: Executor,
  service: string,
  commit: string,
): Promise<Preview[]> {
  return db
    .select()
    .from(previews)
    .where(
      and(
        eq(previews.service, service),
        eq(previews.status, 'active'),
        sql`${previews.headSha} like ${`${commit.toLowerCase()}%`}`,
      ),
    )
    .orderBy(asc(previews.number));
}

/** Starts the teardown of an active preview; undefined when it was not active. */
export async function markClosing(
  db: Executor,
  service: string,
  number: number,
  reason: string,
  at: Date,
): Promise<Preview | undefined> {
  const [row] = await db
    .update(previews)
    .set({
      status: 'closing',
      closeReason: reason,
      lastActivityAt: at,
      version: sql`${previews.version} + 1`,
    })
    .where(and(eq(previews.service, service), eq(previews.number, number), eq(previews.status, 'active')))
    .returning();
  return row;
}

/** Every active preview, least recently active first (for the TTL sweep; previews are few). */
export async function activePreviews(db: Executor): Promise<Preview[]> {
  return db
    .select()
    .from(previews)
    .where(eq(previews.status, 'active'))
    .orderBy(asc(previews.lastActivityAt));
}

/** Previews whose stage still has to be torn down, oldest first. */
export async function closingPreviews(db: Executor, limit: number): Promise<Preview[]> {
  return db
    .select()
    .from(previews)
    .where(eq(previews.status, 'closing'))
    .orderBy(asc(previews.lastActivityAt))
    .limit(limit);
}

/** The teardown finished; only a still-closing preview is closed (a reopened one stays active). */
export async function markClosed(db: Executor, service: string, number: number, at: Date): Promise<boolean> {
  const rows = await db
    .update(previews)
    .set({ status: 'closed', closedAt: at, lastError: null, version: sql`${previews.version} + 1` })
    .where(and(eq(previews.service, service), eq(previews.number, number), eq(previews.status, 'closing')))
    .returning({ number: previews.number });
  return rows.length > 0;
}

export async function recordTeardownError(
  db: Executor,
  service: string,
  number: number,
  error: string,
): Promise<void> {
  await db
    .update(previews)
    .set({ lastError: error })
    .where(and(eq(previews.service, service), eq(previews.number, number)));
}

export async function listPreviews(
  db: Executor,
  filter: { service?: string; includeClosed: boolean; limit: number },
): Promise<Preview[]> {
  const conditions = [
    filter.service === undefined ? undefined : eq(previews.service, filter.service),
    filter.includeClosed ? undefined : ne(previews.status, 'closed'),
  ].filter((condition) => condition !== undefined);
  return db
    .select()
    .from(previews)
    .where(and(...conditions))
    .orderBy(desc(previews.lastActivityAt), asc(previews.service), asc(previews.number))
    .limit(filter.limit);
}
