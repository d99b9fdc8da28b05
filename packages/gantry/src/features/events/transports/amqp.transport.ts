import { backoffDelay } from '../../../shared/backoff.js';
import { brokerError, ignoreClosed, quietly, traceHeaderEntries } from './broker-support.js';
import { connect, type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { setMaxListeners } from 'node:events';
import { redactText, redactUrl } from '../../../shared/redact.js';
import { sleep, withTimeout } from '../../../shared/sleep.js';
import {
  assertEventName,
  decodeEnvelope,
  directRoute,
  encodeEnvelope,
  eventRoute,
  routingKeyFor,
  type EventEnvelope,
} from '../event.js';
import type { Subscription, SubscriptionRequest, Transport, TransportEvents } from './transport.js';

/** How every consumer group's queue is declared (the benchmark declares its drain queue the same way). */
export const CONSUMER_GROUP_QUEUE = { durable: true, arguments: { 'x-queue-type': 'quorum' } } as const;

/** A message that is not a Gantry envelope: it can never be handled, so it is dropped. */
export interface MalformedMessage {
  /** Queue or subject it arrived on. */
  source: string;
  messageId: string | undefined;
  bytes: number;
  error: Error;
}

/** Callbacks of the broker transports (RabbitMQ and NATS): plain functions, for logs and metrics. */
export interface BrokerTransportEvents extends TransportEvents {
  onMalformed?: (message: MalformedMessage) => void;
  /** Problems handled in the background (a failed reconnect, a consumer lost and resumed). */
  onError?: (error: Error) => void;
}

export interface AmqpTransportOptions extends BrokerTransportEvents {
  /** amqp:// or amqps:// URL; a `heartbeat` query parameter overrides heartbeatSeconds. */
  url: string;
  /** Durable topic exchange every event is published to. Default `gantry.events`. */
  exchange?: string;
  /** Each consumer group gets the durable queue `<queuePrefix>.<group>`. Default `gantry`. */
  queuePrefix?: string;
  /** How soon a silently dead broker is noticed. Default 15. */
  heartbeatSeconds?: number;
  /** Default 10s. */
  connectTimeoutMs?: number;
  /** How long a publish may wait for the socket to drain and the broker to confirm. Default 30s. */
  publishTimeoutMs?: number;
  /** Pause before a failed delivery is requeued, so a failing dependency does not spin the CPU. Default 1s. */
  redeliveryDelayMs?: number;
  /** Reconnect backoff after a connection loss: doubles from the first delay (default 200 ms) up to the cap (default 10s), with jitter. */
  reconnectInitialDelayMs?: number;
  reconnectMaxDelayMs?: number;
}

type State = 'idle' | 'connected' | 'reconnecting' | 'closed';

interface ActiveSubscription {
  readonly request: SubscriptionRequest;
  readonly queue: string;
  readonly routes: readonly string[];
  active: boolean;
  channel: Channel | undefined;
  consumerTag: string | undefined;
  inFlight: number;
}

/**
 * RabbitMQ: one durable topic exchange, one durable queue per consumer group
 * bound to the group's event routes and its direct route. Persistent messages,
 * publisher confirms, manual acks. After a connection loss it reconnects by
 * itself, declares the topology again and resumes every active subscription;
 * while disconnected, publish() rejects at once so the relay backs off (the
 * backlog stays in the outbox).
 */
export class AmqpTransport implements Transport {
  readonly kind = 'rabbitmq' as const;
  readonly description: string;

  private readonly url: string;
  private readonly exchange: string;
  private readonly queuePrefix: string;
  private readonly connectTimeoutMs: number;
  private readonly publishTimeoutMs: number;
  private readonly redeliveryDelayMs: number;
  private readonly reconnectInitialDelayMs: number;
  private readonly reconnectMaxDelayMs: number;

  private state: State = 'idle';
  private model: ChannelModel | undefined;
  /** Connections that have closed, so one lost during setup is never taken for live. */
  private readonly lostModels = new WeakSet<ChannelModel>();
  private opening: Promise<ChannelModel> | undefined;
  private publishChannel: Promise<ConfirmChannel> | undefined;
  private reconnectAttempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly subscriptions = new Set<ActiveSubscription>();
  /** Aborted by close(): cuts short redelivery pauses and pending restarts. */
  private readonly closing = new AbortController();

  constructor(private readonly options: AmqpTransportOptions) {
    const url = new URL(options.url);
    if (url.protocol !== 'amqp:' && url.protocol !== 'amqps:') {
      throw new Error(`RabbitMQ URL must start with amqp:// or amqps://, got ${redactUrl(options.url)}`);
    }
    if (!url.searchParams.has('heartbeat')) {
      url.searchParams.set('heartbeat', String(options.heartbeatSeconds ?? 15));
    }
    this.url = url.toString();
    this.description = `RabbitMQ at ${redactUrl(options.url)}`;
    this.exchange = options.exchange ?? 'gantry.events';
    this.queuePrefix = options.queuePrefix ?? 'gantry';
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 30_000;
    this.redeliveryDelayMs = options.redeliveryDelayMs ?? 1_000;
    this.reconnectInitialDelayMs = options.reconnectInitialDelayMs ?? 200;
    this.reconnectMaxDelayMs = options.reconnectMaxDelayMs ?? 10_000;
    // Every delivery pausing before its requeue waits on it.
    setMaxListeners(0, this.closing.signal);
  }

  /** The durable queue of a consumer group. */
  queueName(group: string): string {
    return `${this.queuePrefix}.${group}`;
  }

  isConnected(): boolean {
    return this.state === 'connected';
  }

  async connect(): Promise<void> {
    if (this.state === 'closed') throw new Error(`${this.description}: the transport is closed`);
    if (this.state === 'connected') return;
    if (this.state === 'reconnecting') {
      // The background loop owns the connection now; make one attempt sooner.
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = undefined;
    }
    try {
      await this.open();
    } catch (error) {
      if (this.state === 'reconnecting' && !this.reconnectTimer && !this.opening) this.scheduleReconnect();
      throw this.failure('could not connect', error);
    }
  }

  async publish(envelopes: readonly EventEnvelope[]): Promise<void> {
    if (envelopes.length === 0) return;
    const channel = await this.confirmChannel();
    const closed = channelClosed(channel);
    try {
      // The timeout also covers waiting for 'drain': a broker under a resource
      // alarm stops reading, and the relay should hear about it.
      await withTimeout(
        Promise.race([this.publishOn(channel, envelopes, closed.promise), closed.promise]),
        this.publishTimeoutMs,
        `the broker did not confirm within ${this.publishTimeoutMs} ms`,
      );
    } catch (error) {
      throw this.failure(`publishing ${envelopes.length} event(s) failed`, error);
    } finally {
      closed.dispose();
    }
  }

  private async publishOn(
    channel: ConfirmChannel,
    envelopes: readonly EventEnvelope[],
    closed: Promise<never>,
  ): Promise<void> {
    // One confirm per message, collected rather than awaited in turn: the whole
    // batch is in flight at once (the pipelining of waitForConfirms, but scoped
    // to this batch, so a concurrent publish's nack cannot fail this one).
    const confirms: Promise<void>[] = [];
    for (const envelope of envelopes) {
      let settle!: (error: unknown) => void;
      const confirm = new Promise<void>((resolve, reject) => {
        settle = (error) =>
          error
            ? reject(error instanceof Error ? error : new Error('the broker rejected a message'))
            : resolve();
      });
      // A failure is reported once, through Promise.all below; this keeps the
      // others from surfacing as unhandled rejections.
      confirm.catch(() => undefined);
      confirms.push(confirm);
      const accepted = channel.publish(
        this.exchange,
        routingKeyFor(envelope),
        encodeEnvelope(envelope),
        publishOptions(envelope),
        settle,
      );
      // Backpressure: the socket buffer is full, so wait until it drains.
      if (!accepted) await Promise.race([drained(channel), closed]);
    }
    await Promise.all(confirms);
  }

  async subscribe(request: SubscriptionRequest): Promise<Subscription> {
    assertEventName('consumer group', request.group);
    for (const type of request.eventTypes) assertEventName('event type', type);
    if (!Number.isInteger(request.concurrency) || request.concurrency < 1) {
      throw new Error(`concurrency of group ${request.group} must be a positive integer`);
    }
    const model = this.model;
    if (this.state !== 'connected' || !model) {
      throw new Error(`${this.description} is not connected: cannot subscribe group ${request.group}`);
    }
    const subscription: ActiveSubscription = {
      request,
      queue: this.queueName(request.group),
      routes: [...request.eventTypes.map(eventRoute), directRoute(request.group)],
      active: true,
      channel: undefined,
      consumerTag: undefined,
      inFlight: 0,
    };
    try {
      await this.startConsumer(model, subscription);
    } catch (error) {
      throw this.failure(`could not subscribe group ${request.group}`, error);
    }
    // Registered only once it works; from now on a reconnect resumes it.
    this.subscriptions.add(subscription);
    return { cancel: () => this.cancel(subscription) };
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closing.abort();
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    // An attempt in flight finishes first, then is closed like any other.
    await this.opening?.catch(() => undefined);
    const subscriptions = [...this.subscriptions];
    this.subscriptions.clear();
    for (const subscription of subscriptions) subscription.active = false;
    const model = this.model;
    this.model = undefined;
    this.publishChannel = undefined;
    if (!model) return;
    // Cancel consumers first so the broker stops sending; closing the
    // connection then returns every unacked delivery to its queue.
    await Promise.all(
      subscriptions.map(async ({ channel, consumerTag }) => {
        if (channel && consumerTag) await quietly(withTimeout(channel.cancel(consumerTag), 5_000, 'cancel'));
      }),
    );
    await quietly(withTimeout(model.close(), 5_000, 'close'));
  }

  // --- connection -----------------------------------------------------------

  private async open(): Promise<void> {
    if (this.opening) {
      await this.opening;
      return;
    }
    const opening = this.openModel();
    this.opening = opening;
    try {
      const model = await opening;
      if (this.state === 'closed') {
        await quietly(model.close());
        return;
      }
      if (this.lostModels.has(model)) throw new Error('the connection closed while it was being set up');
      this.model = model;
      this.reconnectAttempt = 0;
      const wasReconnecting = this.state === 'reconnecting';
      this.state = 'connected';
      this.options.onStatusChange?.('connected', wasReconnecting ? 'reconnected' : undefined);
    } finally {
      this.opening = undefined;
    }
  }

  /** Connects and declares everything; a model is returned only once it is fully set up. */
  private async openModel(): Promise<ChannelModel> {
    const model = await connect(this.url, {
      timeout: this.connectTimeoutMs,
      // amqplib leaves Nagle's algorithm on; small confirms and deliveries then
      // wait for the delayed ACK. Measured: broker-hop p50 23-25 ms → 6-8 ms,
      // end-to-end p99 121-152 ms → 72-86 ms (docs/benchmarks.md).
      noDelay: true,
      clientProperties: { connection_name: 'gantry' },
    });
    model.on('error', (error: Error) => this.report('connection error', error));
    model.on('close', (error?: Error) => this.onConnectionClosed(model, error));
    model.on('blocked', (reason: string) =>
      this.report('broker blocked publishing', new Error(reason || 'resource alarm')),
    );
    try {
      const channel = await model.createConfirmChannel();
      channel.on('error', (error: Error) => this.report('publish channel error', error));
      await channel.assertExchange(this.exchange, 'topic', { durable: true });
      this.publishChannel = Promise.resolve(channel);
      channel.on('close', () => this.onPublishChannelClosed(channel));
      for (const subscription of this.subscriptions) {
        if (subscription.active) await this.startConsumer(model, subscription);
      }
      return model;
    } catch (error) {
      this.publishChannel = undefined;
      await quietly(model.close());
      throw error;
    }
  }

  private onConnectionClosed(model: ChannelModel, error: Error | undefined): void {
    this.lostModels.add(model);
    if (model !== this.model) return;
    this.model = undefined;
    this.publishChannel = undefined;
    for (const subscription of this.subscriptions) {
      subscription.channel = undefined;
      subscription.consumerTag = undefined;
    }
    if (this.state === 'closed') return;
    this.state = 'reconnecting';
    this.options.onStatusChange?.(
      'disconnected',
      redactText(error ? `connection lost: ${error.message}` : 'connection closed by the broker'),
    );
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.state !== 'reconnecting' || this.reconnectTimer) return;
    const delay = backoffDelay(
      this.reconnectAttempt++,
      this.reconnectInitialDelayMs,
      this.reconnectMaxDelayMs,
    );
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.open().catch((error: unknown) => {
        this.report(`reconnect attempt ${this.reconnectAttempt} failed`, error);
        this.scheduleReconnect();
      });
    }, delay);
  }

  // --- publishing -------------------------------------------------------------

  private async confirmChannel(): Promise<ConfirmChannel> {
    const model = this.model;
    if (this.state !== 'connected' || !model) {
      const why = this.state === 'closed' ? 'the transport is closed' : 'not connected (reconnecting)';
      throw new Error(`${this.description}: cannot publish, ${why}`);
    }
    // A channel error (say, the exchange was deleted) closes only the channel:
    // open a new one and declare the exchange again.
    this.publishChannel ??= (async () => {
      const channel = await model.createConfirmChannel();
      channel.on('error', (error: Error) => this.report('publish channel error', error));
      channel.on('close', () => this.onPublishChannelClosed(channel));
      await channel.assertExchange(this.exchange, 'topic', { durable: true });
      return channel;
    })();
    const pending = this.publishChannel;
    try {
      return await pending;
    } catch (error) {
      if (this.publishChannel === pending) this.publishChannel = undefined;
      throw this.failure('could not open a publish channel', error);
    }
  }

  private onPublishChannelClosed(channel: ConfirmChannel): void {
    void this.publishChannel?.then(
      (current) => {
        if (current === channel) this.publishChannel = undefined;
      },
      () => undefined,
    );
  }

  // --- consuming -------------------------------------------------------------

  private async startConsumer(model: ChannelModel, subscription: ActiveSubscription): Promise<void> {
    const { request, queue } = subscription;
    const channel = await model.createChannel();
    channel.on('error', (error: Error) => this.report(`consumer channel of ${queue} failed`, error));
    channel.on('close', () => this.onConsumerChannelClosed(model, subscription, channel));
    try {
      // Quorum queues: replicated, and on one node they still took confirmed
      // persistent publishes about twice as fast as a classic durable queue
      // (9,000-10,000 against 4,200-5,500 msg/s here; docs/benchmarks.md).
      await channel.assertQueue(queue, CONSUMER_GROUP_QUEUE);
      for (const route of subscription.routes) await channel.bindQueue(queue, this.exchange, route);
      // Per-consumer prefetch: at most `concurrency` unacked deliveries, so at
      // most that many handlers run for this subscription.
      await channel.prefetch(request.concurrency);
      const { consumerTag } = await channel.consume(
        queue,
        (message) => this.onDelivery(subscription, channel, message),
        { noAck: false },
      );
      subscription.channel = channel;
      subscription.consumerTag = consumerTag;
    } catch (error) {
      await quietly(channel.close());
      throw error;
    }
  }

  private onDelivery(
    subscription: ActiveSubscription,
    channel: Channel,
    message: ConsumeMessage | null,
  ): void {
    if (message === null) {
      // The broker cancelled the consumer (its queue was deleted): declare it again.
      this.report(`consumer of ${subscription.queue} was cancelled by the broker`);
      void quietly(channel.close());
      return;
    }
    let envelope: EventEnvelope;
    try {
      envelope = decodeEnvelope(message.content);
    } catch (error) {
      // It can never be handled, so requeueing would only loop: drop it.
      ignoreClosed(() => channel.nack(message, false, false));
      this.options.onMalformed?.({
        source: subscription.queue,
        messageId:
          typeof message.properties.messageId === 'string' ? message.properties.messageId : undefined,
        bytes: message.content.length,
        error: error instanceof Error ? error : new Error(String(error)),
      });
      return;
    }
    subscription.inFlight += 1;
    void this.handle(subscription, channel, message, envelope).finally(() => {
      subscription.inFlight -= 1;
      if (!subscription.active && subscription.inFlight === 0 && subscription.channel === channel) {
        void quietly(channel.close());
      }
    });
  }

  private async handle(
    subscription: ActiveSubscription,
    channel: Channel,
    message: ConsumeMessage,
    envelope: EventEnvelope,
  ): Promise<void> {
    try {
      await subscription.request.deliver(envelope);
    } catch {
      // The runtime reports handler failures; the transport only redelivers.
      await sleep(this.redeliveryDelayMs, this.closing.signal);
      ignoreClosed(() => channel.nack(message, false, true));
      return;
    }
    // If the channel is gone the broker has requeued the message already.
    ignoreClosed(() => channel.ack(message));
  }

  private onConsumerChannelClosed(
    model: ChannelModel,
    subscription: ActiveSubscription,
    channel: Channel,
  ): void {
    if (subscription.channel !== channel) return;
    subscription.channel = undefined;
    subscription.consumerTag = undefined;
    if (!subscription.active) return;
    // The connection closes its channels before it reports its own close, so
    // wait a moment: if the whole connection went, the reconnect resumes this.
    void (async () => {
      for (let attempt = 0; ; attempt++) {
        await sleep(backoffDelay(attempt, 500, this.reconnectMaxDelayMs), this.closing.signal);
        if (!subscription.active || this.model !== model || this.state !== 'connected') return;
        if (subscription.channel) return;
        try {
          await this.startConsumer(model, subscription);
          return;
        } catch (error) {
          this.report(`could not resume the consumer of ${subscription.queue}`, error);
        }
      }
    })();
  }

  private async cancel(subscription: ActiveSubscription): Promise<void> {
    if (!subscription.active) return;
    subscription.active = false;
    this.subscriptions.delete(subscription);
    const { channel, consumerTag } = subscription;
    if (!channel || !consumerTag) return;
    await quietly(channel.cancel(consumerTag));
    // Deliveries in flight still need this channel to be acked.
    if (subscription.inFlight === 0) await quietly(channel.close());
  }

  // --- errors -----------------------------------------------------------------

  private failure(what: string, cause: unknown): Error {
    return brokerError(this.description, what, cause);
  }

  private report(what: string, cause?: unknown): void {
    this.options.onError?.(brokerError(this.description, what, cause));
  }
}

function publishOptions(envelope: EventEnvelope) {
  const headers = Object.fromEntries(traceHeaderEntries(envelope));
  const occurredAt = Date.parse(envelope.occurredAt);
  return {
    deliveryMode: 2,
    messageId: envelope.id,
    contentType: 'application/json',
    type: envelope.type,
    appId: 'gantry',
    headers,
    ...(Number.isFinite(occurredAt) ? { timestamp: Math.floor(occurredAt / 1000) } : {}),
  };
}

function drained(channel: Channel): Promise<void> {
  return new Promise((resolve) => channel.once('drain', () => resolve()));
}

/** A promise that rejects when the channel (or its connection) closes; dispose() detaches it. */
function channelClosed(channel: Channel): { promise: Promise<never>; dispose: () => void } {
  let onClose!: () => void;
  const promise = new Promise<never>((_, reject) => {
    onClose = () => reject(new Error('the channel closed before every message was confirmed'));
    channel.once('close', onClose);
  });
  promise.catch(() => undefined);
  return { promise, dispose: () => channel.off('close', onClose) };
}
