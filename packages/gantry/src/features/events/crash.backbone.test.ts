import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConfiguredDatabase } from '../../app/open-database.js';
import { queryRows, type DatabaseHandle } from '../../platform/database/database.js';
import { sleep } from '../../shared/sleep.js';
import {
  CRASH_GROUPS,
  CRASH_WORKER_PATH,
  crashWorkerEnv,
  type CrashWorkerMessage,
  type CrashWorkerSettings,
} from '../../testing/crash-worker.js';
import { backboneCombos, testBrokerUrl, uniqueSuffix } from '../../testing/test-backends.js';
import { deleteTestBrokerNames } from '../../testing/test-broker-cleanup.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import { waitFor } from '../../testing/wait-for.js';
import { outboxStats } from './outbox.repository.js';

// Crash recovery: a worker process produces and consumes events and is killed
// with SIGKILL at random moments, again and again, then run to completion.
// Whatever the moment of death (mid-transaction, between publish and mark-sent,
// with broker deliveries unacknowledged, holding PGlite's data-directory lock),
// every event must be produced exactly once and have exactly one effect per
// consumer group. The delays come from a seeded generator: rerun a failure
// with GANTRY_CRASH_SEED set to the seed in the test's name.

const KILLS = 20;
// The first kills come a random delay after the worker starts, mostly while it
// produces (and consumes); the last ones a random delay after production has
// finished, while consumers catch up (redeliveries, relay leases of the killed
// run expiring) or the worker idles. The run that produces the last event is
// killed right then.
const KILLS_AFTER_PRODUCTION = 5;
const EVENTS = 3_000;
const PRODUCERS = 4;
// Paced so that production spans most of the early kills on a fast machine too
// (a slow one just produces less per run).
const RATE_PER_SECOND = 250;
const MIN_DELAY_MS = 100;
const MAX_DELAY_MS = 1_500;
const SEED = Number(process.env.GANTRY_CRASH_SEED) || Math.floor(Math.random() * 2 ** 31);

/** mulberry32: a small seeded generator of numbers in [0, 1). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

type Started = Extract<CrashWorkerMessage, { phase: 'started' }>;

/** How far production and consumption had got, as last reported. */
interface Progress {
  produced: number;
  /** By both groups. */
  handled: number;
  /** Outbox rows due and not yet relayed. */
  backlog: number;
}

interface WorkerRun {
  readonly child: ChildProcess;
  /** Resolves when the worker reports "started"; rejects if it exits first. */
  readonly started: Promise<Started>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves if this run produces the last missing event. */
  readonly productionEnded: Promise<void>;
  lastProgress(): Progress | undefined;
  completed(): boolean;
  hasExited(): boolean;
  stderrTail(): string;
}

function startWorker(settings: CrashWorkerSettings): WorkerRun {
  const child = spawn(process.execPath, ['--import', 'tsx', CRASH_WORKER_PATH], {
    env: { ...process.env, ...crashWorkerEnv(settings) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let progress: Progress | undefined;
  let complete = false;
  let onStarted!: (message: Started) => void;
  let onProductionEnded!: () => void;
  const productionEnded = new Promise<void>((resolve) => (onProductionEnded = resolve));
  const started = new Promise<Started>((resolve) => (onStarted = resolve));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8_000);
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    let message: CrashWorkerMessage;
    try {
      message = JSON.parse(line) as CrashWorkerMessage;
    } catch {
      stderr = `${stderr}\n(stdout) ${line}`.slice(-8_000);
      return;
    }
    if ('phase' in message && message.phase === 'complete') {
      complete = true;
      return;
    }
    if ('phase' in message && message.phase === 'produced') {
      onProductionEnded();
      // Consumers are still at the last events: the next progress report comes later.
      progress = {
        produced: settings.events,
        handled: progress?.handled ?? 0,
        backlog: progress?.backlog ?? 0,
      };
      return;
    }
    // "started" carries where the previous runs left off; then progress follows.
    if ('phase' in message) onStarted(message);
    progress = { produced: message.produced, handled: message.handled, backlog: message.backlog };
  });
  let hasExited = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      hasExited = true;
      resolve({ code, signal });
    }),
  );
  return {
    child,
    started: Promise.race([
      started,
      exited.then(({ code, signal }) => {
        throw new Error(`the worker exited before it started (code ${code}, signal ${signal})`);
      }),
    ]),
    exited,
    productionEnded,
    lastProgress: () => progress,
    completed: () => complete,
    hasExited: () => hasExited,
    stderrTail: () => stderr,
  };
}

