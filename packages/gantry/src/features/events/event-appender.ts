import { traceHeaders } from '../../platform/telemetry/tracing.js';
import type { Executor, Tx } from '../../platform/database/database.js';
import { uuidv7 } from '../../shared/uuidv7.js';
import {
  assertEventName,
  EventHeader,
  type AppendOptions,
  type EventEnvelope,
  type NewEvent,
} from './event.js';
import { insertOutboxRows, lockKeysAndNotify, type OutboxRow } from './outbox.repository.js';
import { partitionOf } from './partitions.js';

/**
 * `events.append(tx, event)`: the only way anything in Gantry announces a
 * state change. The event is written to the outbox inside the caller's
 * transaction, so it exists if and only if the state change committed.
 */
export class EventAppender {
  async append<P>(tx: Tx, event: NewEvent<P>, options: AppendOptions = {}): Promise<string> {
    const [id] = await this.appendMany(tx, [event], options);
    return id!;
  }

  async appendMany(tx: Tx, events: readonly NewEvent[], options: AppendOptions = {}): Promise<string[]> {
    if (events.length === 0) return [];
    const now = new Date();
    const trace = traceHeaders();
    const rows: OutboxRow[] = events.map((event) => {
      assertEventName('event type', event.type);
      if (!event.key) throw new Error(`event ${event.type} has an empty key; the key names its aggregate`);
      const headers: Record<string, string> = { ...trace };
      if (event.causationId) headers[EventHeader.causationId] = event.causationId;
      return {
        eventId: uuidv7(now.getTime()),
        type: event.type,
        key: event.key,
        partition: partitionOf(event.key),
        payload: event.payload ?? null,
        headers,
        schemaVersion: event.schemaVersion ?? 1,
        occurredAt: now,
        availableAt: options.availableAt,
        destination: null,
        attempt: 1,
      };
    });
    await this.write(tx, rows);
    return rows.map((row) => row.eventId);
  }

  /**
   * Another delivery of an existing event to one consumer group: a retry after
   * a failure, or a replay of a dead letter. Same event id, so the group's
   * processed-events record still deduplicates it.
   */
  async redeliver(
    tx: Executor,
    envelope: EventEnvelope,
    delivery: { group: string; attempt: number; availableAt?: Date; headers?: Record<string, string> },
  ): Promise<void> {
    await this.write(tx, [
      {
        eventId: envelope.id,
        type: envelope.type,
        key: envelope.key,
        partition: partitionOf(envelope.key),
        payload: envelope.payload,
        headers: { ...envelope.headers, ...delivery.headers },
        schemaVersion: envelope.schemaVersion,
        occurredAt: new Date(envelope.occurredAt),
        availableAt: delivery.availableAt,
        destination: delivery.group,
        attempt: delivery.attempt,
      },
    ]);
  }

  private async write(tx: Executor, rows: OutboxRow[]): Promise<void> {
    await lockKeysAndNotify(
      tx,
      rows.map((row) => row.key),
    );
    await insertOutboxRows(tx, rows);
  }
}
