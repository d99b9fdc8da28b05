import { connect as amqpConnect, type Channel, type GetMessage } from 'amqplib';
import { connect as natsConnect, type NatsConnection } from 'nats';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../../shared/uuidv7.js';
import { startTcpProxy, type TcpProxy } from '../../../testing/tcp-proxy.js';
import { testServiceUrl, uniqueSuffix } from '../../../testing/test-backends.js';
import { eventRoute, type EventEnvelope } from '../event.js';
import { AmqpTransport, type BrokerTransportEvents, type MalformedMessage } from './amqp.transport.js';
import { createTransport } from './create-transport.js';
import { InProcessTransport } from './in-process.transport.js';
import { NatsTransport } from './nats.transport.js';
import type { Subscription, Transport, TransportKind } from './transport.js';

// The contract every broker transport keeps, checked against real RabbitMQ and
// NATS JetStream. Outages are simulated with a TCP proxy, never by stopping a
// broker other test files share. Nothing here asserts timings: conditions are
// polled with a generous timeout.

interface Harness {
  kind: TransportKind;
  /** The real broker's URL. */
  brokerUrl: string;
  create(url: string, events?: BrokerTransportEvents): Transport;
  /** Puts raw bytes on an event route, past the transport's encoding. */
  publishRaw(route: string, body: Buffer): Promise<void>;
  /** Deletes a group's queue or durable consumer behind the transport's back. */
  deleteGroup(group: string): Promise<void>;
  /** Deletes everything this file created on the broker. */
  cleanup(groups: readonly string[]): Promise<void>;
}

const suffix = uniqueSuffix();

function rabbitmqHarness(): Harness {
  const brokerUrl = testServiceUrl('GANTRY_TEST_AMQP_URL');
  const exchange = `gantry-test.transport-${suffix}`;
  const queuePrefix = `gantry-test.transport-${suffix}`;
  const withChannel = async (work: (channel: Channel) => Promise<void>) => {
    const model = await amqpConnect(brokerUrl);
    try {
      await work(await model.createChannel());
    } finally {
      await model.close();
    }
  };
  return {
    kind: 'rabbitmq',
    brokerUrl,
    create: (url, events) =>
      new AmqpTransport({
        url,
        exchange,
        queuePrefix,
        redeliveryDelayMs: 50,
        reconnectInitialDelayMs: 50,
        reconnectMaxDelayMs: 500,
        ...events,
      }),
    publishRaw: (route, body) =>
      withChannel(async (channel) => {
        channel.publish(exchange, route, body, { persistent: true });
        await channel.close();
      }),
    deleteGroup: (group) =>
      withChannel(async (channel) => {
        await channel.deleteQueue(`${queuePrefix}.${group}`);
      }),
    cleanup: (groups) =>
      withChannel(async (channel) => {
        for (const group of groups) await channel.deleteQueue(`${queuePrefix}.${group}`);
        await channel.deleteExchange(exchange);
      }),
  };
}

function natsHarness(): Harness {
  const brokerUrl = testServiceUrl('GANTRY_TEST_NATS_URL');
  const stream = `GANTRY_TEST_TRANSPORT_${suffix.toUpperCase()}`;
  const subjectPrefix = `gantry-test-transport-${suffix}`;
  const broker = new URL(brokerUrl);
  const withConnection = async (work: (nc: NatsConnection) => Promise<void>) => {
    const nc = await natsConnect({ servers: `${broker.hostname}:${broker.port || '4222'}` });
    try {
      await work(nc);
    } finally {
      await nc.close();
    }
  };
  return {
    kind: 'nats',
    brokerUrl,
    create: (url, events) =>
      new NatsTransport({
        url,
        stream,
        subjectPrefix,
        // Short, so a message held by a crashed consumer comes back quickly.
        ackWaitMs: 2_000,
        redeliveryDelayMs: 50,
        reconnectInitialDelayMs: 50,
        reconnectMaxDelayMs: 500,
        ...events,
      }),
    publishRaw: (route, body) =>
      withConnection(async (nc) => {
        await nc.jetstream().publish(`${subjectPrefix}.${route}`, body);
      }),
    deleteGroup: (group) =>
      withConnection(async (nc) => {
        const jsm = await nc.jetstreamManager();
        await jsm.consumers.delete(stream, NatsTransport.durableName(group));
      }),
    cleanup: (groups) =>
      withConnection(async (nc) => {
        const jsm = await nc.jetstreamManager();
        for (const group of groups) {
          await jsm.consumers.delete(stream, NatsTransport.durableName(group)).catch(() => false);
        }
        await jsm.streams.delete(stream);
      }),
  };
}

