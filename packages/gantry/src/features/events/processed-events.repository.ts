import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../../platform/database/database.js';

/**
 * Records that `group` handled `eventId`, inside the handler's transaction.
 * Returns false when it was already recorded: the delivery is a duplicate and
 * the handler must not run. The primary key also serialises two replicas
 * racing on the same event: the second waits for the first to commit, then
 * sees the conflict.
 */
export async function recordProcessed(tx: Executor, group: string, eventId: string): Promise<boolean> {
  const rows = await queryRows<{ event_id: string }>(
    tx,
    sql`insert into processed_events (consumer_group, event_id) values (${group}, ${eventId})
        on conflict do nothing returning event_id`,
  );
  return rows.length === 1;
}

/**
 * Forgets processed records older than the outbox retention: by then the
 * outbox rows that could redeliver those events are pruned too.
 */
export async function pruneProcessed(db: Executor, olderThan: Date, batch = 5_000): Promise<number> {
  const rows = await queryRows<{ event_id: string }>(
    db,
    sql`delete from processed_events where (consumer_group, event_id) in (
          select consumer_group, event_id from processed_events
           where processed_at < ${olderThan.toISOString()}::timestamptz limit ${batch})
        returning event_id`,
  );
  return rows.length;
}
