import { backoffDelay } from '../../../shared/backoff.js';
import { brokerError, ignoreClosed, quietly, traceHeaderEntries } from './broker-support.js';
import {
  AckPolicy,
  connect,
  ConsumerEvents,
  DeliverPolicy,
  DiscardPolicy,
  Events,
  headers as natsHeaders,
  nanos,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type ConnectionOptions,
  type ConsumerConfig,
  type ConsumerInfo,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
} from 'nats';
import { setMaxListeners } from 'node:events';
import { redactText, redactUrl } from '../../../shared/redact.js';
import { Semaphore } from '../../../shared/semaphore.js';
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
import type { BrokerTransportEvents } from './amqp.transport.js';
import type { Subscription, SubscriptionRequest, Transport } from './transport.js';

export interface NatsTransportOptions extends BrokerTransportEvents {
  /** nats:// or tls:// URL; `user:password@` or a token as `token@` in it authenticates. */
  url: string;
  /** File-storage, interest-retention stream holding `<subjectPrefix>.>`. Default `GANTRY`. */
  stream?: string;
  /** Default `gantry`. */
  subjectPrefix?: string;
  /** Redelivery of an unacked message after this long (a running handler keeps extending it). Default 30s. */
  ackWaitMs?: number;
  /** Delay the broker applies before redelivering a failed delivery. Default 1s. */
  redeliveryDelayMs?: number;
  /** Publishes awaiting their JetStream ack at once. Default 500. */
  maxPublishesInFlight?: number;
  /** How long one publish waits for its JetStream ack. Default 10s. */
  publishTimeoutMs?: number;
  /** Default 10s. */
  connectTimeoutMs?: number;
  /** How often the client pings the server; two missed pongs count as a lost connection. Default 10s. */
  pingIntervalMs?: number;
  /** Reconnect backoff: doubles from the first delay (default 200 ms) up to the cap (default 10s), with jitter. */
  reconnectInitialDelayMs?: number;
  reconnectMaxDelayMs?: number;
  /** Stream replicas when Gantry creates the stream. Default 1. */
  replicas?: number;
}

interface ActiveSubscription {
  readonly request: SubscriptionRequest;
  readonly durable: string;
  /** Routes (`event.<type>`, `direct.<group>`) this group handles. */
  readonly routes: ReadonlySet<string>;
  readonly limiter: Semaphore;
  active: boolean;
  messages: ConsumerMessages | undefined;
}

// JetStream API error codes.
const STREAM_NOT_FOUND = 10059;
const STREAM_NAME_IN_USE = 10058;
const CONSUMER_NOT_FOUND = 10014;

/**
 * NATS JetStream: one file-storage stream with interest retention (a message
 * goes away once every consumer group has acked it), one durable pull
 * consumer per group. The client reconnects by itself; consumption resumes
 * after a reconnect, and a consumer or stream found missing is created again.
 * Publishing carries `msgID` = `<event id>/<outbox seq>`, so JetStream drops a
 * republished outbox row within its duplicate window.
 */
export class NatsTransport implements Transport {
  readonly kind = 'nats' as const;
  readonly description: string;

  private readonly stream: string;
  private readonly subjectPrefix: string;
  private readonly ackWaitMs: number;
  private readonly redeliveryDelayMs: number;
  private readonly maxPublishesInFlight: number;
  private readonly publishTimeoutMs: number;
  private readonly reconnectInitialDelayMs: number;
  private readonly reconnectMaxDelayMs: number;

  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private jsm: JetStreamManager | undefined;
  private connected = false;
  private closed = false;
  /** NATS ≥ 2.10 filters one consumer on several subjects; older servers get a wildcard. */
  private multipleFilters = false;
  private reconnectAttempt = 0;
  private reconnectDelay = { ms: 0, until: 0 };
  /** Fails when the connection drops, so publishes in flight reject at once rather than time out. */
  private connectionLost = lostSignal();
  private readonly subscriptions = new Set<ActiveSubscription>();
  private readonly closing = new AbortController();
  private readonly keepAlives = new Set<NodeJS.Timeout>();