/** A safety net against a hung worker, not a statement about speed. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

type Moment = 'producing' | 'consuming' | 'idle';

/** What the worker was doing when it was killed, as far as its last report tells. */
function momentOf(run: WorkerRun): Moment {
  const progress = run.lastProgress();
  if (!progress || progress.produced < EVENTS) return 'producing';
  if (progress.handled < EVENTS || progress.backlog > 0) return 'consuming';
  return 'idle';
}

/** Whether events were on their way to the consumers (unrelayed, or relayed and unhandled) at the kill. */
function inFlight(run: WorkerRun): boolean {
  const progress = run.lastProgress();
  return progress !== undefined && (progress.handled < progress.produced || progress.backlog > 0);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

describe.each(backboneCombos())('crash recovery on $name', (combo) => {
  const namespace = `crash-${uniqueSuffix()}`;
  let database: TestDatabase | undefined;
  let dataDir: string | undefined;
  let settings: CrashWorkerSettings;

  beforeAll(async () => {
    if (combo.database === 'postgres') {
      // The workers have their own pools; this one only checks the result.
      database = await createTestDatabase('postgres', 2);
    } else {
      dataDir = mkdtempSync(join(tmpdir(), 'gantry-crash-'));
    }
    settings = {
      database: combo.database,
      databaseUrl: database?.url,
      dataDir,
      transport: combo.transport,
      brokerUrl: testBrokerUrl(combo.transport),
      namespace,
      events: EVENTS,
      producers: PRODUCERS,
      ratePerSecond: RATE_PER_SECOND,
    };
  });

  afterAll(async () => {
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    await deleteTestBrokerNames(combo.transport, namespace, Object.keys(CRASH_GROUPS));
  });

  /** Opens the database the workers used: PGlite only once no worker holds it. */
  async function withDatabase<T>(work: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
    if (database) return work(database.handle);
    const opened = await openConfiguredDatabase({ url: undefined, poolSize: 1, dataDir: dataDir! });
    try {
      return await work(opened.handle);
    } finally {
      await opened.close();
    }
  }

  it(`produces and handles every event exactly once across ${KILLS} SIGKILLs (seed ${SEED})`, async () => {
    const random = seededRandom(SEED);
    const runs: WorkerRun[] = [];
    const moments: Record<Moment, number> = { producing: 0, consuming: 0, idle: 0 };
    let killsInFlight = 0;
    let staleLocks = 0;
    const startupMs: number[] = [];
    const began = Date.now();
    try {
      for (let kill = 1; kill <= KILLS; kill += 1) {
        // Told to stay after completing, so every run is still alive when the kill comes.
        const run = startWorker({ ...settings, stayAfterComplete: true });
        runs.push(run);
        // The first PGlite run creates its data directory (initdb): allow for it.
        const started = await within(run.started, 90_000, `worker ${kill} to start`);
        startupMs.push(Object.values(started.startupMs).reduce((sum, ms) => sum + ms, 0));
        const afterProduction = kill > KILLS - KILLS_AFTER_PRODUCTION;
        if (afterProduction) {
          await waitFor(() => run.hasExited() || run.lastProgress()?.produced === EVENTS, {
            timeoutMs: 150_000,
            what: `worker ${kill} to finish producing`,
          });
        }
        const minDelayMs = afterProduction ? 0 : MIN_DELAY_MS;
        const delayMs = minDelayMs + Math.floor(random() * (MAX_DELAY_MS - minDelayMs));
        // The run that produces the last event dies the moment it says so, with the last
        // events still on their way: the runs after it start by catching up.
        await Promise.race([sleep(delayMs), run.exited, run.productionEnded]);
        moments[momentOf(run)] += 1;
        if (inFlight(run)) killsInFlight += 1;
        run.child.kill('SIGKILL');
        const { code, signal } = await within(run.exited, 30_000, `worker ${kill} to die`);
        // Dying of anything but our SIGKILL (a failed recovery, say) is a failure.
        if (signal !== 'SIGKILL') {
          throw new Error(`worker ${kill} exited by itself (code ${code}, signal ${signal})`);
        }
        if (dataDir && existsSync(join(dataDir, 'gantry.lock'))) staleLocks += 1;
      }

      const last = startWorker(settings);
      runs.push(last);
      const { code, signal } = await within(last.exited, 150_000, 'the last worker to finish');
      if (code !== 0 || !last.completed()) {
        throw new Error(`the last worker did not complete (code ${code}, signal ${signal})`);
      }
      console.log(
        `crash test on ${combo.name}: seed ${SEED}, ${KILLS} kills (${Object.entries(moments)
          .map(([moment, count]) => `${moment}: ${count}`)
          .join(', ')}; ${killsInFlight} with events on their way to consumers), ` +
          `${staleLocks} stale locks taken over, median start-up ${median(startupMs)} ms, ` +
          `${((Date.now() - began) / 1000).toFixed(1)} s in all`,
      );
      // The first kill comes at most MAX_DELAY_MS after start, before paced production can
      // finish; the last ones after it finished.
      expect(moments.producing).toBeGreaterThan(0);
      expect(moments.consuming + moments.idle).toBeGreaterThanOrEqual(KILLS_AFTER_PRODUCTION);
      if (dataDir) {
        // Every SIGKILL left the lock behind; the next worker took it over, and the last released it.
        expect(staleLocks).toBe(KILLS);
        expect(existsSync(join(dataDir, 'gantry.lock'))).toBe(false);
      }

      await withDatabase(async (handle) => {
        const [produced] = await queryRows<{ rows: number; low: number; high: number }>(
          handle.db,
          sql`select count(*)::int as rows, min(i) as low, max(i) as high from crash_produced`,
        );
        expect(produced).toEqual({ rows: EVENTS, low: 0, high: EVENTS - 1 });

        const effects = await queryRows<{ consumer: string; rows: number; once: number }>(
          handle.db,
          sql`select consumer, count(*)::int as rows, count(*) filter (where count = 1)::int as once
                from crash_effects group by consumer order by consumer`,
        );
        expect(effects).toEqual(
          Object.values(CRASH_GROUPS)
            .sort()
            .map((consumer) => ({ consumer, rows: EVENTS, once: EVENTS })),
        );
        const repeated = await queryRows<{ consumer: string; i: number; count: number }>(
          handle.db,
          sql`select consumer, i, count from crash_effects where count <> 1 order by consumer, i limit 20`,
        );
        expect(repeated).toEqual([]);

        // Each event was appended once (production never repeated), and nothing is left to send.
        const [appended] = await queryRows<{ rows: number; events: number }>(
          handle.db,
          sql`select count(*)::int as rows, count(distinct event_id)::int as events
                from outbox where destination is null`,
        );
        expect(appended).toEqual({ rows: EVENTS, events: EVENTS });
        expect((await outboxStats(handle.db)).backlog).toBe(0);
        const [dead] = await queryRows<{ rows: number }>(
          handle.db,
          sql`select count(*)::int as rows from dead_letters`,
        );
        expect(dead?.rows).toBe(0);
      });
    } catch (error) {
      const tails = runs
        .slice(-3)
        .map(
          (run) =>
            `--- worker run ${runs.indexOf(run) + 1} of ${runs.length}, stderr ---\n${run.stderrTail()}`,
        );
      console.error(`crash test on ${combo.name} failed (seed ${SEED}):\n${tails.join('\n')}`);
      throw error;
    } finally {
      // Nothing outlives the test, whatever failed.
      for (const run of runs) if (!run.hasExited()) run.child.kill('SIGKILL');
    }
  }, 300_000);
});
