import { SpanKind } from '@opentelemetry/api';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import type { Logger } from 'pino';
import { EventBackbone } from '../../src/features/events/event-backbone.js';
import type { BackboneInstrumentation, HandlerOutcome } from '../../src/features/events/instrumentation.js';
import {
  insertOutboxRows,
  outboxStats,
  type OutboxRow,
} from '../../src/features/events/outbox.repository.js';
import { partitionOf } from '../../src/features/events/partitions.js';
import { OutboxRelay } from '../../src/features/events/relay.js';
import type { Transport } from '../../src/features/events/transports/transport.js';
import { queryRows } from '../../src/platform/database/database.js';
import { withSpan } from '../../src/platform/telemetry/tracing.js';
import { uuidv7 } from '../../src/shared/uuidv7.js';
import type { BenchDatabase } from './backends.js';
import { TimedTransport } from './timed-transport.js';
import { machineBusy, sampleMachineCpu } from './machine.js';
import { formatCount, percentile, progress } from './report.js';

// The three measurements of one combination: the database's own single-row
// transaction rate (the baseline), events end to end through the outbox, the
// relay and an idempotent consumer, and the relay alone draining a backlog.

/** The backbone's public options the benchmark runs with. */
export interface Tuning {
  poolSize: number;
  relayBatchSize: number;
  relayPollIntervalMs: number;
  consumerConcurrency: number;
}

const PROGRESS_EVERY_MS = 2_000;
/** Give up on a phase when nothing has moved for this long. */
const STALL_MS = 60_000;
/** Aggregates the producers write to: events of one key stay in order, so they are serialised per key. */
const AGGREGATES = 1_024;

// ---- baseline --------------------------------------------------------------------

export interface BaselineResult {
  clients: number;
  transactions: number;
  seconds: number;
  rate: number;
}

/**
 * Single-row insert transactions per second: `clients` connections each
 * looping BEGIN; INSERT one row; COMMIT for `durationMs`. PGlite is one
 * connection, so there it is one loop.
 */
