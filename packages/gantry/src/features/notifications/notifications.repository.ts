import { and, desc, eq, inArray, isNotNull, lt, lte, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from '../../platform/database/database.js';
import type { KeysetPosition } from '../../shared/keyset-cursor.js';
import { notificationDeliveries, type NotificationDeliveryStatus } from './notifications.tables.js';
import { olderThan } from '../../platform/database/keyset.js';

export type NotificationDelivery = typeof notificationDeliveries.$inferSelect;
export type NewNotificationDelivery = Pick<
  NotificationDelivery,
  'id' | 'channel' | 'eventId' | 'eventType' | 'subject' | 'data' | 'occurredAt'
>;

/**
 * Records deliveries to send. A delivery that exists already for its (event,
 * channel) is left alone, so a source event handled twice sends once.
 */
export async function insertDeliveries(
  tx: Executor,
  rows: readonly NewNotificationDelivery[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await tx
    .insert(notificationDeliveries)
    .values(rows.map((row) => ({ ...row, status: 'pending' as const, nextAttemptAt: sql`now()` })))
    .onConflictDoNothing({ target: [notificationDeliveries.eventId, notificationDeliveries.channel] })
    .returning({ id: notificationDeliveries.id });
  return inserted.length;
}

/** Channels with deliveries due now, and how many. */
export async function dueChannels(db: Executor): Promise<Map<string, number>> {
  const rows = await db
    .select({ channel: notificationDeliveries.channel, due: sql<number>`count(*)::int` })
    .from(notificationDeliveries)
    .where(
      and(
        eq(notificationDeliveries.status, 'pending'),
        lte(notificationDeliveries.nextAttemptAt, sql`now()`),
      ),
    )
    .groupBy(notificationDeliveries.channel);
  return new Map(rows.map((row) => [row.channel, Number(row.due)]));
}

/**
 * Claims up to `limit` due deliveries of a channel for one attempt each: the
 * attempt is counted and the row is not due again until the lease ends. Rows
 * another replica is claiming at this moment are skipped, not waited for.
 */
export async function claimDue(
  db: Executor,
  channel: string,
  limit: number,
  owner: string,
  leaseMs: number,
): Promise<NotificationDelivery[]> {
  if (limit <= 0) return [];
  const due = db
    .select({ id: notificationDeliveries.id })
    .from(notificationDeliveries)
    .where(
      and(
        eq(notificationDeliveries.channel, channel),
        eq(notificationDeliveries.status, 'pending'),
        lte(notificationDeliveries.nextAttemptAt, sql`now()`),
      ),
    )
    .orderBy(notificationDeliveries.nextAttemptAt, notificationDeliveries.id)
    .limit(limit)
    .for('update', { skipLocked: true });
  return db
    .update(notificationDeliveries)
    .set({
      attempts: sql`${notificationDeliveries.attempts} + 1`,
      leaseOwner: owner,
      nextAttemptAt: sql`now() + make_interval(secs => ${leaseMs / 1000})`,
    })
    .where(inArray(notificationDeliveries.id, due))
    .returning();
}

/** Every claimed delivery due now (PGlite at start: whoever held the leases is gone). */
export async function releaseAllLeases(db: Executor): Promise<void> {
  await db
    .update(notificationDeliveries)
    .set({ nextAttemptAt: sql`now()`, leaseOwner: null })
    .where(and(eq(notificationDeliveries.status, 'pending'), isNotNull(notificationDeliveries.leaseOwner)));
}

/** Only the claim that is still ours may record its outcome (owner and attempt number match). */
function ownClaim(claim: Pick<NotificationDelivery, 'id' | 'leaseOwner' | 'attempts'>): SQL {
  return and(
    eq(notificationDeliveries.id, claim.id),
    eq(notificationDeliveries.status, 'pending'),
    eq(notificationDeliveries.leaseOwner, claim.leaseOwner ?? ''),
    eq(notificationDeliveries.attempts, claim.attempts),
  )!;
}

export interface AttemptOutcome {
  /** HTTP status of the answer, when there was one. */
  httpStatus: number | null;
  error: string | null;
}

export async function markSent(
  db: Executor,
  claim: NotificationDelivery,
  outcome: AttemptOutcome,
): Promise<boolean> {
  const rows = await db
    .update(notificationDeliveries)
    .set({
      status: 'sent',
      sentAt: sql`now()`,
      leaseOwner: null,
      lastStatus: outcome.httpStatus,
      lastError: null,
    })
    .where(ownClaim(claim))
    .returning({ id: notificationDeliveries.id });
  return rows.length > 0;
}

export async function scheduleRetry(
  db: Executor,
  claim: NotificationDelivery,
  outcome: AttemptOutcome,
  delayMs: number,
): Promise<boolean> {
  const rows = await db
    .update(notificationDeliveries)
    .set({
      nextAttemptAt: sql`now() + make_interval(secs => ${delayMs / 1000})`,
      leaseOwner: null,
      lastStatus: outcome.httpStatus,
      lastError: outcome.error,
    })
    .where(ownClaim(claim))
    .returning({ id: notificationDeliveries.id });
  return rows.length > 0;
}

export async function markDead(
  db: Executor,
  claim: NotificationDelivery,
  outcome: AttemptOutcome,
): Promise<boolean> {
  const rows = await db
    .update(notificationDeliveries)
    .set({
      status: 'dead',
      deadAt: sql`now()`,
      leaseOwner: null,
      lastStatus: outcome.httpStatus,
      lastError: outcome.error,
    })
    .where(ownClaim(claim))
    .returning({ id: notificationDeliveries.id });
  return rows.length > 0;
}

/** Pending deliveries of a channel the configuration no longer declares: dead, with the reason. */
export async function killDeliveriesOfChannel(
  db: Executor,
  channel: string,
  reason: string,
): Promise<number> {
  const rows = await db
    .update(notificationDeliveries)
    .set({ status: 'dead', deadAt: sql`now()`, leaseOwner: null, lastError: reason })
    .where(and(eq(notificationDeliveries.channel, channel), eq(notificationDeliveries.status, 'pending')))
    .returning({ id: notificationDeliveries.id });
  return rows.length;
}

export interface DeliveryFilter {
  status?: NotificationDeliveryStatus;
  channel?: string;
  type?: string;
  eventId?: string;
  /** Keyset pagination: only rows created before this one. */
  before?: KeysetPosition;
  limit: number;
}

export async function listDeliveries(db: Executor, filter: DeliveryFilter): Promise<NotificationDelivery[]> {
  const conditions: SQL[] = [];
  if (filter.status) conditions.push(eq(notificationDeliveries.status, filter.status));
  if (filter.channel) conditions.push(eq(notificationDeliveries.channel, filter.channel));
  if (filter.type) conditions.push(eq(notificationDeliveries.eventType, filter.type));
  if (filter.eventId) conditions.push(eq(notificationDeliveries.eventId, filter.eventId));
  if (filter.before) {
    conditions.push(olderThan(notificationDeliveries.createdAt, notificationDeliveries.id, filter.before));
  }
  return db
    .select()
    .from(notificationDeliveries)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(notificationDeliveries.createdAt), desc(notificationDeliveries.id))
    .limit(filter.limit);
}

export async function findDelivery(db: Executor, id: string): Promise<NotificationDelivery | undefined> {
  const [row] = await db
    .select()
    .from(notificationDeliveries)
    .where(eq(notificationDeliveries.id, id))
    .limit(1);
  return row;
}

/** A dead delivery goes back to the queue with a fresh attempt count; undefined when it is not dead. */
export async function requeueDead(db: Executor, id: string): Promise<NotificationDelivery | undefined> {
  const [row] = await db
    .update(notificationDeliveries)
    .set({
      status: 'pending',
      attempts: 0,
      nextAttemptAt: sql`now()`,
      leaseOwner: null,
      deadAt: null,
      replayCount: sql`${notificationDeliveries.replayCount} + 1`,
    })
    .where(and(eq(notificationDeliveries.id, id), eq(notificationDeliveries.status, 'dead')))
    .returning();
  return row;
}

export interface QueueCount {
  channel: string;
  status: 'pending' | 'dead';
  count: number;
}

/** Pending (queued, due or not) and dead deliveries per channel, for the metrics. */
export async function queueCounts(db: Executor): Promise<QueueCount[]> {
  const rows = await queryRows<{ channel: string; status: 'pending' | 'dead'; count: string | number }>(
    db,
    sql`select channel, status, count(*) as count from notification_deliveries
        where status in ('pending', 'dead') group by channel, status`,
  );
  return rows.map((row) => ({ channel: row.channel, status: row.status, count: Number(row.count) }));
}

/** Sent deliveries older than `before` are history nobody reads: deleted. */
export async function pruneSent(db: Executor, before: Date): Promise<number> {
  const rows = await db
    .delete(notificationDeliveries)
    .where(and(eq(notificationDeliveries.status, 'sent'), lt(notificationDeliveries.sentAt, before)))
    .returning({ id: notificationDeliveries.id });
  return rows.length;
}
