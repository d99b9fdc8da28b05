import type { EventEnvelope } from '../event.js';

/**
 * A message broker as the backbone sees it. The relay publishes envelopes; the
 * consumer runtime subscribes one queue (durable consumer) per consumer group.
 *
 * Routing: an envelope with destination null goes to every group that
 * subscribed to its type; one with a destination goes to that group only.
 * Use `routingKeyFor` from event.ts to map an envelope to a routing key.
 */
export interface Transport {
  readonly kind: TransportKind;
  /** Where it connects, credentials redacted. */
  readonly description: string;

  /** Connects, declares the exchange/stream. Retries are the caller's concern. */
  connect(): Promise<void>;

  /**
   * Publishes in the given order; resolves once the broker has taken
   * responsibility for every message (publisher confirms, JetStream acks; for
   * in-process, once every subscribed group has finished handling them).
   * Rejects if any message was not confirmed: the relay will publish the batch
   * again, and consumers deduplicate.
   */
  publish(envelopes: readonly EventEnvelope[]): Promise<void>;

  /**
   * Declares the group's durable queue/consumer bound to the given event types
   * and to the group's direct route, and starts delivering. Handlers for one
   * group run at most `concurrency` at a time. A delivery is acknowledged when
   * the returned promise resolves, and redelivered later if it rejects or the
   * process dies first.
   */
  subscribe(subscription: SubscriptionRequest): Promise<Subscription>;

  /** True while the broker connection is up (readiness). */
  isConnected(): boolean;

  /** Stops deliveries and closes connections; in-flight handlers are the runtime's concern. */
  close(): Promise<void>;
}

export type TransportKind = 'in-process' | 'rabbitmq' | 'nats';

export interface SubscriptionRequest {
  group: string;
  eventTypes: readonly string[];
  concurrency: number;
  deliver: (envelope: EventEnvelope) => Promise<void>;
}

export interface Subscription {
  /** Stops new deliveries for this group; deliveries in flight continue. */
  cancel(): Promise<void>;
}

export interface TransportEvents {
  /** Connection lost or restored; for logs and metrics. */
  onStatusChange?: (status: 'connected' | 'disconnected', detail?: string) => void;
}
