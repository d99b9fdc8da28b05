import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from '../../../platform/database/database.js';
import { uuidv7 } from '../../../shared/uuidv7.js';
import type { EventEnvelope } from '../event.js';
import { deadLetters, type DeadLetterStatus } from '../events.tables.js';

export type DeadLetter = typeof deadLetters.$inferSelect;

export interface DeadLetterFailure {
  group: string;
  envelope: EventEnvelope;
  attempts: number;
  lastError: string;
  /** When the first delivery of this event to the group failed, if known. */
  firstFailedAt: Date;
}

/**
 * Puts an event a group gave up on into the dead-letter table. One row per
 * (group, event): an event that dies again after a replay updates its row,
 * keeping its id and replay count, so people see one history.
 */
export async function upsertDeadLetter(tx: Executor, failure: DeadLetterFailure): Promise<void> {
  const { envelope } = failure;
  await tx
    .insert(deadLetters)
    .values({
      id: uuidv7(),
      consumerGroup: failure.group,
      eventId: envelope.id,
      type: envelope.type,
      key: envelope.key,
      payload: envelope.payload,
      headers: envelope.headers,
      schemaVersion: envelope.schemaVersion,
      occurredAt: new Date(envelope.occurredAt),
      attempts: failure.attempts,
      lastError: failure.lastError,
      firstFailedAt: failure.firstFailedAt,
      deadAt: new Date(),
      status: 'dead',
    })
    .onConflictDoUpdate({
      target: [deadLetters.consumerGroup, deadLetters.eventId],
      set: {
        attempts: sql`${deadLetters.attempts} + excluded.attempts`,
        lastError: sql`excluded.last_error`,
        deadAt: sql`excluded.dead_at`,
        status: 'dead',
        resolvedAt: null,
      },
    });
}

export interface DeadLetterFilter {
  status?: DeadLetterStatus;
  group?: string;
  type?: string;
  /** Keyset pagination: only rows that died before this dead letter. */
  before?: { deadAt: Date; id: string };
  limit: number;
}

export async function listDeadLetters(db: Executor, filter: DeadLetterFilter): Promise<DeadLetter[]> {
  const conditions: SQL[] = [];
  if (filter.status) conditions.push(eq(deadLetters.status, filter.status));
  if (filter.group) conditions.push(eq(deadLetters.consumerGroup, filter.group));
  if (filter.type) conditions.push(eq(deadLetters.type, filter.type));
  if (filter.before) {
    conditions.push(
      sql`(${deadLetters.deadAt}, ${deadLetters.id}) < (${filter.before.deadAt.toISOString()}::timestamptz, ${filter.before.id}::uuid)`,
    );
  }
  return db
    .select()
    .from(deadLetters)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(deadLetters.deadAt), desc(deadLetters.id))
    .limit(filter.limit);
}

export async function findDeadLetter(db: Executor, id: string): Promise<DeadLetter | undefined> {
  const [row] = await db.select().from(deadLetters).where(eq(deadLetters.id, id)).limit(1);
  return row;
}

/** Locks the row for the replaying transaction, so two replays do not interleave. */
export async function findDeadLetterForUpdate(tx: Executor, id: string): Promise<DeadLetter | undefined> {
  const [row] = await tx.select().from(deadLetters).where(eq(deadLetters.id, id)).for('update').limit(1);
  return row;
}

export async function markReplaying(tx: Executor, id: string): Promise<DeadLetter> {
  const [row] = await tx
    .update(deadLetters)
    .set({
      status: 'replaying',
      replayCount: sql`${deadLetters.replayCount} + 1`,
      lastReplayedAt: new Date(),
    })
    .where(eq(deadLetters.id, id))
    .returning();
  return row!;
}

/** Called in the handler's transaction when a replayed event finally succeeds. */
export async function markResolved(tx: Executor, group: string, eventId: string): Promise<void> {
  await tx
    .update(deadLetters)
    .set({ status: 'resolved', resolvedAt: new Date() })
    .where(and(eq(deadLetters.consumerGroup, group), eq(deadLetters.eventId, eventId)));
}

export async function countUnresolvedDeadLetters(db: Executor): Promise<number> {
  const [row] = await queryRows<{ count: string | number }>(
    db,
    sql`select count(*) as count from dead_letters where status <> 'resolved'`,
  );
  return Number(row?.count ?? 0);
}

export async function deleteResolvedBefore(db: Executor, before: Date): Promise<number> {
  const rows = await db
    .delete(deadLetters)
    .where(and(eq(deadLetters.status, 'resolved'), lt(deadLetters.resolvedAt, before)))
    .returning({ id: deadLetters.id });
  return rows.length;
}
