import { fileURLToPath, pathToFileURL } from 'node:url';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { openConfiguredDatabase, type OpenedDatabase } from '../app/open-database.js';
import type { DeliveredEvent } from '../features/events/consumers/consumer-registry.js';
import type { EventBackbone } from '../features/events/event-backbone.js';
import type { TransportKind } from '../features/events/transports/transport.js';
import { queryRows, type DatabaseKind, type Tx } from '../platform/database/database.js';
import { runMigrations } from '../platform/database/migrate.js';
import { errorMessage } from '../shared/errors.js';
import { sleep } from '../shared/sleep.js';
import { createTestBackbone, createTestTransport } from './test-backbone.js';

// A Gantry-like process for crash tests, run as a child process that the test
// kills with SIGKILL at random moments and starts again. Each run opens the
// database, produces the events still missing (event i commits together with
// its crash_produced row, so production resumes exactly where it stopped),
// consumes them with two groups whose handlers count their effects, and exits
// 0 once every event is produced and handled by both groups (or, told to
// stay, keeps running until it is killed).
//
// It reports on stdout, one JSON object a line:
//   {"phase":"started","produced":x,"handled":y,...}  backbone running; where earlier runs left off
//   {"produced":x,"handled":y,"handledBy":{...},"backlog":z}  progress, every ~200 ms
//   {"phase":"produced"}                              this run produced the last missing event
//   {"phase":"complete","produced":n,"handled":n}     all done (and nothing left to relay)
//
// Settings come as JSON in one environment variable (crashWorkerEnv).

/** The consumer groups, and the name each writes into crash_effects.consumer. */
export const CRASH_GROUPS = { 'crash.projection': 'projection', 'crash.audit': 'audit' } as const;
export const CRASH_EVENT_TYPE = 'crash.produced';
export const CRASH_KEYS = 16;

export interface CrashWorkerSettings {
  database: DatabaseKind;
  /** PostgreSQL URL (database 'postgres'). */
  databaseUrl?: string;
  /** PGlite data directory (database 'pglite'). */
  dataDir?: string;
  transport: TransportKind;
  /** Broker URL; the test default for the transport kind when omitted. */
  brokerUrl?: string;
  /** Exchange, queue and stream names are private to this namespace. */
  namespace: string;
  /** Events 0..events-1 are produced. */
  events: number;
  producers: number;
  /** Upper bound on events produced per second, all producers together; unlimited when omitted. */
  ratePerSecond?: number;
  /** Keep running after "complete" (until killed) instead of stopping and exiting. */
  stayAfterComplete?: boolean;
}

export type CrashWorkerMessage =
  | {
      phase: 'started';
      pid: number;
      /** Progress the previous runs left. */
      produced: number;
      handled: number;
      backlog: number;
      /** Where the start-up time went: loading modules, opening the database, migrating, starting the backbone. */
      startupMs: { load: number; open: number; migrate: number; ready: number };
    }
  | { produced: number; handled: number; handledBy: Record<string, number>; backlog: number }
  /** This run produced the last missing event (reported the moment it commits). */
  | { phase: 'produced' }
  | { phase: 'complete'; produced: number; handled: number };

/** The worker's entry point, to run with `node --import tsx`. */
export const CRASH_WORKER_PATH = fileURLToPath(import.meta.url);

const ENV = 'GANTRY_CRASH_WORKER';

/** The environment a worker reads its settings from. */
export function crashWorkerEnv(settings: CrashWorkerSettings): Record<string, string> {
  return { [ENV]: JSON.stringify(settings) };
}

function readSettings(): CrashWorkerSettings {
  const text = process.env[ENV];
  if (!text) throw new Error(`${ENV} is not set; the test passes the worker's settings in it`);
  const settings = JSON.parse(text) as CrashWorkerSettings;
  if (settings.database === 'postgres' && !settings.databaseUrl) throw new Error('databaseUrl is missing');
  if (settings.database === 'pglite' && !settings.dataDir) throw new Error('dataDir is missing');
  return settings;
}

