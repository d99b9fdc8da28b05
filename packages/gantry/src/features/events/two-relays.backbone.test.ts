import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, queryRows, type DatabaseHandle } from '../../platform/database/database.js';
import { backboneCombos, testMode, uniqueSuffix } from '../../testing/test-backends.js';
import { createTestBackbone, createTestTransport, silentLogger } from '../../testing/test-backbone.js';
import { deleteTestBrokerNames } from '../../testing/test-broker-cleanup.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import { waitFor } from '../../testing/wait-for.js';
import type { DeliveredEvent } from './consumers/consumer-registry.js';
import type { EventBackbone } from './event-backbone.js';
import type { EventEnvelope } from './event.js';
import { OUTBOX_PARTITIONS } from './partitions.js';
import { OutboxRelay } from './relay.js';
import { InProcessTransport } from './transports/in-process.transport.js';
import type { Subscription, SubscriptionRequest, Transport } from './transports/transport.js';

// Two relays on one PostgreSQL outbox, as two Gantry replicas would run them:
// they split the partitions between them, publish disjoint sets of rows that
// together cover the outbox, and each key's events still reach the consumer in
// the order they were written. PGlite is one connection in one process, so it
// has one relay and nothing to share.

const postgresCombos = backboneCombos().filter((combo) => combo.database === 'postgres');
const GROUP = 'relays.order';
const EVENTS = 3_000;
const PRODUCERS = 8;
const KEYS = 64;

if (postgresCombos.length === 0) {
  it('needs PostgreSQL: runs with npm run test:integration', () => {
    // Integration mode always has PostgreSQL combos; only the embedded mode gets here.
    expect(testMode()).toBe('embedded');
  });
}

/** Delegates to a real transport and records every envelope handed to publish(). */
class RecordingTransport implements Transport {
  /** Outbox seqs, in the order they were published, including any publish that failed. */
  readonly published: number[] = [];
  failedPublishes = 0;

  constructor(private readonly inner: Transport) {}

  get kind() {
    return this.inner.kind;
  }

  get description() {
    return this.inner.description;
  }

  connect(): Promise<void> {
    return this.inner.connect();
  }

  async publish(envelopes: readonly EventEnvelope[]): Promise<void> {
    for (const envelope of envelopes) this.published.push(envelope.outboxSeq);
    try {
      await this.inner.publish(envelopes);
    } catch (error) {
      this.failedPublishes += 1;
      throw error;
    }
  }

  subscribe(request: SubscriptionRequest): Promise<Subscription> {
    return this.inner.subscribe(request);
  }