let outboxSeq = 0;

function envelope(type: string, overrides: Partial<EventEnvelope> = {}): EventEnvelope {
  const id = uuidv7();
  return {
    id,
    type,
    key: `test:${id}`,
    payload: { seq: outboxSeq + 1 },
    schemaVersion: 1,
    occurredAt: new Date().toISOString(),
    headers: { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` },
    destination: null,
    attempt: 1,
    outboxSeq: ++outboxSeq,
    ...overrides,
  };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Counts deliveries per event id, in arrival order. */
class Recorder {
  readonly received: EventEnvelope[] = [];

  readonly deliver = (event: EventEnvelope): Promise<void> => {
    this.received.push(event);
    return Promise.resolve();
  };

  count(id: string): number {
    return this.received.filter((event) => event.id === id).length;
  }

  has(id: string): boolean {
    return this.count(id) > 0;
  }
}

describe.each([
  ['RabbitMQ', rabbitmqHarness],
  ['NATS JetStream', natsHarness],
])('%s transport', (_name, makeHarness) => {
  const harness = makeHarness();
  const groups = new Set<string>();
  let open: Transport[] = [];
  const proxies: TcpProxy[] = [];

  async function transport(url = harness.brokerUrl, events?: BrokerTransportEvents): Promise<Transport> {
    const created = harness.create(url, events);
    open.push(created);
    await created.connect();
    return created;
  }

  function subscribe(
    on: Transport,
    group: string,
    eventTypes: string[],
    deliver: (event: EventEnvelope) => Promise<void>,
    concurrency = 4,
  ): Promise<Subscription> {
    groups.add(group);
    return on.subscribe({ group, eventTypes, concurrency, deliver });
  }

  async function proxy(): Promise<TcpProxy> {
    const started = await startTcpProxy(harness.brokerUrl);
    proxies.push(started);
    return started;
  }

  afterEach(async () => {
    await Promise.all(open.map((each) => each.close()));
    open = [];
    await Promise.all(proxies.splice(0).map((each) => each.close()));
  });

  afterAll(async () => {
    await harness.cleanup([...groups]);
  });

  it('describes itself and reports connection state', async () => {
    const connected = await transport();
    expect(connected.kind).toBe(harness.kind);
    expect(connected.description).toMatch(
      harness.kind === 'rabbitmq' ? /^RabbitMQ at amqp:/ : /^NATS JetStream at nats:/,
    );
    expect(connected.isConnected()).toBe(true);
    await connected.close();
    expect(connected.isConnected()).toBe(false);
    await expect(connected.publish([envelope('closed.tested')])).rejects.toThrow(/closed/);
  });

  it('never reveals the password, in its description or its errors', async () => {
    const url = new URL(harness.brokerUrl);
    url.username = 'gantry';
    url.password = 'sup3r-secret';
    url.port = '1';
    const unreachable = harness.create(url.toString());
    open.push(unreachable);
    expect(unreachable.description).not.toContain('sup3r-secret');
    const failure = await unreachable.connect().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).not.toContain('sup3r-secret');
    expect(unreachable.isConnected()).toBe(false);
  });

  it('fans a broadcast event out to every subscribed group', async () => {
    const publisher = await transport();
    const first = new Recorder();
    const second = new Recorder();
    await subscribe(publisher, 'fanout-first', ['fanout.tested'], first.deliver);
    await subscribe(publisher, 'fanout-second', ['fanout.tested', 'other.tested'], second.deliver);

    const event = envelope('fanout.tested');
    await publisher.publish([event]);
    await waitFor(() => first.has(event.id) && second.has(event.id), 'both groups to receive the event');

    // Anything duplicated would arrive before a later event on the same queue.
    const later = envelope('fanout.tested');
    await publisher.publish([later]);
    await waitFor(() => first.has(later.id) && second.has(later.id), 'the later event');
    expect(first.count(event.id)).toBe(1);
    expect(second.count(event.id)).toBe(1);
    expect(first.received[0]).toEqual(event);
  });

  it('shares a group between instances: each event is handled by exactly one', async () => {
    const one = await transport();
    const two = await transport();
    const handledBy = new Map<string, string[]>();
    const worker = (name: string) => async (event: EventEnvelope) => {
      handledBy.set(event.id, [...(handledBy.get(event.id) ?? []), name]);
      // A little work, so both instances get a share.
      await new Promise((resolve) => setTimeout(resolve, 5));
    };
    await subscribe(one, 'work-queue', ['work.queued'], worker('one'));
    await subscribe(two, 'work-queue', ['work.queued'], worker('two'));

    const events = Array.from({ length: 60 }, () => envelope('work.queued'));
    await one.publish(events);
    await waitFor(() => events.every((event) => handledBy.has(event.id)), 'every event to be handled');
    const more = Array.from({ length: 10 }, () => envelope('work.queued'));
    await two.publish(more);
    await waitFor(() => more.every((event) => handledBy.has(event.id)), 'the later events');

    for (const event of [...events, ...more]) expect(handledBy.get(event.id)).toHaveLength(1);
    const handlers = [...handledBy.values()].flat();
    expect(handlers).toContain('one');
    expect(handlers).toContain('two');
  });

  it('routes an event with a destination to that group only', async () => {
    const publisher = await transport();
    const target = new Recorder();
    const bystander = new Recorder();
    await subscribe(publisher, 'direct-target', ['direct.tested'], target.deliver);
    await subscribe(publisher, 'direct-bystander', ['direct.tested'], bystander.deliver);

    const retry = envelope('direct.tested', { destination: 'direct-target', attempt: 2 });
    await publisher.publish([retry]);
    const broadcast = envelope('direct.tested');
    await publisher.publish([broadcast]);
    await waitFor(
      () => target.has(broadcast.id) && bystander.has(broadcast.id) && target.has(retry.id),
      'the retry and the broadcast',
    );
    expect(target.count(retry.id)).toBe(1);
    expect(target.received.find((event) => event.id === retry.id)?.attempt).toBe(2);
    expect(bystander.has(retry.id)).toBe(false);
  });

  it('keeps the order of a batch when the group handles one event at a time', async () => {
    const publisher = await transport();
    const recorder = new Recorder();
    await subscribe(publisher, 'ordered', ['order.tested', 'order.continued'], recorder.deliver, 1);

    const events = Array.from({ length: 200 }, (_, index) =>
      envelope(index % 3 === 0 ? 'order.continued' : 'order.tested'),
    );
    await publisher.publish(events);
    await waitFor(() => recorder.received.length >= events.length, 'the whole batch');
    expect(recorder.received.map((event) => event.id)).toEqual(events.map((event) => event.id));
  });

  it('redelivers an event whose handler failed', async () => {
    const publisher = await transport();
    const attempts = new Map<string, number>();
    await subscribe(publisher, 'redelivered', ['redelivery.tested'], (event) => {
      const attempt = (attempts.get(event.id) ?? 0) + 1;
      attempts.set(event.id, attempt);
      return attempt === 1 ? Promise.reject(new Error('database is down')) : Promise.resolve();
    });

    const event = envelope('redelivery.tested');
    await publisher.publish([event]);
    await waitFor(() => attempts.get(event.id) === 2, 'the second delivery');
    const later = envelope('redelivery.tested');
    await publisher.publish([later]);
    await waitFor(() => attempts.get(later.id) === 2, 'the later event, delivered twice as well');
    expect(attempts.get(event.id)).toBe(2);
  });

  it('redelivers what a consumer held when its connection died', async () => {
    const link = await proxy();
    const crashing = await transport(link.url());
    const survivor = await transport();
    const taken: EventEnvelope[] = [];
    let release!: () => void;
    const stuck = new Promise<void>((resolve) => (release = resolve));
    await subscribe(crashing, 'crash', ['crash.tested'], (event) => {
      taken.push(event);
      return stuck;
    });

    const event = envelope('crash.tested');
    await survivor.publish([event]);
    await waitFor(() => taken.length === 1, 'the crashing consumer to take the event');

    const recovered = new Recorder();
    await subscribe(survivor, 'crash', ['crash.tested'], recovered.deliver);
    await link.cut();
    await crashing.close();
    await waitFor(() => recovered.has(event.id), 'the event to be redelivered to the surviving instance');
    release();
    expect(recovered.received[0]).toEqual(event);
  });

  it('rejects publishing during an outage, then resumes publishing and consuming by itself', async () => {
    const link = await proxy();
    const statuses: string[] = [];
    const errors: Error[] = [];
    const flaky = await transport(link.url(), {
      onStatusChange: (status) => statuses.push(status),
      onError: (error) => errors.push(error),
    });
    const steady = await transport();
    const recorder = new Recorder();
    await subscribe(flaky, 'outage', ['outage.tested'], recorder.deliver);

    const before = envelope('outage.tested');
    await flaky.publish([before]);
    await waitFor(() => recorder.has(before.id), 'delivery before the outage');

    await link.cut();
    await waitFor(() => !flaky.isConnected(), 'the transport to notice the outage');
    await expect(flaky.publish([envelope('outage.tested')])).rejects.toThrow(/not connected/);
    // Published elsewhere meanwhile: waits in the broker for the group.
    const during = envelope('outage.tested');
    await steady.publish([during]);

    await link.restore();
    await waitFor(() => flaky.isConnected(), 'the transport to reconnect', 90_000);
    const after = envelope('outage.tested');
    await flaky.publish([after]);
    await waitFor(
      () => recorder.has(during.id) && recorder.has(after.id),
      'deliveries after the outage',
      90_000,
    );
    expect(statuses).toContain('disconnected');
    expect(statuses.at(-1)).toBe('connected');
    for (const error of errors) expect(error.message).not.toMatch(/guest:guest@/);
  });

  it('drops a message that is not an event envelope, and reports it', async () => {
    const malformed: MalformedMessage[] = [];
    const consumer = await transport(harness.brokerUrl, {
      onMalformed: (message) => malformed.push(message),
    });
    const recorder = new Recorder();
    await subscribe(consumer, 'malformed', ['malformed.tested'], recorder.deliver);

    await harness.publishRaw(eventRoute('malformed.tested'), Buffer.from('{"not": "an envelope"}'));
    const valid = envelope('malformed.tested');
    await consumer.publish([valid]);
    await waitFor(() => recorder.has(valid.id) && malformed.length === 1, 'the valid event and the report');
    const later = envelope('malformed.tested');
    await consumer.publish([later]);
    await waitFor(() => recorder.has(later.id), 'the later event');
    expect(malformed).toHaveLength(1);
    expect(malformed[0]!.error.message).toMatch(/not a Gantry event envelope/);
    expect(recorder.received).toHaveLength(2);
  });

  it('declares its queue or consumer again when it is deleted under it', async () => {
    const errors: Error[] = [];
    const consumer = await transport(harness.brokerUrl, { onError: (error) => errors.push(error) });
    const recorder = new Recorder();
    await subscribe(consumer, 'redeclared', ['redeclare.tested'], recorder.deliver);
    const first = envelope('redeclare.tested');
    await consumer.publish([first]);
    await waitFor(() => recorder.has(first.id), 'the first event');

    await harness.deleteGroup('redeclared');
    // What is published before it exists again is lost, so probe until one arrives.
    const probes: string[] = [];
    await waitFor(() => {
      if (probes.some((id) => recorder.has(id))) return true;
      const probe = envelope('redeclare.tested');
      probes.push(probe.id);
      consumer.publish([probe]).catch(() => undefined);
      return false;
    }, 'a probe to arrive once the queue or consumer exists again');
    const later = envelope('redeclare.tested');
    await consumer.publish([later]);
    await waitFor(() => recorder.has(later.id), 'the later event');
    expect(recorder.count(later.id)).toBe(1);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('stops delivering to a cancelled subscription', async () => {
    const publisher = await transport();
    const cancelled = new Recorder();
    const active = new Recorder();
    const subscription = await subscribe(publisher, 'cancelled', ['cancel.tested'], cancelled.deliver);
    await subscribe(publisher, 'cancel-witness', ['cancel.tested'], active.deliver);
    const first = envelope('cancel.tested');
    await publisher.publish([first]);
    await waitFor(() => cancelled.has(first.id), 'the first event');

    await subscription.cancel();
    const second = envelope('cancel.tested');
    await publisher.publish([second]);
    await waitFor(() => active.has(second.id), 'the witness to receive the second event');
    expect(cancelled.has(second.id)).toBe(false);
  });
});

describe('RabbitMQ message properties', () => {
  it('publishes persistent JSON messages with the event id and trace context', async () => {
    const url = testServiceUrl('GANTRY_TEST_AMQP_URL');
    const exchange = `gantry-test.properties-${suffix}`;
    const transport = new AmqpTransport({ url, exchange, queuePrefix: exchange });
    const model = await amqpConnect(url);
    const channel = await model.createChannel();
    try {
      await transport.connect();
      const { queue } = await channel.assertQueue('', { exclusive: true });
      await channel.bindQueue(queue, exchange, eventRoute('properties.tested'));
      const event = envelope('properties.tested', {
        headers: {
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
          tracestate: 'g=1',
        },
      });
      await transport.publish([event]);
      let message: GetMessage | false = false;
      for (let tries = 0; message === false && tries < 400; tries++) {
        message = await channel.get(queue, { noAck: true });
        if (message === false) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(message).not.toBe(false);
      const { properties, content } = message as GetMessage;
      expect(properties.deliveryMode).toBe(2);
      expect(properties.messageId).toBe(event.id);
      expect(properties.contentType).toBe('application/json');
      expect(properties.headers).toMatchObject({
        traceparent: event.headers.traceparent,
        tracestate: 'g=1',
      });
      expect(JSON.parse(content.toString('utf8'))).toEqual(event);
    } finally {
      await transport.close();
      await channel.deleteExchange(exchange);
      await model.close();
    }
  });
});

describe('NATS deduplication', () => {
  it('drops a republished outbox row but not a new row for the same event', async () => {
    const url = testServiceUrl('GANTRY_TEST_NATS_URL');
    const stream = `GANTRY_TEST_DEDUPE_${suffix.toUpperCase()}`;
    const transport = new NatsTransport({ url, stream, subjectPrefix: `gantry-test-dedupe-${suffix}` });
    const recorder = new Recorder();
    try {
      await transport.connect();
      await transport.subscribe({
        group: 'dedupe',
        eventTypes: ['dedupe.tested'],
        concurrency: 1,
        deliver: recorder.deliver,
      });
      const event = envelope('dedupe.tested');
      await transport.publish([event]);
      await transport.publish([event]);
      const retry = { ...event, destination: 'dedupe', attempt: 2, outboxSeq: event.outboxSeq + 1000 };
      await transport.publish([retry]);
      const later = envelope('dedupe.tested');
      await transport.publish([later]);
      await waitFor(() => recorder.has(later.id), 'the later event');
      expect(recorder.received.map((each) => [each.id, each.attempt])).toEqual([
        [event.id, 1],
        [event.id, 2],
        [later.id, 1],
      ]);
    } finally {
      await transport.close();
      const broker = new URL(url);
      const nc = await natsConnect({ servers: `${broker.hostname}:${broker.port || '4222'}` });
      const jsm = await nc.jetstreamManager();
      await jsm.consumers.delete(stream, 'dedupe').catch(() => false);
      await jsm.streams.delete(stream);
      await nc.close();
    }
  });
});

describe('createTransport', () => {
  it('picks the transport by the URL scheme', () => {
    expect(createTransport(undefined)).toBeInstanceOf(InProcessTransport);
    expect(createTransport('amqp://guest:guest@127.0.0.1:5672').kind).toBe('rabbitmq');
    expect(createTransport('amqps://broker.example:5671').kind).toBe('rabbitmq');
    expect(createTransport('nats://127.0.0.1:4222').kind).toBe('nats');
    expect(createTransport('tls://nats.example:4222').kind).toBe('nats');
  });

  it('explains an unsupported URL without revealing its password', () => {
    expect(() => createTransport('kafka://user:sup3r-secret@broker:9092')).toThrow(
      /unsupported scheme kafka:/,
    );
    expect(() => createTransport('kafka://user:sup3r-secret@broker:9092')).not.toThrow(/sup3r-secret/);
  });
});
