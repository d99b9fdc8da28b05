import type { DatabaseHandle } from '../../../platform/database/database.js';
import { traceHeaders } from '../../../platform/telemetry/tracing.js';
import { NotFoundError } from '../../../shared/errors.js';
import { EventHeader, type EventEnvelope } from '../event.js';
import type { EventAppender } from '../event-appender.js';
import type { DeadLetterStatus } from '../events.tables.js';
import {
  findDeadLetter,
  findDeadLetterForUpdate,
  listDeadLetters,
  markReplaying,
  type DeadLetter,
  type DeadLetterFilter,
} from './dead-letters.repository.js';

export interface ReplayResult {
  deadLetter: DeadLetter;
  /** False when the event had already been handled; nothing was queued. */
  queued: boolean;
}

/**
 * Inspecting and replaying events a consumer group gave up on. A replay puts
 * the event back in the outbox for that group only, with a fresh attempt
 * count; the group's processed-events record makes a replay of an event that
 * did get handled a no-op.
 */
export class DeadLetterService {
  constructor(
    private readonly database: DatabaseHandle,
    private readonly events: EventAppender,
  ) {}

  list(filter: DeadLetterFilter): Promise<DeadLetter[]> {
    return listDeadLetters(this.database.db, filter);
  }

  async get(id: string): Promise<DeadLetter> {
    const row = await findDeadLetter(this.database.db, id);
    if (!row)
      throw new NotFoundError(`dead letter ${id} does not exist; list them with: gantry dead-letters list`);
    return row;
  }

  async replay(id: string): Promise<ReplayResult> {
    return this.database.db.transaction(async (tx) => {
      const row = await findDeadLetterForUpdate(tx, id);
      if (!row)
        throw new NotFoundError(`dead letter ${id} does not exist; list them with: gantry dead-letters list`);
      if (row.status === 'resolved') return { deadLetter: row, queued: false };
      await this.events.redeliver(tx, envelopeOf(row), {
        group: row.consumerGroup,
        attempt: 1,
        // The replay belongs to the trace of whoever asked for it.
        headers: { ...traceHeaders(), [EventHeader.replayOf]: row.id },
      });
      return { deadLetter: await markReplaying(tx, id), queued: true };
    });
  }

  /** Replays every dead letter matching the filter (status defaults to dead). */
  async replayMatching(filter: Omit<DeadLetterFilter, 'before' | 'limit'>): Promise<ReplayResult[]> {
    const status: DeadLetterStatus = filter.status ?? 'dead';
    const results: ReplayResult[] = [];
    // Keyset pages by (deadAt, id): replaying changes a row's status but not
    // its position, so each page continues after the last row of the previous one.
    const pageSize = 100;
    let before: DeadLetterFilter['before'];
    for (;;) {
      const page = await this.list({ ...filter, status, before, limit: pageSize });
      for (const row of page) results.push(await this.replay(row.id));
      const last = page.at(-1);
      if (page.length < pageSize || !last) return results;
      before = { deadAt: last.deadAt, id: last.id };
    }
  }
}

function envelopeOf(row: DeadLetter): EventEnvelope {
  return {
    id: row.eventId,
    type: row.type,
    key: row.key,
    payload: row.payload,
    schemaVersion: row.schemaVersion,
    occurredAt: row.occurredAt.toISOString(),
    headers: withoutDeliveryHeaders(row.headers),
    destination: row.consumerGroup,
    attempt: 1,
    outboxSeq: 0,
  };
}

function withoutDeliveryHeaders(headers: Record<string, string>): Record<string, string> {
  const rest = { ...headers };
  delete rest[EventHeader.replayOf];
  delete rest[EventHeader.firstFailedAt];
  return rest;
}
