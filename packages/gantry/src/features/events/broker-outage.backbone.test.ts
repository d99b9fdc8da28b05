import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type DatabaseHandle } from '../../platform/database/database.js';
import { sleep } from '../../shared/sleep.js';
import { startTcpProxy, type TcpProxy } from '../../testing/tcp-proxy.js';
import { backboneCombos, testBrokerUrl, testMode, uniqueSuffix } from '../../testing/test-backends.js';
import { createTestBackbone, createTestTransport } from '../../testing/test-backbone.js';
import { deleteTestBrokerNames } from '../../testing/test-broker-cleanup.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import { waitFor } from '../../testing/wait-for.js';
import type { DeliveredEvent } from './consumers/consumer-registry.js';
import type { EventBackbone } from './event-backbone.js';

// A broker outage in the middle of a stream of events: the broker becomes
// unreachable (a TCP proxy in front of the real one drops every connection and
// refuses new ones), producers keep writing, the backlog waits in the outbox,
// and once the broker is back every event is delivered and handled exactly once.

const brokerCombos = backboneCombos().filter((combo) => combo.transport !== 'in-process');
const GROUP = 'outage.counter';

if (brokerCombos.length === 0) {
  it('needs a real broker: runs with npm run test:integration (RabbitMQ and NATS)', () => {
    // The in-process broker cannot be unreachable; integration mode always has broker combos.
    expect(testMode()).toBe('embedded');
  });
}

describe.each(brokerCombos)('broker outage on $name', (combo) => {
  const namespace = `outage-${uniqueSuffix()}`;
  let database: TestDatabase;
  let handle: DatabaseHandle;
  let proxy: TcpProxy;
  let backbone: EventBackbone | undefined;

  beforeAll(async () => {
    database = await createTestDatabase(combo.database);
    handle = database.handle;
    await handle.db.execute(sql`create table outage_effects (
      n int primary key, event_id uuid not null, count int not null)`);
    proxy = await startTcpProxy(testBrokerUrl(combo.transport)!);
  });

  afterAll(async () => {
    await backbone?.stop(5_000);
    await proxy?.close();
    await database?.drop();
    await deleteTestBrokerNames(combo.transport, namespace, [GROUP]);
  });

  async function handledCount(): Promise<number> {
    const [row] = await queryRows<{ rows: number }>(
      handle.db,
      sql`select count(*)::int as rows from outage_effects`,
    );
    return row?.rows ?? 0;
  }

  async function sentCount(): Promise<number> {
    const [row] = await queryRows<{ rows: number }>(
      handle.db,
      sql`select count(*)::int as rows from outbox where sent_at is not null`,
    );
    return row?.rows ?? 0;
  }

  it('keeps the backlog in the outbox while the broker is away, then delivers every event exactly once', async () => {
    const transport = createTestTransport(combo.transport, namespace, proxy.url());
    backbone = createTestBackbone({ database: handle, transport });
    const events = backbone.events;
    backbone.consumers.register({
      group: GROUP,
      eventType: 'outage.ticked',
      handle: async (event: DeliveredEvent<{ n: number }>, tx) => {
        // A second effect of one event would show as count 2.
        await tx.execute(sql`insert into outage_effects (n, event_id, count) values (${event.payload.n}, ${event.id}, 1)
          on conflict (n) do update set count = outage_effects.count + 1`);
      },
    });
    await backbone.ready();

    // A steady stream of events from one producer, through the outage and after it.
    let produced = 0;
    let producing = true;
    const backlogs: number[] = [];
    const producer = (async () => {
      while (producing) {
        const n = produced;
        await handle.db.transaction((tx) =>
          events.append(tx, { type: 'outage.ticked', key: `ticker:${n % 8}`, payload: { n } }),
        );
        produced += 1;
        await sleep(10);
      }
    })();
    try {
      await waitFor(async () => (await handledCount()) >= 50, { what: 'events flowing before the outage' });

      await proxy.cut();
      await waitFor(() => !transport.isConnected(), { what: 'the transport to notice the outage' });
      expect(backbone.currentPhase).toBe('running');

      // The relay cannot publish, so each check finds a larger backlog than the last,
      // and no row is marked sent (a batch confirmed just before the cut has been by now).
      await sleep(250);
      const sentDuringOutage = await sentCount();
      backlogs.push((await backbone.outboxStats()).backlog);
      for (let check = 0; check < 4; check += 1) {
        await sleep(250);
        const previous = backlogs.at(-1)!;
        backlogs.push(
          await waitFor(
            async () => {
              const { backlog } = await backbone!.outboxStats();
              return backlog > previous ? backlog : undefined;
            },
            { what: `the backlog to grow past ${previous} while the broker is away` },
          ),
        );
        expect(transport.isConnected()).toBe(false);
      }
      expect(await sentCount()).toBe(sentDuringOutage);

      await proxy.restore();
      await waitFor(() => transport.isConnected(), { what: 'the transport to reconnect by itself' });
      await sleep(300); // a few more events after the reconnect
    } finally {
      producing = false;
      await producer;
    }

    await waitFor(
      async () => (await backbone!.outboxStats()).backlog === 0 && (await handledCount()) === produced,
      { timeoutMs: 90_000, what: `all ${produced} events to be relayed and handled` },
    );
    const [summary] = await queryRows<{ rows: number; once: number; low: number; high: number }>(
      handle.db,
      sql`select count(*)::int as rows, count(*) filter (where count = 1)::int as once,
                 min(n) as low, max(n) as high from outage_effects`,
    );
    expect(summary).toEqual({ rows: produced, once: produced, low: 0, high: produced - 1 });
    const [processed] = await queryRows<{ rows: number }>(
      handle.db,
      sql`select count(*)::int as rows from processed_events where consumer_group = ${GROUP}`,
    );
    expect(processed?.rows).toBe(produced);
    expect(await backbone.unresolvedDeadLetters()).toBe(0);
    console.log(
      `broker outage on ${combo.name}: ${produced} events, backlog during the outage ${backlogs.join(' → ')}, each handled once`,
    );
  });
});
