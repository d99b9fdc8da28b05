import type { Tx } from '../../../platform/database/database.js';
import { assertEventName } from '../event.js';

/** An event as a handler receives it. */
export interface DeliveredEvent<P = unknown> {
  id: string;
  type: string;
  key: string;
  payload: P;
  schemaVersion: number;
  occurredAt: Date;
  headers: Readonly<Record<string, string>>;
  /** 1 on the first delivery to this group; counts retries. */
  attempt: number;
}

/**
 * Runs inside a transaction that also records the event as processed for the
 * group: everything written through `tx` (state, new events) commits with
 * that record or not at all. Throwing rolls it all back and schedules a retry.
 * Do database work only: no waiting on brokers, git or HTTP inside.
 */
export type EventHandler<P = unknown> = (
  event: DeliveredEvent<P>,
  tx: Tx,
  context: HandlerContext,
) => Promise<void>;

export interface HandlerContext {
  /**
   * Runs `action` after the handler's transaction commits, in this process:
   * for I/O the handler must not do inside the transaction. Record the intent
   * in the transaction, so the work is found again if this process dies first.
   */
  afterCommit(action: () => void | Promise<void>): void;
}

export interface ConsumerRegistration<P = unknown> {
  /** Who consumes: each group gets every event it subscribes to (fan-out); replicas of a group share them. */
  group: string;
  eventType: string;
  handle: EventHandler<P>;
}

export interface ConsumerGroupDefinition {
  group: string;
  handlers: ReadonlyMap<string, EventHandler>;
}

/** Where features declare what they consume, before the backbone starts. */
export class ConsumerRegistry {
  private readonly groups = new Map<string, Map<string, EventHandler>>();
  private sealed = false;

  register<P>(registration: ConsumerRegistration<P>): void {
    if (this.sealed) {
      throw new Error(
        `consumer ${registration.group}/${registration.eventType} registered after the backbone started; register at start-up`,
      );
    }
    assertEventName('consumer group', registration.group);
    assertEventName('event type', registration.eventType);
    const handlers = this.groups.get(registration.group) ?? new Map<string, EventHandler>();
    if (handlers.has(registration.eventType)) {
      throw new Error(
        `consumer group ${registration.group} already has a handler for ${registration.eventType}; one handler per group and type`,
      );
    }
    handlers.set(registration.eventType, registration.handle as EventHandler);
    this.groups.set(registration.group, handlers);
  }

  /** Freezes the registry: the broker topology is declared from it. */
  seal(): ConsumerGroupDefinition[] {
    this.sealed = true;
    return [...this.groups].map(([group, handlers]) => ({ group, handlers }));
  }
}
