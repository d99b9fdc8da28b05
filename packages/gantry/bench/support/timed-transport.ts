import type { EventEnvelope } from '../../src/features/events/event.js';
import type {
  Subscription,
  SubscriptionRequest,
  Transport,
  TransportKind,
} from '../../src/features/events/transports/transport.js';

/**
 * Wraps a transport to note, per event id, when the relay handed the event
 * to publish() and when the broker delivered it to a subscription. Nothing
 * else changes; the cost is two map writes per event.
 */
export class TimedTransport implements Transport {
  /** Event id → performance.now() when the relay first passed it to publish(). */
  readonly publishedAt = new Map<string, number>();
  /** Event id → performance.now() when it first reached a subscription's deliver(). */
  readonly deliveredAt = new Map<string, number>();

  constructor(private readonly inner: Transport) {}

  get kind(): TransportKind {
    return this.inner.kind;
  }

  get description(): string {
    return this.inner.description;
  }

  connect(): Promise<void> {
    return this.inner.connect();
  }

  publish(envelopes: readonly EventEnvelope[]): Promise<void> {
    const now = performance.now();
    for (const envelope of envelopes) {
      if (!this.publishedAt.has(envelope.id)) this.publishedAt.set(envelope.id, now);
    }
    return this.inner.publish(envelopes);
  }

  subscribe(request: SubscriptionRequest): Promise<Subscription> {
    return this.inner.subscribe({
      ...request,
      deliver: (envelope) => {
        if (!this.deliveredAt.has(envelope.id)) this.deliveredAt.set(envelope.id, performance.now());
        return request.deliver(envelope);
      },
    });
  }

  isConnected(): boolean {
    return this.inner.isConnected();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