function report(message: CrashWorkerMessage): void {
  // Writes to a pipe are synchronous on Linux: the line is out before a SIGKILL.
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

async function createTables(opened: OpenedDatabase): Promise<void> {
  const { db } = opened.handle;
  await db.execute(sql`create table if not exists crash_produced (i int primary key)`);
  await db.execute(sql`create table if not exists crash_effects (
    consumer text not null, i int not null, count int not null, primary key (consumer, i))`);
}

function registerConsumers(backbone: EventBackbone): void {
  for (const [group, consumer] of Object.entries(CRASH_GROUPS)) {
    backbone.consumers.register({
      group,
      eventType: CRASH_EVENT_TYPE,
      handle: async (event: DeliveredEvent<{ i: number }>, tx: Tx) => {
        // A second effect for one (consumer, i) would show as count 2.
        await tx.execute(sql`insert into crash_effects (consumer, i, count) values (${consumer}, ${event.payload.i}, 1)
          on conflict (consumer, i) do update set count = crash_effects.count + 1`);
      },
    });
  }
}

async function missingEvents(opened: OpenedDatabase, events: number): Promise<number[]> {
  const rows = await queryRows<{ i: number }>(
    opened.handle.db,
    sql`select g.i from generate_series(0, ${events - 1}) as g(i)
         where not exists (select 1 from crash_produced p where p.i = g.i) order by g.i`,
  );
  return rows.map((row) => Number(row.i));
}

/** Each producer owns a contiguous range of i and produces its missing ones in order. */
async function produce(
  opened: OpenedDatabase,
  backbone: EventBackbone,
  settings: CrashWorkerSettings,
  missing: readonly number[],
): Promise<void> {
  const rangeSize = Math.ceil(settings.events / settings.producers);
  const started = Date.now();
  // With a rate, the producers' events are spaced evenly: producer p's k-th
  // event waits until started + k * producers / rate.
  const spacingMs = settings.ratePerSecond ? (1_000 * settings.producers) / settings.ratePerSecond : 0;
  await Promise.all(
    Array.from({ length: settings.producers }, async (_, producer) => {
      const mine = missing.filter((i) => Math.floor(i / rangeSize) === producer);
      for (const [k, i] of mine.entries()) {
        const due = started + k * spacingMs;
        if (due > Date.now()) await sleep(due - Date.now());
        await opened.handle.db.transaction(async (tx) => {
          await tx.execute(sql`insert into crash_produced (i) values (${i})`);
          await backbone.events.append(tx, {
            type: CRASH_EVENT_TYPE,
            key: `aggregate:${i % CRASH_KEYS}`,
            payload: { i },
          });
        });
      }
    }),
  );
}

interface Progress {
  produced: number;
  handledBy: Record<string, number>;
  backlog: number;
}

async function progress(opened: OpenedDatabase, backbone: EventBackbone): Promise<Progress> {
  const [row] = await queryRows<{ produced: number | string; by: Record<string, number> | null }>(
    opened.handle.db,
    sql`select (select count(*) from crash_produced) as produced,
               (select json_object_agg(consumer, n) from
                  (select consumer, count(*) as n from crash_effects group by consumer) c) as by`,
  );
  const handledBy: Record<string, number> = {};
  for (const consumer of Object.values(CRASH_GROUPS)) handledBy[consumer] = Number(row?.by?.[consumer] ?? 0);
  const { backlog } = await backbone.outboxStats();
  return { produced: Number(row?.produced ?? 0), handledBy, backlog };
}

async function main(): Promise<void> {
  const loadedAt = performance.now();
  const settings = readSettings();
  // Logs go to stderr, which the test prints when something fails.
  const logger = pino(
    { level: process.env.GANTRY_CRASH_LOG_LEVEL ?? 'warn', base: { pid: process.pid } },
    pino.destination(2),
  );
  const opened = await openConfiguredDatabase(
    {
      url: settings.database === 'postgres' ? settings.databaseUrl : undefined,
      poolSize: 10,
      dataDir: settings.dataDir ?? '',
    },
    (error) => logger.warn({ error: errorMessage(error) }, 'database connection error'),
  );
  const openedAt = performance.now();
  await runMigrations(opened.handle);
  await createTables(opened);
  const migratedAt = performance.now();

  const backbone = createTestBackbone({
    database: opened.handle,
    transport: createTestTransport(settings.transport, settings.namespace, settings.brokerUrl),
    logger,
  });
  registerConsumers(backbone);
  // Where the previous runs left off: tells the test what this run is doing when it is killed.
  const before = await progress(opened, backbone);
  await backbone.ready();
  report({
    phase: 'started',
    pid: process.pid,
    produced: before.produced,
    handled: Math.min(...Object.values(before.handledBy)),
    backlog: before.backlog,
    startupMs: {
      load: Math.round(loadedAt),
      open: Math.round(openedAt - loadedAt),
      migrate: Math.round(migratedAt - openedAt),
      ready: Math.round(performance.now() - migratedAt),
    },
  });

  const missing = await missingEvents(opened, settings.events);
  let producing = true;
  const production = produce(opened, backbone, settings, missing).then(
    () => {
      producing = false;
      if (missing.length > 0) report({ phase: 'produced' });
    },
    (error: unknown) => {
      producing = false;
      throw error;
    },
  );
  production.catch(() => undefined);

  let complete = false;
  for (;;) {
    const now = await progress(opened, backbone);
    const handled = Math.min(...Object.values(now.handledBy));
    report({ produced: now.produced, handled, handledBy: now.handledBy, backlog: now.backlog });
    if (!producing) await production; // surfaces a producer's failure
    const done = now.produced === settings.events && handled === settings.events && now.backlog === 0;
    if (done && !complete) {
      complete = true;
      report({ phase: 'complete', produced: now.produced, handled });
      if (!settings.stayAfterComplete) break;
    }
    await sleep(200);
  }
  await backbone.stop(10_000);
  await opened.close();
}

/** The stack, and the causes a driver wraps (drizzle's "Failed query" wraps the database's error). */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const text = error.stack ?? error.message;
  return error.cause === undefined ? text : `${text}\ncaused by: ${describeError(error.cause)}`;
}

// Runs only as a program, not when a test imports the settings helpers above.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(`crash worker: unhandled rejection: ${describeError(reason)}\n`);
    process.exit(3);
  });
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`crash worker failed: ${describeError(error)}\n`);
      process.exit(1);
    },
  );
}