  constructor(private readonly options: NatsTransportOptions) {
    const url = new URL(options.url);
    if (url.protocol !== 'nats:' && url.protocol !== 'tls:') {
      throw new Error(`NATS URL must start with nats:// or tls://, got ${redactUrl(options.url)}`);
    }
    this.description = `NATS JetStream at ${redactUrl(options.url)}`;
    this.stream = options.stream ?? 'GANTRY';
    this.subjectPrefix = options.subjectPrefix ?? 'gantry';
    this.ackWaitMs = options.ackWaitMs ?? 30_000;
    this.redeliveryDelayMs = options.redeliveryDelayMs ?? 1_000;
    this.maxPublishesInFlight = options.maxPublishesInFlight ?? 500;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 10_000;
    this.reconnectInitialDelayMs = options.reconnectInitialDelayMs ?? 200;
    this.reconnectMaxDelayMs = options.reconnectMaxDelayMs ?? 10_000;
    // Every subscription's restart loop waits on it.
    setMaxListeners(0, this.closing.signal);
  }

  /** Durable consumer of a group: durable names may not contain dots. */
  static durableName(group: string): string {
    // Group names are dot-separated lower-case words (assertEventName) and
    // never contain '_', so this mapping cannot make two groups collide.
    return group.replace(/[^A-Za-z0-9_-]/g, '_');
  }

  isConnected(): boolean {
    return this.connected;
  }

  async connect(): Promise<void> {
    if (this.closed) throw new Error(`${this.description}: the transport is closed`);
    if (this.nc && !this.nc.isClosed()) return;
    let nc: NatsConnection;
    try {
      nc = await connect(this.connectionOptions());
    } catch (error) {
      throw this.failure('could not connect', error);
    }
    try {
      const jsm = await nc.jetstreamManager();
      this.multipleFilters = supportsMultipleFilters(nc.info?.version);
      await this.ensureStream(jsm);
      this.nc = nc;
      this.jsm = jsm;
      this.js = nc.jetstream();
    } catch (error) {
      await quietly(nc.close());
      throw this.failure('could not set up the JetStream stream', error);
    }
    this.markConnected();
    void this.watchConnection(nc);
  }

  async publish(envelopes: readonly EventEnvelope[]): Promise<void> {
    if (envelopes.length === 0) return;
    const js = this.js;
    if (!this.connected || !js) {
      const why = this.closed ? 'the transport is closed' : 'not connected (reconnecting)';
      throw new Error(`${this.description}: cannot publish, ${why}`);
    }
    // Workers take envelopes in order and each publish is written to the
    // socket when it is called, so the stream receives them in order while
    // up to maxPublishesInFlight acks are outstanding.
    let next = 0;
    let failed: { error: unknown } | undefined;
    const worker = async () => {
      while (!failed && next < envelopes.length) {
        const envelope = envelopes[next++]!;
        try {
          await js.publish(this.subjectFor(envelope), encodeEnvelope(envelope), {
            // A republished outbox row is the same message; a retry row is not.
            msgID: `${envelope.id}/${envelope.outboxSeq}`,
            expect: { streamName: this.stream },
            headers: messageHeaders(envelope),
            timeout: this.publishTimeoutMs,
          });
        } catch (error) {
          failed ??= { error };
        }
      }
    };
    const workers = Math.min(this.maxPublishesInFlight, envelopes.length);
    const lost = this.connectionLost.promise;
    try {
      await Promise.race([Promise.all(Array.from({ length: workers }, worker)), lost]);
    } catch (error) {
      failed ??= { error };
    }
    if (failed) {
      // No responders: the stream is gone (deleted, or a broker without its
      // data); create it again so the relay's retry can succeed.
      if (isNoResponders(failed.error)) void this.restoreTopology();
      throw this.failure(`publishing ${envelopes.length} event(s) failed`, failed.error);
    }
  }