  isConnected(): boolean {
    return this.inner.isConnected();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

describe.each(postgresCombos)('two relays on $name', (combo) => {
  const namespace = `relays-${uniqueSuffix()}`;
  let database: TestDatabase;
  let handle: DatabaseHandle;
  /** Each relay has its own pool, as it would in its own process. */
  const relayHandles: DatabaseHandle[] = [];
  const relays: OutboxRelay[] = [];
  const transports: Transport[] = [];
  let consumer: EventBackbone | undefined;

  beforeAll(async () => {
    database = await createTestDatabase(combo.database);
    handle = database.handle;
    await handle.db.execute(sql`create table relay_effects (
      id bigserial primary key, event_id uuid not null, event_key text not null)`);
  });

  afterAll(async () => {
    await Promise.all(relays.map((relay) => relay.stop()));
    await consumer?.stop(5_000);
    await Promise.all(transports.map((transport) => transport.close()));
    await Promise.all(relayHandles.map((relayHandle) => relayHandle.close()));
    await database?.drop();
    await deleteTestBrokerNames(combo.transport, namespace, [GROUP]);
  });

  async function startRelay(transport: Transport): Promise<OutboxRelay> {
    const relayHandle = openPostgres({ url: database.url!, poolSize: 4 });
    relayHandles.push(relayHandle);
    const relay = new OutboxRelay({
      database: relayHandle,
      transport,
      logger: silentLogger,
      batchSize: 200,
      pollIntervalMs: 200,
      retentionMs: 7 * 86_400_000,
      leaseMs: 3_000,
    });
    relays.push(relay);
    await relay.start();
    return relay;
  }

  async function handledCount(): Promise<number> {
    const [row] = await queryRows<{ rows: number }>(
      handle.db,
      sql`select count(*)::int as rows from relay_effects`,
    );
    return row?.rows ?? 0;
  }

  it('share the partitions, publish disjoint rows that cover the outbox, and keep each key in order', async () => {
    // In-process, publishing is delivering: both relays and the consumers share
    // one broker. With a real broker each relay has its own connection.
    const shared = combo.transport === 'in-process' ? new InProcessTransport() : undefined;
    const brokerTransport = () => shared ?? createTestTransport(combo.transport, namespace);
    const recorders = [new RecordingTransport(brokerTransport()), new RecordingTransport(brokerTransport())];
    transports.push(...recorders);

    consumer = createTestBackbone({ database: handle, transport: brokerTransport(), withoutRelay: true });
    consumer.consumers.register({
      group: GROUP,
      eventType: 'item.changed',
      handle: async (event: DeliveredEvent, tx) => {
        await tx.execute(
          sql`insert into relay_effects (event_id, event_key) values (${event.id}, ${event.key})`,
        );
      },
    });
    // The group's queue exists before any relay publishes.
    await consumer.ready();
    for (const recorder of recorders) await recorder.connect();

    const first = await startRelay(recorders[0]!);
    await waitFor(() => first.ownedPartitions.length === OUTBOX_PARTITIONS, {
      what: 'the first relay to take every partition',
    });
    const second = await startRelay(recorders[1]!);
    await waitFor(
      () =>
        first.ownedPartitions.length === OUTBOX_PARTITIONS / 2 &&
        second.ownedPartitions.length === OUTBOX_PARTITIONS / 2,
      { what: 'the relays to split the partitions' },
    );
    expect(first.ownedPartitions.filter((partition) => second.ownedPartitions.includes(partition))).toEqual(
      [],
    );

    // Producers share keys, so one key's events come from several producers at once.
    const events = consumer.events;
    await Promise.all(
      Array.from({ length: PRODUCERS }, async (_, producer) => {
        for (let n = 0; n < EVENTS / PRODUCERS; n += 1) {
          await handle.db.transaction((tx) =>
            events.append(tx, {
              type: 'item.changed',
              key: `item:${(producer * 13 + n) % KEYS}`,
              payload: { producer, n },
            }),
          );
        }
      }),
    );
    await waitFor(async () => (await handledCount()) >= EVENTS, {
      timeoutMs: 120_000,
      what: `all ${EVENTS} events handled`,
    });
    await waitFor(async () => (await consumer!.outboxStats()).backlog === 0, {
      what: 'every outbox row marked sent',
    });

    // The split held while the events flowed.
    expect(first.ownedPartitions).toHaveLength(OUTBOX_PARTITIONS / 2);
    expect(second.ownedPartitions).toHaveLength(OUTBOX_PARTITIONS / 2);

    const [a, b] = recorders.map((recorder) => recorder.published);
    expect(recorders.map((recorder) => recorder.failedPublishes)).toEqual([0, 0]);
    expect(a!.length).toBeGreaterThan(0);
    expect(b!.length).toBeGreaterThan(0);
    // No row went out twice, from one relay or from both.
    expect(new Set(a).size).toBe(a!.length);
    expect(new Set(b).size).toBe(b!.length);
    const inB = new Set(b);
    expect(a!.filter((seq) => inB.has(seq))).toEqual([]);
    // Together they published every row.
    const rows = await queryRows<{ seq: string | number }>(
      handle.db,
      sql`select seq from outbox order by seq`,
    );
    expect(rows).toHaveLength(EVENTS);
    expect([...a!, ...b!].sort((x, y) => x - y)).toEqual(rows.map((row) => Number(row.seq)));

    // Each event once, and each key's events handled in the order they were written (outbox seq).
    const [effects] = await queryRows<{ rows: number; events: number }>(
      handle.db,
      sql`select count(*)::int as rows, count(distinct event_id)::int as events from relay_effects`,
    );
    expect(effects).toEqual({ rows: EVENTS, events: EVENTS });
    const order = await queryRows<{ key: string; in_order: boolean }>(
      handle.db,
      sql`select e.event_key as key,
                 array_agg(e.event_id order by e.id) = array_agg(e.event_id order by o.seq) as in_order
            from relay_effects e join outbox o on o.event_id = e.event_id
           group by e.event_key order by e.event_key`,
    );
    expect(order).toHaveLength(KEYS);
    expect(order.filter((row) => !row.in_order).map((row) => row.key)).toEqual([]);
    console.log(
      `two relays on ${combo.name}: published ${a!.length} and ${b!.length} of ${EVENTS} rows, none twice; ${KEYS} keys in order`,
    );
  });
});
