import { index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../platform/database/columns.js';

/**
 * Webhook deliveries that produced events, by the id the sender gives them
 * (X-GitHub-Delivery, X-Gitlab-Event-UUID, Alertmanager's group key and
 * alerts). Written in the transaction that appends their events to the
 * outbox, so a delivery sent again is recognised and its events are not
 * written twice. Rows older than the outbox retention are pruned.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    provider: text('provider').notNull(),
    deliveryId: text('delivery_id').notNull(),
    /** The provider's event name (push, Merge Request Hook, firing …), for reading the table. */
    event: text('event').notNull(),
    /** How many outbox events the delivery produced. */
    events: integer('events').notNull(),
    receivedAt: timestamptz('received_at').notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.provider, table.deliveryId] }),
    index('webhook_deliveries_received_idx').on(table.receivedAt),
  ],
);