  async subscribe(request: SubscriptionRequest): Promise<Subscription> {
    assertEventName('consumer group', request.group);
    for (const type of request.eventTypes) assertEventName('event type', type);
    if (!Number.isInteger(request.concurrency) || request.concurrency < 1) {
      throw new Error(`concurrency of group ${request.group} must be a positive integer`);
    }
    if (!this.connected || !this.js) {
      throw new Error(`${this.description} is not connected: cannot subscribe group ${request.group}`);
    }
    const subscription: ActiveSubscription = {
      request,
      durable: NatsTransport.durableName(request.group),
      routes: new Set([...request.eventTypes.map(eventRoute), directRoute(request.group)]),
      limiter: new Semaphore(request.concurrency),
      active: true,
      messages: undefined,
    };
    try {
      await this.ensureConsumer(subscription);
      subscription.messages = await this.consume(subscription);
    } catch (error) {
      throw this.failure(`could not subscribe group ${request.group}`, error);
    }
    this.subscriptions.add(subscription);
    void this.run(subscription);
    return { cancel: () => this.cancel(subscription) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.connected = false;
    this.connectionLost.fail(new Error('the transport was closed'));
    this.closing.abort();
    for (const keepAlive of this.keepAlives) clearInterval(keepAlive);
    this.keepAlives.clear();
    for (const subscription of this.subscriptions) {
      subscription.active = false;
      subscription.messages?.stop();
    }
    this.subscriptions.clear();
    const nc = this.nc;
    if (!nc || nc.isClosed()) return;
    // Acks are buffered by the client: make sure the server has them. A
    // disconnected client cannot flush, so do not wait long for it.
    await quietly(withTimeout(nc.flush(), 2_000, 'flush'));
    await quietly(nc.close());
  }

  // --- connection -----------------------------------------------------------

  private connectionOptions(): ConnectionOptions {
    const url = new URL(this.options.url);
    const options: ConnectionOptions = {
      servers: `${url.hostname}:${url.port || '4222'}`,
      name: 'gantry',
      // Never give up: the relay keeps the backlog and consumers wait.
      maxReconnectAttempts: -1,
      // The client asks for a delay on every pass of its reconnect loop, also
      // on passes that only wait; back off further only once the last delay
      // has passed, or a short outage would be followed by a long wait.
      reconnectDelayHandler: () => {
        const now = Date.now();
        if (now >= this.reconnectDelay.until) {
          const ms = backoffDelay(
            this.reconnectAttempt++,
            this.reconnectInitialDelayMs,
            this.reconnectMaxDelayMs,
          );
          this.reconnectDelay = { ms, until: now + ms };
        }
        return this.reconnectDelay.ms;
      },
      timeout: this.options.connectTimeoutMs ?? 10_000,
      pingInterval: this.options.pingIntervalMs ?? 10_000,
      maxPingOut: 2,
    };
    if (url.protocol === 'tls:') options.tls = {};
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    if (user && password) {
      options.user = user;
      options.pass = password;
    } else if (user) {
      options.token = user;
    }
    return options;
  }

  private async watchConnection(nc: NatsConnection): Promise<void> {
    void nc.closed().then((error) => {
      if (this.closed || this.nc !== nc) return;
      // Only a fatal error (say, revoked credentials) closes a client that retries forever.
      const detail = `connection closed for good${error ? `: ${redactText(error.message)}` : ''}`;
      this.markDisconnected(detail);
      this.report(detail);
    });
    for await (const status of nc.status()) {
      if (this.closed) return;
      switch (status.type) {
        case Events.Disconnect:
          this.markDisconnected(
            `connection to ${typeof status.data === 'string' ? status.data : 'the server'} lost`,
          );
          break;
        case Events.Reconnect:
          this.reconnectAttempt = 0;
          this.reconnectDelay = { ms: 0, until: 0 };
          this.markConnected('reconnected');
          // The client resumes pulling by itself; make sure there is still
          // something to pull from (a broker restarted without its data).
          void this.restoreTopology();
          break;
        case Events.LDM:
          this.report('the server is shutting down (lame duck mode); the client will move to another');
          break;
        case Events.Error:
          this.report('asynchronous server error', status.data);
          break;
        default:
          break;
      }
    }
  }

  private markConnected(detail?: string): void {
    this.connected = true;
    this.connectionLost = lostSignal();
    this.options.onStatusChange?.('connected', detail);
  }

  private markDisconnected(detail: string): void {
    if (!this.connected) return;
    this.connected = false;
    this.connectionLost.fail(new Error(detail));
    this.options.onStatusChange?.('disconnected', detail);
  }

  // --- topology -----------------------------------------------------------------

  private async ensureStream(jsm: JetStreamManager): Promise<void> {
    const subjects = `${this.subjectPrefix}.>`;
    for (let attempt = 0; ; attempt++) {
      try {
        const info = await jsm.streams.info(this.stream);
        if (info.config.retention !== RetentionPolicy.Interest) {
          throw new Error(
            `stream ${this.stream} exists with ${info.config.retention} retention, but Gantry needs interest retention: delete it or configure another stream name`,
          );
        }
        if (!info.config.subjects.includes(subjects)) {
          await jsm.streams.update(this.stream, { subjects: [...info.config.subjects, subjects] });
        }
        return;
      } catch (error) {
        if (apiErrorCode(error) !== STREAM_NOT_FOUND) throw error;
      }
      try {
        await jsm.streams.add({
          name: this.stream,
          subjects: [subjects],
          retention: RetentionPolicy.Interest,
          storage: StorageType.File,
          discard: DiscardPolicy.Old,
          num_replicas: this.options.replicas ?? 1,
          description: 'Gantry events',
        });
        return;
      } catch (error) {
        // Another process created it meanwhile: check what it created.
        if (apiErrorCode(error) !== STREAM_NAME_IN_USE || attempt > 0) throw error;
      }
    }
  }

  /** Creates the group's durable consumer, or brings an existing one in line (keeping its position). */
  private async ensureConsumer(subscription: ActiveSubscription): Promise<void> {
    const jsm = this.jsm;
    if (!jsm) throw new Error('not connected');
    const { durable, request } = subscription;
    const wanted = {
      description: `Gantry consumer group ${request.group}`,
      ack_wait: nanos(this.ackWaitMs),
      // Gantry counts attempts itself and dead-letters; the broker never gives up.
      max_deliver: -1,
      max_ack_pending: request.concurrency,
      ...this.filterOf(subscription),
    } satisfies Partial<ConsumerConfig>;
    let existing: ConsumerInfo | undefined;
    try {
      existing = await jsm.consumers.info(this.stream, durable);
    } catch (error) {
      if (apiErrorCode(error) !== CONSUMER_NOT_FOUND) throw error;
    }
    if (!existing) {
      try {
        await jsm.consumers.add(this.stream, {
          ...wanted,
          durable_name: durable,
          ack_policy: AckPolicy.Explicit,
          // Only what is published from now on: a new group does not replay history.
          deliver_policy: DeliverPolicy.New,
          replay_policy: ReplayPolicy.Instant,
        });
        return;
      } catch (error) {
        // Created concurrently by another instance of the group: update it instead.
        existing = await jsm.consumers.info(this.stream, durable).catch(() => {
          throw error;
        });
      }
    }
    if (!sameConsumer(existing.config, wanted)) await jsm.consumers.update(this.stream, durable, wanted);
  }

  private filterOf(
    subscription: ActiveSubscription,
  ): Pick<ConsumerConfig, 'filter_subject' | 'filter_subjects'> {
    if (this.multipleFilters) {
      const subjects = [...subscription.routes].map((route) => `${this.subjectPrefix}.${route}`).sort();
      return { filter_subject: undefined, filter_subjects: subjects };
    }
    // Before NATS 2.10 a consumer has one filter subject, and the group's
    // routes share no narrower wildcard: take every subject and let run() ack
    // what the group does not handle. One consumer per route would lose the
    // order between events of different types.
    return { filter_subject: `${this.subjectPrefix}.>`, filter_subjects: undefined };
  }

  /** After a reconnect or a missing stream: declare the stream and every active consumer again. */
  private async restoreTopology(): Promise<void> {
    const jsm = this.jsm;
    if (!jsm || this.closed) return;
    try {
      this.multipleFilters = supportsMultipleFilters(this.nc?.info?.version);
      await this.ensureStream(jsm);
      for (const subscription of this.subscriptions) {
        if (subscription.active) await this.ensureConsumer(subscription);
      }
    } catch (error) {
      this.report('could not restore the stream and consumers', error);
    }
  }

  // --- consuming -------------------------------------------------------------

  private async consume(subscription: ActiveSubscription): Promise<ConsumerMessages> {
    const js = this.js;
    if (!js) throw new Error('not connected');
    const consumer = await js.consumers.get(this.stream, subscription.durable);
    // The consumer's max_ack_pending bounds what the server sends; pulling
    // more than `concurrency` would only let messages wait in this process.
    const messages = await consumer.consume({ max_messages: subscription.request.concurrency });
    void this.watchConsumer(subscription, messages);
    return messages;
  }

  /** Delivers until cancelled; if the client gives up on the consumer, starts it again. */
  private async run(subscription: ActiveSubscription): Promise<void> {
    for (let attempt = 0; subscription.active;) {
      const messages = subscription.messages;
      if (messages) {
        try {
          for await (const message of messages) {
            attempt = 0;
            await subscription.limiter.acquire();
            void this.handle(subscription, message).finally(() => subscription.limiter.release());
          }
        } catch (error) {
          this.report(`consuming for group ${subscription.request.group} stopped`, error);
        }
        subscription.messages = undefined;
      }
      if (!subscription.active) return;
      await sleep(backoffDelay(attempt++, 500, this.reconnectMaxDelayMs), this.closing.signal);
      if (!subscription.active || !this.connected) continue;
      try {
        if (this.jsm) await this.ensureStream(this.jsm);
        await this.ensureConsumer(subscription);
        subscription.messages = await this.consume(subscription);
      } catch (error) {
        this.report(`could not resume consuming for group ${subscription.request.group}`, error);
      }
    }
  }

  private async watchConsumer(subscription: ActiveSubscription, messages: ConsumerMessages): Promise<void> {
    for await (const status of await messages.status()) {
      if (
        status.type === ConsumerEvents.ConsumerNotFound ||
        status.type === ConsumerEvents.ConsumerDeleted ||
        status.type === ConsumerEvents.StreamNotFound
      ) {
        if (!subscription.active) return;
        // The client would only keep polling for it: stop, and let run()
        // declare the stream and consumer again and consume afresh.
        this.report(
          `consumer of group ${subscription.request.group} is missing (${status.type}); creating it again`,
        );
        messages.stop();
        return;
      }
    }
  }

  private async handle(subscription: ActiveSubscription, message: JsMsg): Promise<void> {
    const route = message.subject.slice(this.subjectPrefix.length + 1);
    if (!subscription.routes.has(route)) {
      // Only with a wildcard filter (NATS < 2.10): not this group's event.
      ignoreClosed(() => message.ack());
      return;
    }
    let envelope: EventEnvelope;
    try {
      envelope = decodeEnvelope(message.data);
    } catch (error) {
      // It can never be handled: term() stops redelivery for good.
      ignoreClosed(() => message.term());
      this.options.onMalformed?.({
        source: message.subject,
        messageId: message.headers?.get('Nats-Msg-Id') || undefined,
        bytes: message.data.length,
        error: error instanceof Error ? error : new Error(String(error)),
      });
      return;
    }
    // A handler may outlast ack_wait; tell the server it is still at work so
    // the message is not handed to another instance meanwhile.
    const keepAlive = setInterval(() => ignoreClosed(() => message.working()), this.ackWaitMs / 2);
    this.keepAlives.add(keepAlive);
    try {
      await subscription.request.deliver(envelope);
      ignoreClosed(() => message.ack());
    } catch {
      // The runtime reports handler failures; the transport only redelivers.
      ignoreClosed(() => message.nak(this.redeliveryDelayMs));
    } finally {
      clearInterval(keepAlive);
      this.keepAlives.delete(keepAlive);
    }
  }

  private cancel(subscription: ActiveSubscription): Promise<void> {
    subscription.active = false;
    this.subscriptions.delete(subscription);
    // Messages already handed to handlers are still acked on this connection.
    subscription.messages?.stop();
    return Promise.resolve();
  }

  // --- helpers -------------------------------------------------------------------

  private subjectFor(envelope: EventEnvelope): string {
    return `${this.subjectPrefix}.${routingKeyFor(envelope)}`;
  }

  private failure(what: string, cause: unknown): Error {
    return brokerError(this.description, what, cause);
  }

  private report(what: string, cause?: unknown): void {
    this.options.onError?.(brokerError(this.description, what, cause));
  }
}

function messageHeaders(envelope: EventEnvelope) {
  const headers = natsHeaders();
  for (const [name, value] of traceHeaderEntries(envelope)) headers.set(name, value);
  return headers;
}

function lostSignal(): { promise: Promise<never>; fail: (error: Error) => void } {
  let fail!: (error: Error) => void;
  const promise = new Promise<never>((_, reject) => (fail = reject));
  // Only publishes in flight listen; with none, the rejection is expected and ignored.
  promise.catch(() => undefined);
  return { promise, fail };
}

function supportsMultipleFilters(version: string | undefined): boolean {
  const [major = 0, minor = 0] = (version ?? '').split('.').map((part) => Number.parseInt(part, 10) || 0);
  return major > 2 || (major === 2 && minor >= 10);
}

function sameConsumer(
  actual: ConsumerConfig,
  wanted: Pick<
    ConsumerConfig,
    'description' | 'ack_wait' | 'max_deliver' | 'max_ack_pending' | 'filter_subject' | 'filter_subjects'
  >,
): boolean {
  const filters = (config: Pick<ConsumerConfig, 'filter_subject' | 'filter_subjects'>) =>
    JSON.stringify(
      config.filter_subjects?.length ? [...config.filter_subjects].sort() : [config.filter_subject],
    );
  return (
    actual.description === wanted.description &&
    actual.ack_wait === wanted.ack_wait &&
    actual.max_deliver === wanted.max_deliver &&
    actual.max_ack_pending === wanted.max_ack_pending &&
    filters(actual) === filters(wanted)
  );
}

function apiErrorCode(error: unknown): number | undefined {
  const apiError = (error as { api_error?: { err_code?: number } } | undefined)?.api_error;
  return apiError?.err_code;
}

function isNoResponders(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === '503';
}
