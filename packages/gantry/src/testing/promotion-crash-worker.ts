import { writeSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DatabaseKind } from '../platform/database/database.js';

// A whole Gantry server (startServer: HTTP API, relay, consumers, promotion
// engine, apply runner, gitops driver) as a child process, for the promotion
// crash test, which kills it with SIGKILL at random moments and starts it
// again on the same database, data directory and port.
//
// It runs as plain node from dist/ (Nest's dependency injection needs the
// decorator metadata only tsc emits): buildPromotionCrashWorker() compiles
// this file to dist/testing/, beside the modules it loads.
//
// The server logs to stdout and stderr. The worker reports on file
// descriptor 3, one JSON object a line:
//   {"phase":"started","pid":n,"url":"…","startupMs":{…}}  listening, apply runner started
//   {"applying":["<promotion id>",…],"backlog":n}          the promotions this process holds an apply
//                                                           lease on whenever that changes, and every
//                                                           ~200 ms with the outbox rows due and not yet
//                                                           relayed
//
// SIGTERM stops the server gracefully (exit 0). Settings come as JSON in one
// environment variable (promotionCrashWorkerEnv).

export interface PromotionCrashWorkerSettings {
  database: DatabaseKind;
  /** PostgreSQL URL (database 'postgres'). */
  databaseUrl?: string;
  /** GANTRY_DATA_DIR: the PGlite database, the admin token file and the config-repo clones. */
  dataDir: string;
  port: number;
  /** How long an apply claim lasts; a crashed server's claims are resumed after it (PostgreSQL). */
  applyLeaseMs: number;
  /** How long the relay's partition leases last; a crashed server's are taken over after it (PostgreSQL). */
  relayLeaseMs: number;
  /** GANTRY_LOG_LEVEL of the server (default warn). */
  logLevel?: string;
}

export type PromotionCrashWorkerMessage =
  | {
      phase: 'started';
      pid: number;
      url: string;
      /** Loading the modules, and starting the server (database, migrations, Nest, backbone, listen). */
      startupMs: { load: number; start: number };
    }
  | { applying: string[]; backlog: number };

const ENV = 'GANTRY_PROMOTION_CRASH_WORKER';
const REPORT_FD = 3;
const POLL_MS = 20;
/** The backlog is looked at every BACKLOG_EVERY polls. */
const BACKLOG_EVERY = 10;

const SOURCE = fileURLToPath(import.meta.url);
/** The compiled worker, to run with plain node. */
export const PROMOTION_CRASH_WORKER_PATH = fileURLToPath(
  new URL('../../dist/testing/promotion-crash-worker.js', import.meta.url),
);

/** The environment a worker reads its settings from. */
export function promotionCrashWorkerEnv(settings: PromotionCrashWorkerSettings): Record<string, string> {
  return { [ENV]: JSON.stringify(settings) };
}

/**
 * Compiles this file to PROMOTION_CRASH_WORKER_PATH (dist/ must be built:
 * the test run's global setup does it). The worker imports only types
 * statically, so compiling the one file is enough.
 */
export async function buildPromotionCrashWorker(): Promise<string> {
  const { default: ts } = await import('typescript');
  const { outputText } = ts.transpileModule(await readFile(SOURCE, 'utf8'), {
    fileName: SOURCE,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false },
  });
  await mkdir(dirname(PROMOTION_CRASH_WORKER_PATH), { recursive: true });
  const partial = `${PROMOTION_CRASH_WORKER_PATH}.${process.pid}.partial`;
  await writeFile(partial, outputText);
  await rename(partial, PROMOTION_CRASH_WORKER_PATH);
  return PROMOTION_CRASH_WORKER_PATH;
}

function readSettings(): PromotionCrashWorkerSettings {
  const text = process.env[ENV];
  if (!text) throw new Error(`${ENV} is not set; the test passes the worker's settings in it`);
  const settings = JSON.parse(text) as PromotionCrashWorkerSettings;
  if (settings.database === 'postgres' && !settings.databaseUrl) throw new Error('databaseUrl is missing');
  return settings;
}

function report(message: PromotionCrashWorkerMessage): void {
  // A synchronous write to a pipe: the line is out before a SIGKILL can cut it.
  writeSync(REPORT_FD, `${JSON.stringify(message)}\n`);
}

async function main(): Promise<void> {
  const began = performance.now();
  const settings = readSettings();
  const { loadConfig } = await import('../config/config.js');
  const { startServer } = await import('../app/start-server.js');
  const { queryRows } = await import('../platform/database/database.js');
  const { sql } = await import('drizzle-orm');
  const loaded = performance.now();

  const config = loadConfig({
    GANTRY_HOST: '127.0.0.1',
    GANTRY_PORT: String(settings.port),
    GANTRY_DATA_DIR: settings.dataDir,
    ...(settings.databaseUrl ? { GANTRY_DATABASE_URL: settings.databaseUrl } : {}),
    GANTRY_DATABASE_POOL_SIZE: '4',
    GANTRY_LOG_LEVEL: settings.logLevel ?? 'warn',
    GANTRY_LOG_FORMAT: 'json',
    GANTRY_RELAY_POLL_INTERVAL: '100ms',
    GANTRY_CONSUMER_RETRY_BASE: '200ms',
    GANTRY_CONSUMER_RETRY_MAX: '2s',
  });
  // SIGTERM (the test's last word) stops gracefully and exits.
  let stopping = false;
  process.once('SIGTERM', () => (stopping = true));
  const server = await startServer(config, {
    handleSignals: true,
    applyLeaseMs: settings.applyLeaseMs,
    relayLeaseMs: settings.relayLeaseMs,
  });
  report({
    phase: 'started',
    pid: process.pid,
    url: server.url,
    startupMs: { load: Math.round(loaded - began), start: Math.round(performance.now() - loaded) },
  });

  // What this process is applying, as its apply runner recorded it: tells the
  // test when a kill cuts an apply (and the git commands under it) short. And
  // the outbox backlog, now and then: tells it when everything has settled.
  const owner = `%/${process.pid}/%`;
  let last = '';
  let backlog = -1;
  for (let poll = 0; ; poll++) {
    try {
      const rows = await queryRows<{ id: string }>(
        server.database.db,
        sql`select id from promotions where phase = 'Applying' and apply_owner like ${owner} order by id`,
      );
      const measured = poll % BACKLOG_EVERY === 0;
      if (measured) backlog = (await server.backbone.outboxStats()).backlog;
      const message = { applying: rows.map((row) => row.id), backlog };
      if (measured || JSON.stringify(message) !== last) {
        last = JSON.stringify(message);
        report(message);
      }
    } catch (error) {
      if (stopping) return; // the database is closing
      process.stderr.write(
        `promotion crash worker: could not look at the promotions: ${describeError(error)}\n`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The stack, and the causes a driver wraps. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const text = error.stack ?? error.message;
  return error.cause === undefined ? text : `${text}\ncaused by: ${describeError(error.cause)}`;
}

// Runs only as a program, not when the test imports the helpers above.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(`promotion crash worker: unhandled rejection: ${describeError(reason)}\n`);
    process.exit(3);
  });
  main().catch((error: unknown) => {
    process.stderr.write(`promotion crash worker failed: ${describeError(error)}\n`);
    process.exit(1);
  });
}
