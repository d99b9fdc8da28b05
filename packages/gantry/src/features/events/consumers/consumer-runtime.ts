import { SpanKind } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { DatabaseHandle } from '../../../platform/database/database.js';
import { withSpan } from '../../../platform/telemetry/tracing.js';
import { errorMessage } from '../../../shared/errors.js';
import { redactText } from '../../../shared/redact.js';
import { withTimeout } from '../../../shared/sleep.js';
import { upsertDeadLetter, markResolved } from '../dead-letters/dead-letters.repository.js';
import { EventHeader, type EventEnvelope } from '../event.js';
import type { EventAppender } from '../event-appender.js';
import { noInstrumentation, type BackboneInstrumentation, type HandlerOutcome } from '../instrumentation.js';
import { recordProcessed } from '../processed-events.repository.js';
import { retryDelayMs, shouldDeadLetter, type RetryPolicy } from '../retry-policy.js';
import type { Subscription, Transport } from '../transports/transport.js';
import type { ConsumerGroupDefinition, DeliveredEvent, EventHandler } from './consumer-registry.js';
import { KeyedSerialExecutor } from './keyed-serial-executor.js';

export interface ConsumerRuntimeOptions {
  database: DatabaseHandle;
  transport: Transport;
  events: EventAppender;
  groups: readonly ConsumerGroupDefinition[];
  retry: RetryPolicy;
  concurrency: number;
  logger: Logger;
  instrumentation?: BackboneInstrumentation;
}

/**
 * Subscribes every consumer group and runs its handlers: exactly one effect
 * per (group, event), whatever the broker redelivers. A failing handler's
 * event is retried later through the outbox (aimed at its group only), and
 * after the last attempt it goes to the dead-letter table.
 */
