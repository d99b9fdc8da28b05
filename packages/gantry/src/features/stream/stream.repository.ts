import { and, desc, gt, inArray, isNull, asc } from 'drizzle-orm';
import type { Executor } from '../../platform/database/database.js';
import { outbox } from '../events/events.tables.js';

// The stream reads the outbox itself: every event Gantry announces is there
// (sent or not) until it is pruned after GANTRY_OUTBOX_RETENTION, in seq
// order, so any Gantry process can serve any client and a client can resume
// after the last seq it saw.

export interface StreamRow {
  seq: number;
  eventId: string;
  type: string;
  key: string;
  payload: unknown;
  occurredAt: Date;
}

/**
 * Originals (not retries or replays aimed at one consumer group) of the given
 * types after `afterSeq`, oldest first. A range scan on the primary key: the
 * rows past a recent seq are few, whatever the table's size.
 */
export async function streamRowsAfter(
  db: Executor,
  afterSeq: number,
  types: readonly string[],
  limit: number,
): Promise<StreamRow[]> {
  return db
    .select({
      seq: outbox.seq,
      eventId: outbox.eventId,
      type: outbox.type,
      key: outbox.key,
      payload: outbox.payload,
      occurredAt: outbox.occurredAt,
    })
    .from(outbox)
    .where(and(gt(outbox.seq, afterSeq), isNull(outbox.destination), inArray(outbox.type, [...types])))
    .orderBy(asc(outbox.seq))
    .limit(limit);
}

/** The highest seq written so far (0 for an empty outbox): where a new client starts. */
export async function latestOutboxSeq(db: Executor): Promise<number> {
  const [row] = await db.select({ seq: outbox.seq }).from(outbox).orderBy(desc(outbox.seq)).limit(1);
  return row?.seq ?? 0;
}
