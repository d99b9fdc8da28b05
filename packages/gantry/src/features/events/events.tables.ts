import { sql } from 'drizzle-orm';
import {
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { timestamptz } from '../../platform/database/columns.js';

/**
 * The transactional outbox. A row is written in the same transaction as the
 * state change it announces; the relay publishes it and sets sent_at.
 * One event can have several rows: the original (destination null, for every
 * subscribed group) and later retries or replays aimed at one consumer group.
 */
export const outbox = pgTable(
  'outbox',
  {
    // Write order. Appends take a per-key advisory lock first, so within a key
    // seq order is commit order (see outbox.repository.ts).
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    eventId: uuid('event_id').notNull(),
    type: text('type').notNull(),
    key: text('key').notNull(),
    partition: smallint('partition').notNull(),
    payload: jsonb('payload').notNull(),
    headers: jsonb('headers').$type<Record<string, string>>().notNull(),
    schemaVersion: integer('schema_version').notNull(),
    occurredAt: timestamptz('occurred_at').notNull(),
    availableAt: timestamptz('available_at').notNull().defaultNow(),
    destination: text('destination'),
    attempt: integer('attempt').notNull().default(1),
    sentAt: timestamptz('sent_at'),
  },
  (table) => [
    // The relay's scan: unsent rows in seq order. Partial, so it stays as small
    // as the backlog however large the sent history grows.
    index('outbox_unsent_seq_idx')
      .on(table.seq)
      .where(sql`${table.sentAt} is null`),
    // Next timer to wake for, and the backlog age metric.
    index('outbox_unsent_available_idx')
      .on(table.availableAt)
      .where(sql`${table.sentAt} is null`),
    index('outbox_sent_at_idx')
      .on(table.sentAt)
      .where(sql`${table.sentAt} is not null`),
  ],
);

/**
 * Keys hash into a fixed number of partitions; a relay leases partitions and
 * publishes each one's rows in seq order. That gives per-key ordering and
 * disjoint work when several Gantry replicas relay at once.
 */
export const outboxPartitions = pgTable('outbox_partitions', {
  partition: smallint('partition').primaryKey(),
  owner: text('owner'),
  leaseUntil: timestamptz('lease_until')
    .notNull()
    .default(sql`'epoch'`),
});

/** Relays announce themselves so each can take a fair share of partitions. */
export const relayInstances = pgTable('relay_instances', {
  id: text('id').primaryKey(),
  heartbeatAt: timestamptz('heartbeat_at').notNull().defaultNow(),
});

/**
 * (group, event) pairs whose handler committed. Written in the handler's own
 * transaction, so a redelivered event is recognised and its effect not repeated.
 */
export const processedEvents = pgTable(
  'processed_events',
  {
    consumerGroup: text('consumer_group').notNull(),
    eventId: uuid('event_id').notNull(),
    processedAt: timestamptz('processed_at').notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.consumerGroup, table.eventId] }),
    index('processed_events_processed_at_idx').on(table.processedAt),
  ],
);

export type DeadLetterStatus = 'dead' | 'replaying' | 'resolved';

/** Events a consumer group gave up on, kept whole so they can be replayed. */
export const deadLetters = pgTable(
  'dead_letters',
  {
    id: uuid('id').primaryKey(),
    consumerGroup: text('consumer_group').notNull(),
    eventId: uuid('event_id').notNull(),
    type: text('type').notNull(),
    key: text('key').notNull(),
    payload: jsonb('payload').notNull(),
    headers: jsonb('headers').$type<Record<string, string>>().notNull(),
    schemaVersion: integer('schema_version').notNull(),
    occurredAt: timestamptz('occurred_at').notNull(),
    attempts: integer('attempts').notNull(),
    lastError: text('last_error').notNull(),
    firstFailedAt: timestamptz('first_failed_at').notNull(),
    deadAt: timestamptz('dead_at').notNull(),
    status: text('status').$type<DeadLetterStatus>().notNull(),
    replayCount: integer('replay_count').notNull().default(0),
    lastReplayedAt: timestamptz('last_replayed_at'),
    resolvedAt: timestamptz('resolved_at'),
  },
  (table) => [
    uniqueIndex('dead_letters_group_event_idx').on(table.consumerGroup, table.eventId),
    index('dead_letters_status_dead_at_idx').on(table.status, table.deadAt),
  ],
);