export async function measureBaseline(
  database: BenchDatabase,
  clients: number,
  durationMs: number,
): Promise<BaselineResult> {
  if (database.pglite) {
    const client = database.pglite;
    const started = performance.now();
    const deadline = started + durationMs;
    let transactions = 0;
    while (performance.now() < deadline) {
      await client.query('begin');
      await client.query('insert into bench_baseline (client, n) values ($1, $2)', [0, transactions]);
      await client.query('commit');
      transactions += 1;
    }
    const seconds = (performance.now() - started) / 1000;
    return { clients: 1, transactions, seconds, rate: transactions / seconds };
  }
  const connections = await Promise.all(
    Array.from({ length: clients }, async () => {
      const client = new pg.Client({ connectionString: database.url, application_name: 'gantry-bench' });
      await client.connect();
      return client;
    }),
  );
  try {
    const started = performance.now();
    const deadline = started + durationMs;
    const counts = await Promise.all(
      connections.map(async (client, index) => {
        let count = 0;
        while (performance.now() < deadline) {
          await client.query('begin');
          await client.query('insert into bench_baseline (client, n) values ($1, $2)', [index, count]);
          await client.query('commit');
          count += 1;
        }
        return count;
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const transactions = counts.reduce((sum, count) => sum + count, 0);
    return { clients, transactions, seconds, rate: transactions / seconds };
  } finally {
    await Promise.all(connections.map((client) => client.end().catch(() => undefined)));
  }
}

// ---- end to end ------------------------------------------------------------------

export interface EndToEndOptions {
  label: string;
  database: BenchDatabase;
  transport: Transport;
  events: number;
  producers: number;
  tuning: Tuning;
  logger: Logger;
}

export interface EndToEndResult {
  events: number;
  seconds: number;
  rate: number;
  /** When the last producer's transaction committed, seconds after the first began. */
  producedSeconds: number;
  /** Commit to handler start, milliseconds. */
  latency: Percentiles & { max: number };
  /**
   * Where that latency goes: commit → the relay hands the event to publish()
   * (relay wake-up, read, spans), publish() → the broker delivers it to the
   * consumer runtime, delivery → the handler starts (per-key ordering, a pool
   * connection, BEGIN, the processed-events insert).
   */
  segments: { relay: Percentiles; broker: Percentiles; consumer: Percentiles };
  /** Largest relay backlog seen in the progress samples. */
  maxBacklog: number;
  /** CPU time of this Node process over the run, as a share of one core. */
  nodeCpu: number;
  /** Share of the whole machine's CPU that was busy (this run, the database, the broker and anything else). */
  machineCpu: number;
  outcomes: Record<HandlerOutcome, number>;
  publishFailures: number;
}

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
}

export const E2E_GROUP = 'bench.sink';
const E2E_TYPE = 'bench.happened';

/**
 * `producers` concurrent loops each commit a transaction that writes one
 * state row and appends one event; one consumer group handles every event in
 * a transaction that records it as processed and inserts one row. Runs from
 * the first produce until the last handler has committed.
 */
export async function runEndToEnd(options: EndToEndOptions): Promise<EndToEndResult> {
  const { database, events, tuning, label } = options;
  const committedAt = new Map<string, number>();
  const startedAt = new Map<string, number>();
  const outcomes: Record<HandlerOutcome, number> = {
    success: 0,
    duplicate: 0,
    retry: 0,
    dead_letter: 0,
    requeued: 0,
  };
  let publishFailures = 0;
  let finishedAt = 0;
  let allHandled!: () => void;
  const handled = new Promise<void>((resolve) => (allHandled = resolve));

  const instrumentation: BackboneInstrumentation = {
    relayed: () => undefined,
    publishFailed: () => {
      publishFailures += 1;
    },
    handled: (_group, _type, outcome) => {
      outcomes[outcome] += 1;
      if (outcome === 'success' && outcomes.success === events) {
        finishedAt = performance.now();
        allHandled();
      }
    },
  };
  const transport = new TimedTransport(options.transport);
  const backbone = new EventBackbone({
    database: database.handle,
    transport,
    logger: options.logger,
    relay: {
      batchSize: tuning.relayBatchSize,
      pollIntervalMs: tuning.relayPollIntervalMs,
      retentionMs: 7 * 86_400_000,
    },
    consumers: {
      concurrency: tuning.consumerConcurrency,
      maxAttempts: 8,
      baseDelayMs: 1_000,
      maxDelayMs: 300_000,
    },
    instrumentation,
  });
  backbone.consumers.register<{ n: number }>({
    group: E2E_GROUP,
    eventType: E2E_TYPE,
    handle: async (event, tx) => {
      if (!startedAt.has(event.id)) startedAt.set(event.id, performance.now());
      await tx.execute(
        sql`insert into bench_effects (event_id, aggregate) values (${event.id}, ${event.key})`,
      );
    },
  });
  await backbone.ready();

  let next = 0;
  let producedAt = 0;
  const cpuBefore = process.cpuUsage();
  const machineBefore = sampleMachineCpu();
  const started = performance.now();
  const produce = async (producer: number) => {
    while (next < events) {
      const n = next++;
      const aggregate = `bench-aggregate:${n % AGGREGATES}`;
      // The span stands in for the HTTP request a real state change arrives with.
      const id = await withSpan('bench produce', { kind: SpanKind.SERVER }, () =>
        database.handle.db.transaction(async (tx) => {
          await tx.execute(sql`insert into bench_state (aggregate, n) values (${aggregate}, ${n})`);
          return backbone.events.append(tx, { type: E2E_TYPE, key: aggregate, payload: { n, producer } });
        }),
      );
      committedAt.set(id, performance.now());
    }
  };
  const producing = Promise.all(Array.from({ length: options.producers }, (_, index) => produce(index))).then(
    () => {
      producedAt = performance.now();
    },
  );

  let maxBacklog = 0;
  let lastHandled = 0;
  let lastMovedAt = performance.now();
  let lastReportAt = started;
  let sampling = false;
  let stalled!: (error: Error) => void;
  const stall = new Promise<never>((_, reject) => (stalled = reject));
  const timer = setInterval(() => {
    if (sampling) return;
    sampling = true;
    void (async () => {
      const backlog = await backbone
        .outboxStats()
        .then((stats) => stats.backlog)
        .catch(() => Number.NaN);
      if (Number.isFinite(backlog)) maxBacklog = Math.max(maxBacklog, backlog);
      const now = performance.now();
      const rate = ((outcomes.success - lastHandled) * 1000) / (now - lastReportAt);
      progress(
        `${label}: end to end, produced ${formatCount(committedAt.size)}/${formatCount(events)}, ` +
          `handled ${formatCount(outcomes.success)} (${formatCount(rate)}/s), outbox backlog ${formatCount(backlog)}`,
      );
      if (outcomes.success !== lastHandled) lastMovedAt = now;
      lastHandled = outcomes.success;
      lastReportAt = now;
      if (now - lastMovedAt > STALL_MS) {
        stalled(
          new Error(`no event handled for ${STALL_MS / 1000} s (${outcomes.success}/${events} handled)`),
        );
      }
    })().finally(() => {
      sampling = false;
    });
  }, PROGRESS_EVERY_MS);
  stall.catch(() => undefined);

  let nodeCpu: number;
  let machineCpu: number;
  try {
    await Promise.race([Promise.all([producing, handled]), stall]);
    nodeCpu = cpuShare(cpuBefore, started);
    machineCpu = machineBusy(machineBefore, sampleMachineCpu());
  } finally {
    next = events; // after a stall, the producers stop too
    clearInterval(timer);
    await backbone.stop(10_000);
  }

  const [effects] = await queryRows<{ count: string | number }>(
    database.handle.db,
    sql`select count(*) as count from bench_effects`,
  );
  if (Number(effects?.count) !== events) {
    throw new Error(`expected ${events} handled events, the handlers committed ${Number(effects?.count)}`);
  }
  // Same process and clock. A step that seems to end before it began (the
  // producer resumes after its commit a moment after the relay saw the row)
  // counts as zero.
  const latencies: number[] = [];
  const relaySegment: number[] = [];
  const brokerSegment: number[] = [];
  const consumerSegment: number[] = [];
  for (const [id, start] of startedAt) {
    const committed = committedAt.get(id);
    if (committed === undefined) continue;
    latencies.push(Math.max(0, start - committed));
    const published = transport.publishedAt.get(id);
    const delivered = transport.deliveredAt.get(id);
    if (published === undefined || delivered === undefined) continue;
    relaySegment.push(Math.max(0, published - committed));
    brokerSegment.push(Math.max(0, delivered - published));
    consumerSegment.push(Math.max(0, start - delivered));
  }
  latencies.sort((a, b) => a - b);
  const seconds = (finishedAt - started) / 1000;
  return {
    events,
    seconds,
    rate: events / seconds,
    producedSeconds: (producedAt - started) / 1000,
    latency: { ...percentiles(latencies), max: latencies.at(-1) ?? Number.NaN },
    segments: {
      relay: percentiles(relaySegment),
      broker: percentiles(brokerSegment),
      consumer: percentiles(consumerSegment),
    },
    maxBacklog,
    nodeCpu,
    machineCpu,
    outcomes,
    publishFailures,
  };
}

// ---- relay drain -----------------------------------------------------------------

export interface DrainOptions {
  label: string;
  database: BenchDatabase;
  transport: Transport;
  rows: number;
  tuning: Tuning;
  logger: Logger;
  /** Messages the parked group holds, to check every event arrived (undefined: cannot tell). */
  parkedMessages: () => Promise<number | undefined>;
}

export interface DrainResult {
  rows: number;
  seconds: number;
  rate: number;
  fillSeconds: number;
  /** CPU time of this Node process while draining, as a share of one core. */
  nodeCpu: number;
  /** Share of the whole machine's CPU that was busy. */
  machineCpu: number;
  /** Messages the broker holds for the parked group afterwards. */
  delivered: number | undefined;
}

export const DRAIN_GROUP = 'bench.drain';
export const DRAIN_TYPE = 'bench.drained';
const FILL_CHUNK = 5_000;

/**
 * Fills the outbox with `rows` due rows, then starts one relay alone (on a
 * transport already connected, its parked group declared) and times it
 * until the backlog is empty.
 */
export async function runDrain(options: DrainOptions): Promise<DrainResult> {
  const { database, rows, tuning, label } = options;
  const { db } = database.handle;
  const fillStarted = performance.now();
  for (let offset = 0; offset < rows; offset += FILL_CHUNK) {
    const now = new Date();
    const chunk: OutboxRow[] = [];
    for (let n = offset; n < Math.min(rows, offset + FILL_CHUNK); n += 1) {
      const key = `bench-aggregate:${n % AGGREGATES}`;
      chunk.push({
        eventId: uuidv7(now.getTime()),
        type: DRAIN_TYPE,
        key,
        partition: partitionOf(key),
        payload: { n },
        headers: {},
        schemaVersion: 1,
        occurredAt: now,
        availableAt: undefined,
        destination: null,
        attempt: 1,
      });
    }
    await insertOutboxRows(db, chunk);
  }
  const fillSeconds = (performance.now() - fillStarted) / 1000;
  const before = await outboxStats(db);
  progress(
    `${label}: relay drain, outbox filled with ${formatCount(before.backlog)} rows in ${fillSeconds.toFixed(1)} s`,
  );

  let published = 0;
  let drained!: () => void;
  const done = new Promise<void>((resolve) => (drained = resolve));
  let finishedAt = 0;
  const relay = new OutboxRelay({
    database: database.handle,
    transport: options.transport,
    logger: options.logger,
    batchSize: tuning.relayBatchSize,
    pollIntervalMs: tuning.relayPollIntervalMs,
    retentionMs: 7 * 86_400_000,
    onBatchPublished: (envelopes) => {
      published += envelopes.length;
      if (published >= before.backlog && finishedAt === 0) {
        finishedAt = performance.now();
        drained();
      }
    },
  });

  let lastPublished = 0;
  let lastMovedAt = performance.now();
  let lastReportAt = performance.now();
  let stalled!: (error: Error) => void;
  const stall = new Promise<never>((_, reject) => (stalled = reject));
  stall.catch(() => undefined);
  const timer = setInterval(() => {
    const now = performance.now();
    const rate = ((published - lastPublished) * 1000) / (now - lastReportAt);
    progress(
      `${label}: relay drain, published ${formatCount(published)}/${formatCount(before.backlog)} (${formatCount(rate)}/s)`,
    );
    if (published !== lastPublished) lastMovedAt = now;
    lastPublished = published;
    lastReportAt = now;
    if (now - lastMovedAt > STALL_MS) {
      stalled(new Error(`the relay published nothing for ${STALL_MS / 1000} s (${published}/${rows})`));
    }
  }, PROGRESS_EVERY_MS);

  const cpuBefore = process.cpuUsage();
  const machineBefore = sampleMachineCpu();
  const started = performance.now();
  let nodeCpu: number;
  let machineCpu: number;
  try {
    await relay.start();
    await Promise.race([done, stall]);
    nodeCpu = cpuShare(cpuBefore, started);
    machineCpu = machineBusy(machineBefore, sampleMachineCpu());
  } finally {
    clearInterval(timer);
    await relay.stop();
  }
  const after = await outboxStats(db);
  if (after.backlog !== 0) throw new Error(`the relay stopped with ${after.backlog} rows still unsent`);
  const seconds = (finishedAt - started) / 1000;
  return {
    rows: before.backlog,
    seconds,
    rate: before.backlog / seconds,
    fillSeconds,
    nodeCpu,
    machineCpu,
    delivered: await options.parkedMessages(),
  };
}

/** User + system CPU of this process since `before` (taken at `since`), as a share of one core. */
function cpuShare(before: NodeJS.CpuUsage, since: number): number {
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / (performance.now() - since);
}

function percentiles(values: number[]): Percentiles {
  const sorted = values.sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99) };
}
