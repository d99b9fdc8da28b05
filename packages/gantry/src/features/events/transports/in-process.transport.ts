import { Semaphore } from '../../../shared/semaphore.js';
import { directRoute, eventRoute, routingKeyFor, type EventEnvelope } from '../event.js';
import type { Subscription, SubscriptionRequest, Transport } from './transport.js';

interface GroupQueue {
  routes: Set<string>;
  members: SubscriptionRequest[];
  limiter: Semaphore;
  next: number;
}

/**
 * The embedded broker: delivers within this process. publish() resolves only
 * after every subscribed group has handled (or durably scheduled a retry for)
 * each event, so the relay marks outbox rows sent only once they are safe; a
 * crash before that republishes them and consumers deduplicate. Nothing is
 * held in memory that the outbox does not also hold.
 */
export class InProcessTransport implements Transport {
  readonly kind = 'in-process' as const;
  readonly description = 'in-process broker';
  private readonly groups = new Map<string, GroupQueue>();
  private connected = false;

  connect(): Promise<void> {
    this.connected = true;
    return Promise.resolve();
  }

  isConnected(): boolean {
    return this.connected;
  }

  async publish(envelopes: readonly EventEnvelope[]): Promise<void> {
    if (!this.connected) throw new Error('in-process broker is closed');
    const deliveries: Promise<void>[] = [];
    // Dispatch in order; each group's executor keeps one key's events in order.
    for (const envelope of envelopes) {
      const route = routingKeyFor(envelope);
      for (const queue of this.groups.values()) {
        if (!queue.routes.has(route) || queue.members.length === 0) continue;
        const member = queue.members[queue.next++ % queue.members.length]!;
        deliveries.push(queue.limiter.use(() => member.deliver(envelope)));
      }
    }
    const results = await Promise.allSettled(deliveries);
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  subscribe(request: SubscriptionRequest): Promise<Subscription> {
    let queue = this.groups.get(request.group);
    if (!queue) {
      queue = { routes: new Set(), members: [], limiter: new Semaphore(request.concurrency), next: 0 };
      this.groups.set(request.group, queue);
    }
    queue.routes.add(directRoute(request.group));
    for (const type of request.eventTypes) queue.routes.add(eventRoute(type));
    queue.members.push(request);
    const owner = queue;
    return Promise.resolve({
      cancel: () => {
        owner.members = owner.members.filter((member) => member !== request);
        return Promise.resolve();
      },
    });
  }

  close(): Promise<void> {
    this.connected = false;
    return Promise.resolve();
  }
}
