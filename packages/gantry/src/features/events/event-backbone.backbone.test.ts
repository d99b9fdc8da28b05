import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type DatabaseHandle, type Tx } from '../../platform/database/database.js';
import { backboneCombos, uniqueSuffix } from '../../testing/test-backends.js';
import { createTestBackbone, createTestTransport } from '../../testing/test-backbone.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import { waitFor } from '../../testing/wait-for.js';
import type { EventBackbone } from './event-backbone.js';
import type { DeliveredEvent } from './consumers/consumer-registry.js';

// The backbone's guarantees, on every database + broker pair of this mode:
// PGlite + in-process for `npm test`; PostgreSQL with the in-process broker,
// RabbitMQ and NATS for `npm run test:integration`.

describe.each(backboneCombos())('event backbone on $name', (combo) => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  const running: EventBackbone[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(combo.database);
    handle = database.handle;
    await handle.db.execute(sql`create table effects (
      id bigserial primary key, consumer text not null, event_id uuid not null, event_key text not null, n int not null)`);
    await handle.db.execute(sql`create table widgets (id text primary key)`);
  });

  afterAll(async () => {
    await database?.drop();
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((backbone) => backbone.stop(5_000)));
    await handle.db.execute(sql`truncate effects, widgets, outbox, processed_events, dead_letters`);
  });

  /** A backbone; pass the namespace of an earlier one to restart "the same" Gantry on the same queues. */
  function backbone(
    options: { maxAttempts?: number; concurrency?: number; namespace?: string } = {},
  ): EventBackbone {
    const { namespace = uniqueSuffix(), ...rest } = options;
    const created = createTestBackbone({
      database: handle,
      transport: createTestTransport(combo.transport, namespace),
      ...rest,
    });
    running.push(created);
    return created;
  }

  /** A handler that records its effect in the handler's own transaction. */
  function recordEffect(consumer: string) {
    return async (event: DeliveredEvent<{ n: number }>, tx: Tx) => {
      await tx.execute(
        sql`insert into effects (consumer, event_id, event_key, n) values (${consumer}, ${event.id}, ${event.key}, ${event.payload.n})`,
      );
    };
  }

  async function effects(consumer?: string) {
    return queryRows<{ consumer: string; event_id: string; event_key: string; n: number }>(
      handle.db,
      consumer
        ? sql`select consumer, event_id, event_key, n from effects where consumer = ${consumer} order by id`
        : sql`select consumer, event_id, event_key, n from effects order by id`,
    );
  }

  it('writes the state change and its event together, or neither', async () => {
    const events = backbone().events;
    await expect(
      handle.db.transaction(async (tx) => {
        await tx.execute(sql`insert into widgets (id) values ('w1')`);
        await events.append(tx, { type: 'widget.created', key: 'widget:w1', payload: { n: 1 } });
        throw new Error('validation failed after the write');
      }),
    ).rejects.toThrow('validation failed');
    const [state] = await queryRows<{ count: number }>(
      handle.db,
      sql`select count(*)::int as count from widgets`,
    );
    const [outbox] = await queryRows<{ count: number }>(
      handle.db,
      sql`select count(*)::int as count from outbox`,
    );
    expect(state?.count).toBe(0);
    expect(outbox?.count).toBe(0);

    await handle.db.transaction(async (tx) => {
      await tx.execute(sql`insert into widgets (id) values ('w2')`);
      await events.append(tx, { type: 'widget.created', key: 'widget:w2', payload: { n: 2 } });
    });
    const rows = await queryRows<{ type: string; key: string; event_id: string }>(
      handle.db,
      sql`select type, key, event_id from outbox`,
    );
    expect(rows.map(({ type, key }) => ({ type, key }))).toEqual([
      { type: 'widget.created', key: 'widget:w2' },
    ]);
    expect(rows[0]?.event_id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('delivers every event once to every subscribed group (fan-out)', async () => {
    const instance = backbone();
    instance.consumers.register({
      group: 'projections',
      eventType: 'widget.created',
      handle: recordEffect('projections'),
    });
    instance.consumers.register({
      group: 'notifications',
      eventType: 'widget.created',
      handle: recordEffect('notifications'),
    });
    instance.consumers.register({
      group: 'notifications',
      eventType: 'widget.deleted',
      handle: recordEffect('deleted'),
    });
    await instance.ready();

    for (let n = 0; n < 50; n += 1) {
      await handle.db.transaction((tx) =>
        instance.events.append(tx, { type: 'widget.created', key: `widget:${n % 5}`, payload: { n } }),
      );
    }
    await waitFor(async () => (await effects()).length >= 100, { what: '100 effects' });
    await waitFor(async () => (await instance.outboxStats()).backlog === 0, { what: 'an empty backlog' });
    const all = await effects();
    expect(all.filter((row) => row.consumer === 'projections')).toHaveLength(50);
    expect(all.filter((row) => row.consumer === 'notifications')).toHaveLength(50);
    expect(all.filter((row) => row.consumer === 'deleted')).toHaveLength(0);
  });

  it('keeps the events of one key in write order under concurrent producers', async () => {
    const instance = backbone({ concurrency: 32 });
    instance.consumers.register({
      group: 'ordering',
      eventType: 'counter.incremented',
      handle: recordEffect('ordering'),
    });
    await instance.ready();

    const producers = 8;
    const perProducer = 40;
    await Promise.all(
      Array.from({ length: producers }, async (_, producer) => {
        for (let n = 0; n < perProducer; n += 1) {
          await handle.db.transaction((tx) =>
            instance.events.append(tx, {
              type: 'counter.incremented',
              key: `counter:${producer}`,
              payload: { n },
            }),
          );
        }
      }),
    );
    await waitFor(async () => (await effects('ordering')).length === producers * perProducer, {
      what: 'every event handled',
    });
    const byKey = new Map<string, number[]>();
    for (const row of await effects('ordering')) {
      byKey.set(row.event_key, [...(byKey.get(row.event_key) ?? []), row.n]);
    }
    expect(byKey.size).toBe(producers);
    for (const sequence of byKey.values()) {
      expect(sequence).toEqual(Array.from({ length: perProducer }, (_, n) => n));
    }
  });

  it('dead-letters a poison event after the last attempt, and a replay after the fix succeeds once', async () => {
    const instance = backbone({ maxAttempts: 3 });
    let fixed = false;
    let attempts = 0;
    instance.consumers.register({
      group: 'fragile',
      eventType: 'widget.created',
      handle: async (event: DeliveredEvent<{ n: number }>, tx) => {
        attempts += 1;
        if (!fixed) throw new Error(`cannot handle widget ${event.payload.n}: schema mismatch`);
        await recordEffect('fragile')(event, tx);
      },
    });
    instance.consumers.register({
      group: 'healthy',
      eventType: 'widget.created',
      handle: recordEffect('healthy'),
    });
    await instance.ready();

    await handle.db.transaction((tx) =>
      instance.events.append(tx, { type: 'widget.created', key: 'widget:poison', payload: { n: 7 } }),
    );
    const [dead] = await waitFor(
      async () => {
        const rows = await instance.deadLetters.list({ limit: 10 });
        return rows.length > 0 ? rows : undefined;
      },
      { what: 'a dead letter' },
    );
    expect(dead).toMatchObject({
      consumerGroup: 'fragile',
      type: 'widget.created',
      key: 'widget:poison',
      attempts: 3,
      status: 'dead',
      lastError: 'cannot handle widget 7: schema mismatch',
    });
    expect(attempts).toBe(3);
    expect(await effects('healthy')).toHaveLength(1); // the other group is not held up
    expect(await effects('fragile')).toHaveLength(0);
    expect(await instance.unresolvedDeadLetters()).toBe(1);

    fixed = true;
    const replay = await instance.deadLetters.replay(dead!.id);
    expect(replay.queued).toBe(true);
    await waitFor(async () => (await instance.deadLetters.get(dead!.id)).status === 'resolved', {
      what: 'the dead letter to resolve',
    });
    expect(await effects('fragile')).toHaveLength(1);

    const again = await instance.deadLetters.replay(dead!.id);
    expect(again.queued).toBe(false);
    await waitFor(async () => (await instance.outboxStats()).backlog === 0, { what: 'an empty backlog' });
    expect(await effects('fragile')).toHaveLength(1);
    expect(await effects('healthy')).toHaveLength(1);
    expect(await instance.unresolvedDeadLetters()).toBe(0);
  });

  it('replays every dead letter of a group at once, and only that group', async () => {
    const instance = backbone({ maxAttempts: 1 });
    let fixed = false;
    const failUntilFixed = (consumer: string) => async (event: DeliveredEvent<{ n: number }>, tx: Tx) => {
      if (!fixed) throw new Error('not yet');
      await recordEffect(consumer)(event, tx);
    };
    instance.consumers.register({
      group: 'mailer',
      eventType: 'widget.created',
      handle: failUntilFixed('mailer'),
    });
    instance.consumers.register({
      group: 'indexer',
      eventType: 'widget.created',
      handle: failUntilFixed('indexer'),
    });
    await instance.ready();
    await handle.db.transaction((tx) =>
      instance.events.appendMany(
        tx,
        [1, 2, 3].map((n) => ({ type: 'widget.created', key: `widget:${n}`, payload: { n } })),
      ),
    );
    await waitFor(async () => (await instance.deadLetters.list({ status: 'dead', limit: 10 })).length === 6, {
      what: 'six dead letters',
    });
    fixed = true;
    const replayed = await instance.deadLetters.replayMatching({ group: 'mailer' });
    expect(replayed.map((result) => [result.deadLetter.consumerGroup, result.queued])).toEqual([
      ['mailer', true],
      ['mailer', true],
      ['mailer', true],
    ]);
    await waitFor(async () => (await effects('mailer')).length === 3, { what: 'the mailer replays' });
    expect(await effects('indexer')).toHaveLength(0);
    expect(await instance.deadLetters.list({ status: 'dead', limit: 10 })).toHaveLength(3);
  });

  it('fires a durable timer once, after a restart, not before it is due', async () => {
    const namespace = uniqueSuffix();
    const first = backbone({ namespace });
    first.consumers.register({ group: 'timers', eventType: 'pause.elapsed', handle: recordEffect('timers') });
    await first.ready();
    const dueAt = new Date(Date.now() + 1_500);
    await handle.db.transaction((tx) =>
      first.events.append(
        tx,
        { type: 'pause.elapsed', key: 'promotion:p1', payload: { n: 1 } },
        { availableAt: dueAt },
      ),
    );
    expect((await first.outboxStats()).scheduled).toBe(1);
    await first.stop(5_000);

    const second = backbone();
    second.consumers.register({
      group: 'timers',
      eventType: 'pause.elapsed',
      handle: recordEffect('timers'),
    });
    await second.ready();
    await waitFor(async () => (await effects('timers')).length === 1, { what: 'the timer to fire' });
    const [row] = await queryRows<{ processed_at: Date | string }>(
      handle.db,
      sql`select processed_at from processed_events where consumer_group = 'timers'`,
    );
    expect(new Date(row!.processed_at).getTime()).toBeGreaterThanOrEqual(dueAt.getTime());
    await waitFor(async () => (await second.outboxStats()).scheduled === 0, { what: 'no scheduled timers' });
    expect(await effects('timers')).toHaveLength(1);
  });

  it('stops gracefully: a handler in flight finishes and commits, nothing new starts', async () => {
    const namespace = uniqueSuffix();
    const instance = backbone({ concurrency: 1, namespace });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    instance.consumers.register({
      group: 'slow',
      eventType: 'widget.created',
      handle: async (event: DeliveredEvent<{ n: number }>, tx) => {
        started += 1;
        await gate;
        await recordEffect('slow')(event, tx);
      },
    });
    await instance.ready();
    await handle.db.transaction((tx) =>
      instance.events.appendMany(tx, [
        { type: 'widget.created', key: 'widget:a', payload: { n: 1 } },
        { type: 'widget.created', key: 'widget:a', payload: { n: 2 } },
      ]),
    );
    await waitFor(() => started === 1, { what: 'the first handler to start' });
    const stopping = instance.stop(30_000);
    release();
    await stopping;
    expect(instance.currentPhase).toBe('stopped');
    expect((await effects('slow')).map((row) => row.n)).toEqual([1]);
    expect(started).toBe(1);

    // The second event was not lost: the next process handles it.
    const next = backbone({ namespace });
    next.consumers.register({ group: 'slow', eventType: 'widget.created', handle: recordEffect('slow') });
    await next.ready();
    await waitFor(async () => (await effects('slow')).length === 2, {
      what: 'the second event after restart',
    });
    expect((await effects('slow')).map((row) => row.n)).toEqual([1, 2]);
  });

  it('lets handlers append follow-up events in their transaction, linked by causation', async () => {
    const instance = backbone();
    instance.consumers.register({
      group: 'engine',
      eventType: 'release.registered',
      handle: async (event, tx) => {
        await instance.events.append(tx, {
          type: 'promotion.requested',
          key: event.key,
          payload: { n: 2 },
          causationId: event.id,
        });
      },
    });
    instance.consumers.register({
      group: 'audit',
      eventType: 'promotion.requested',
      handle: async (event: DeliveredEvent<{ n: number }>, tx) => {
        expect(event.headers['gantry-causation-id']).toBeDefined();
        await recordEffect('audit')(event, tx);
      },
    });
    await instance.ready();
    await handle.db.transaction((tx) =>
      instance.events.append(tx, { type: 'release.registered', key: 'release:r1', payload: { n: 1 } }),
    );
    await waitFor(async () => (await effects('audit')).length === 1, { what: 'the follow-up event' });
  });
});