export class ConsumerRuntime {
  private readonly subscriptions: Subscription[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly serial = new Map<string, KeyedSerialExecutor>();
  private stopping = false;
  private readonly instrumentation: BackboneInstrumentation;

  constructor(private readonly options: ConsumerRuntimeOptions) {
    this.instrumentation = options.instrumentation ?? noInstrumentation;
  }

  async start(): Promise<void> {
    for (const definition of this.options.groups) {
      const executor = new KeyedSerialExecutor();
      this.serial.set(definition.group, executor);
      const subscription = await this.options.transport.subscribe({
        group: definition.group,
        eventTypes: [...definition.handlers.keys()],
        concurrency: this.options.concurrency,
        deliver: (envelope) => this.deliver(definition, executor, envelope),
      });
      this.subscriptions.push(subscription);
    }
  }

  /** Stops taking deliveries, then waits (bounded) for handlers already running. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    await Promise.allSettled(this.subscriptions.map((subscription) => subscription.cancel()));
    this.subscriptions.length = 0;
    if (this.inFlight.size === 0) return;
    this.options.logger.info({ inFlight: this.inFlight.size }, 'waiting for event handlers to finish');
    await withTimeout(Promise.allSettled([...this.inFlight]), timeoutMs, 'handlers still running').catch(() =>
      this.options.logger.warn(
        { inFlight: this.inFlight.size },
        'event handlers did not finish in time; their events will be redelivered',
      ),
    );
  }

  private deliver(
    definition: ConsumerGroupDefinition,
    executor: KeyedSerialExecutor,
    envelope: EventEnvelope,
  ): Promise<void> {
    if (this.stopping) {
      // Not acknowledged: the broker (or the relay, in-process) delivers it again after restart.
      return Promise.reject(shuttingDown());
    }
    if (envelope.destination !== null && envelope.destination !== definition.group) return Promise.resolve();
    const handler = definition.handlers.get(envelope.type);
    if (!handler) return Promise.resolve(); // A direct delivery of a type this group no longer handles.
    // Checked again when the key's turn comes: events queued behind a slow one
    // are left for redelivery rather than started during shutdown.
    const work = executor.run(envelope.key, () =>
      this.stopping ? Promise.reject(shuttingDown()) : this.handle(definition.group, handler, envelope),
    );
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  private handle(group: string, handler: EventHandler, envelope: EventEnvelope): Promise<void> {
    return withSpan(
      `${envelope.type} process`,
      {
        kind: SpanKind.CONSUMER,
        parentHeaders: envelope.headers,
        attributes: {
          'messaging.system': this.options.transport.kind,
          'messaging.operation.type': 'process',
          'messaging.consumer.group.name': group,
          'messaging.message.id': envelope.id,
          'gantry.event.type': envelope.type,
          'gantry.event.key': envelope.key,
          'gantry.delivery.attempt': envelope.attempt,
        },
      },
      async () => {
        const started = performance.now();
        const outcome = await this.runHandler(group, handler, envelope);
        this.instrumentation.handled(group, envelope.type, outcome, (performance.now() - started) / 1000);
      },
    );
  }

  private async runHandler(
    group: string,
    handler: EventHandler,
    envelope: EventEnvelope,
  ): Promise<HandlerOutcome> {
    const { db } = this.options.database;
    const afterCommit: Array<() => void | Promise<void>> = [];
    try {
      const outcome = await db.transaction(async (tx): Promise<HandlerOutcome> => {
        if (!(await recordProcessed(tx, group, envelope.id))) return 'duplicate';
        await handler(deliveredEvent(envelope), tx, { afterCommit: (action) => afterCommit.push(action) });
        if (envelope.headers[EventHeader.replayOf]) await markResolved(tx, group, envelope.id);
        return 'success';
      });
      if (outcome === 'success') this.runAfterCommit(group, envelope, afterCommit);
      return outcome;
    } catch (error) {
      // If recording the failure fails too (database down), this rejects and
      // the transport leaves the message unacknowledged for redelivery.
      return this.recordFailure(group, envelope, error);
    }
  }

  /**
   * Work a handler asked to run once its transaction committed (I/O it must not
   * do inside the transaction). Not awaited by the delivery, and its failure
   * does not fail the event: such work is recorded as intent in the
   * transaction and is safe to re-run by whoever picks the intent up.
   */
  private runAfterCommit(
    group: string,
    envelope: EventEnvelope,
    actions: ReadonlyArray<() => void | Promise<void>>,
  ): void {
    for (const action of actions) {
      void Promise.resolve()
        .then(action)
        .catch((error: unknown) => {
          this.options.logger.error(
            { group, eventId: envelope.id, type: envelope.type, error: redactText(errorMessage(error)) },
            'work after an event handler failed; it is retried from its stored intent',
          );
        });
    }
  }

  private async recordFailure(
    group: string,
    envelope: EventEnvelope,
    error: unknown,
  ): Promise<HandlerOutcome> {
    const { retry, logger, events, database } = this.options;
    const message = redactText(errorMessage(error));
    const firstFailedAt = envelope.headers[EventHeader.firstFailedAt] ?? new Date().toISOString();
    const log = {
      group,
      eventId: envelope.id,
      type: envelope.type,
      key: envelope.key,
      attempt: envelope.attempt,
    };
    try {
      if (shouldDeadLetter(retry, envelope.attempt)) {
        await database.db.transaction(async (tx) => {
          await upsertDeadLetter(tx, {
            group,
            envelope,
            attempts: envelope.attempt,
            lastError: message,
            firstFailedAt: new Date(firstFailedAt),
          });
        });
        logger.error(
          { ...log, error: message },
          'event handler gave up; the event is in the dead-letter table',
        );
        return 'dead_letter';
      }
      const delayMs = retryDelayMs(retry, envelope.attempt);
      await database.db.transaction(async (tx) => {
        await events.redeliver(tx, envelope, {
          group,
          attempt: envelope.attempt + 1,
          availableAt: new Date(Date.now() + delayMs),
          headers: { [EventHeader.firstFailedAt]: firstFailedAt },
        });
      });
      logger.warn({ ...log, error: message, retryInMs: delayMs }, 'event handler failed; will retry');
      return 'retry';
    } catch (recordError) {
      this.instrumentation.handled(group, envelope.type, 'requeued', 0);
      logger.error(
        { ...log, error: message, recordError: redactText(errorMessage(recordError)) },
        'event handler failed and the failure could not be recorded; the broker will redeliver',
      );
      throw recordError;
    }
  }
}

function shuttingDown(): Error {
  return new Error('Gantry is shutting down; the event will be redelivered');
}

function deliveredEvent(envelope: EventEnvelope): DeliveredEvent {
  return {
    id: envelope.id,
    type: envelope.type,
    key: envelope.key,
    payload: envelope.payload,
    schemaVersion: envelope.schemaVersion,
    occurredAt: new Date(envelope.occurredAt),
    headers: envelope.headers,
    attempt: envelope.attempt,
  };
}
