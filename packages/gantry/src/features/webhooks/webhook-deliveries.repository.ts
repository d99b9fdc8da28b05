import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../../platform/database/database.js';
import { webhookDeliveries } from './webhooks.tables.js';

export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;

/**
 * Records a delivery inside the transaction that appends its events. False
 * when the provider's delivery id is already recorded: the delivery is a
 * repeat and its events must not be written again. On PostgreSQL the primary
 * key also serialises two copies arriving at once: the second waits for the
 * first to commit, then sees the conflict.
 */
export async function recordDelivery(
  tx: Executor,
  delivery: { provider: string; deliveryId: string; event: string; events: number },
): Promise<boolean> {
  const rows = await tx
    .insert(webhookDeliveries)
    .values(delivery)
    .onConflictDoNothing()
    .returning({ deliveryId: webhookDeliveries.deliveryId });
  return rows.length === 1;
}

/** Forgets deliveries older than `olderThan`, a bounded batch at a time; returns how many went. */
export async function pruneDeliveries(db: Executor, olderThan: Date, batch = 5_000): Promise<number> {
  const rows = await queryRows<{ delivery_id: string }>(
    db,
    sql`delete from webhook_deliveries where (provider, delivery_id) in (
          select provider, delivery_id from webhook_deliveries
           where received_at < ${olderThan.toISOString()}::timestamptz limit ${batch})
        returning delivery_id`,
  );
  return rows.length;
}
