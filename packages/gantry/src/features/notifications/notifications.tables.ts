import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../platform/database/columns.js';

export type NotificationDeliveryStatus = 'pending' | 'sent' | 'dead';

/**
 * One notification to one channel: written by the `notifications` consumer in
 * the transaction that records its source event as processed, then sent by
 * the sender outside any transaction. Never holds a channel's URL or secret
 * (those stay in configuration); `data` is what the message says.
 *
 * A pending row is due at `next_attempt_at`. Claiming it for an attempt moves
 * `next_attempt_at` to the end of a lease and sets `lease_owner`, so a sender
 * that dies mid-request leaves a row that becomes due again by itself.
 */
export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    id: uuid('id').primaryKey(),
    channel: text('channel').notNull(),
    /** The source event (promotion.phase-changed, incident.opened, …). */
    eventId: uuid('event_id').notNull(),
    /** In people's terms: promotion.succeeded, incident.opened, … */
    eventType: text('event_type').notNull(),
    /** What it is about, for listing: `checkout/prod`, `incident <id>`. */
    subject: text('subject').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    occurredAt: timestamptz('occurred_at').notNull(),
    status: text('status').$type<NotificationDeliveryStatus>().notNull(),
    /** Attempts started (a claim counts one, so a request that crashes Gantry is not retried forever). */
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamptz('next_attempt_at').notNull(),
    leaseOwner: text('lease_owner'),
    /** HTTP status of the last answer, if any. */
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    replayCount: integer('replay_count').notNull().default(0),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    sentAt: timestamptz('sent_at'),
    deadAt: timestamptz('dead_at'),
  },
  (table) => [
    // One delivery per (event, channel), whatever redelivers the event.
    uniqueIndex('notification_deliveries_event_channel_idx').on(table.eventId, table.channel),
    // The sender's scan: due rows. Partial, so it stays as small as the queue.
    index('notification_deliveries_due_idx')
      .on(table.nextAttemptAt)
      .where(sql`${table.status} = 'pending'`),
    index('notification_deliveries_created_idx').on(table.createdAt, table.id),
    index('notification_deliveries_status_idx').on(table.status, table.channel),
  ],
);
