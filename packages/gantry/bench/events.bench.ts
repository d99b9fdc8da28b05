// npm run bench:events: throughput and latency of the event backbone on each
// database + broker combination, against the database's own single-row
// transaction rate measured in the same run. It prints figures; nothing here
// asserts a timing. docs/benchmarks.md explains what is measured and records
// the latest figures.
import { parseArgs } from 'node:util';
import { pino, type Logger } from 'pino';
import { initTracing, type TracingHandle } from '../src/platform/telemetry/tracing.js';
import { errorMessage } from '../src/shared/errors.js';
import { redactText } from '../src/shared/redact.js';
import {
  BenchBroker,
  COMBOS,
  createBenchDatabase,
  shownUrl,
  uniqueSuffix,
  type BenchDatabase,
  type Combo,
  type ComboName,
  type ServiceUrls,
} from './support/backends.js';
import { describeMachine, loadAverage } from './support/machine.js';
import { formatCount, formatMs, formatPercent, progress, renderTable } from './support/report.js';
import {
  DRAIN_GROUP,
  DRAIN_TYPE,
  E2E_GROUP,
  measureBaseline,
  runDrain,
  runEndToEnd,
  type BaselineResult,
  type DrainResult,
  type EndToEndResult,
  type Tuning,
} from './support/scenarios.js';

const DEFAULT_EVENTS = { pglite: 3_000, postgres: 6_000 } as const;
const DEFAULT_DRAIN_ROWS = 100_000;
const PRODUCERS = 8;
const BASELINE_CLIENTS = 8;

const TARGETS = {
  ratio: 0.4,
  p99Ms: 100,
  drainRate: 10_000,
} as const;

const HELP = `Usage: npm run bench:events -- [options]

Measures the event backbone on PGlite + in-process, PostgreSQL + in-process,
PostgreSQL + RabbitMQ and PostgreSQL + NATS:
  - events/s end to end (${PRODUCERS} producers appending through the outbox, one idempotent consumer group),
    against single-row insert transactions/s from ${BASELINE_CLIENTS} clients on the same database;
  - p50/p99 latency from the producer's commit to the handler's start;
  - events/s of one relay draining a pre-filled outbox.

Options:
  --only LIST              combinations to run, comma-separated: pglite,postgres,rabbitmq,nats (default: all)
  --events N               events end to end per combination
                           (default: ${formatCount(DEFAULT_EVENTS.pglite)} on PGlite, ${formatCount(DEFAULT_EVENTS.postgres)} on PostgreSQL)
  --drain N                outbox rows the relay drains (default: ${formatCount(DEFAULT_DRAIN_ROWS)})
  --baseline-seconds S     how long the baseline runs, before and again after the end-to-end run (default: 5)
  --pool-size N            PostgreSQL pool size of the backbone (default: 10, Gantry's default)
  --relay-batch-size N     relay batch size (default: 500, Gantry's default)
  --consumer-concurrency N handlers at once per consumer group (default: 32, Gantry's default)
  --without-tracing        do not register the tracer provider (the server always registers one)
  -h, --help               this text

Services (each combination gets its own database, exchange, queues and stream, removed afterwards):
  GANTRY_BENCH_DATABASE_URL  default postgres://postgres@127.0.0.1:5432/test
  GANTRY_BENCH_AMQP_URL      default amqp://guest:guest@127.0.0.1:5672
  GANTRY_BENCH_NATS_URL      default nats://127.0.0.1:4222
  GANTRY_BENCH_LOG_LEVEL     backbone log level on stderr (default: warn)
`;

interface Settings {
  combos: Combo[];
  events: number | undefined;
  drainRows: number;
  baselineMs: number;
  tuning: Tuning;
  tracing: boolean;
  urls: ServiceUrls;
}

interface ComboResult {
  combo: Combo;
  database?: string;
  broker?: string;
  /** Before and after the end-to-end run, and both together (what the ratio uses). */
  baselineBefore?: BaselineResult;
  baselineAfter?: BaselineResult;
  baseline?: BaselineResult;
  e2e?: EndToEndResult;
  drain?: DrainResult;
  error?: string;
  loadBefore: string;
  loadAfter?: string;
}

function parseSettings(): Settings | undefined {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      events: { type: 'string' },
      drain: { type: 'string' },
      'baseline-seconds': { type: 'string' },
      'pool-size': { type: 'string' },
      'relay-batch-size': { type: 'string' },
      'consumer-concurrency': { type: 'string' },
      'without-tracing': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return undefined;
  }
  const names = COMBOS.map((combo) => combo.name);
  const only = values.only?.split(',').map((name) => name.trim()) ?? names;
  for (const name of only) {
    if (!names.includes(name as ComboName)) {
      throw new Error(`--only: unknown combination "${name}"; choose from ${names.join(', ')}`);
    }
  }
  return {
    combos: COMBOS.filter((combo) => only.includes(combo.name)),
    events: values.events === undefined ? undefined : positiveInteger('--events', values.events),
    drainRows: positiveInteger('--drain', values.drain ?? String(DEFAULT_DRAIN_ROWS)),
    baselineMs: positiveInteger('--baseline-seconds', values['baseline-seconds'] ?? '5') * 1000,
    tuning: {
      poolSize: positiveInteger('--pool-size', values['pool-size'] ?? '10'),
      relayBatchSize: positiveInteger('--relay-batch-size', values['relay-batch-size'] ?? '500'),
      relayPollIntervalMs: 1_000,
      consumerConcurrency: positiveInteger('--consumer-concurrency', values['consumer-concurrency'] ?? '32'),
    },
    tracing: !values['without-tracing'],
    urls: {
      database: process.env.GANTRY_BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
      amqp: process.env.GANTRY_BENCH_AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672',
      nats: process.env.GANTRY_BENCH_NATS_URL || 'nats://127.0.0.1:4222',
    },
  };
}

function positiveInteger(option: string, text: string): number {
  const value = Number(text.replace(/[_,]/g, ''));
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${option} must be a positive integer, got "${text}"`);
  return value;
}

/** Clean-ups still owed, run on Ctrl-C too so no database or queue is left behind. */
const pendingCleanups = new Set<() => Promise<void>>();

async function runCombo(combo: Combo, settings: Settings, logger: Logger): Promise<ComboResult> {
  const result: ComboResult = { combo, loadBefore: loadAverage() };
  const label = combo.label;
  const events = settings.events ?? DEFAULT_EVENTS[combo.database];
  const onError = (error: Error) => logger.warn({ error: redactText(error.message) }, 'background error');
  const runId = uniqueSuffix();
  const broker = new BenchBroker(combo.transport, settings.urls, runId);
  let database: BenchDatabase | undefined;
  const cleanup = async () => {
    await broker
      .cleanup()
      .catch((error: unknown) => progress(`${label}: broker clean-up failed: ${errorMessage(error)}`));
    await database
      ?.drop()
      .catch((error: unknown) => progress(`${label}: dropping the database failed: ${errorMessage(error)}`));
  };
  pendingCleanups.add(cleanup);
  try {
    progress(`${label}: creating a fresh database`);
    database = await createBenchDatabase(
      combo.database,
      settings.urls.database,
      settings.tuning.poolSize,
      onError,
    );
    result.database = `${combo.database === 'pglite' ? 'PGlite' : 'PostgreSQL'} ${database.version}`;
    // Asking the broker its version also checks it answers before anything waits on it.
    result.broker = (await broker.version()) ?? combo.transport;

    const measuredOn = database;
    const baseline = async (when: string) => {
      progress(
        `${label}: baseline ${when}, single-row insert transactions from ${measuredOn.pglite ? 1 : BASELINE_CLIENTS} client(s) for ${settings.baselineMs / 1000} s`,
      );
      const measured = await measureBaseline(measuredOn, BASELINE_CLIENTS, settings.baselineMs);
      progress(`${label}: baseline ${when} ${formatCount(measured.rate)} transactions/s`);
      return measured;
    };
    result.baselineBefore = await baseline('before');

    progress(`${label}: end to end, ${formatCount(events)} events from ${PRODUCERS} producers`);
    result.e2e = await runEndToEnd({
      label,
      database,
      transport: broker.transport('e2e', [E2E_GROUP], onError),
      events,
      producers: PRODUCERS,
      tuning: settings.tuning,
      logger,
    });
    progress(
      `${label}: end to end ${formatCount(result.e2e.rate)} events/s, p50 ${formatMs(result.e2e.latency.p50)} ms, p99 ${formatMs(result.e2e.latency.p99)} ms`,
    );
    // Measured on both sides of the end-to-end run, so a disturbance that
    // comes or goes meanwhile shows up instead of skewing the ratio.
    result.baselineAfter = await baseline('after');
    result.baseline = combineBaselines(result.baselineBefore, result.baselineAfter);

    const transport = broker.transport('drain', [DRAIN_GROUP], onError);
    try {
      await transport.connect();
      const parkedMessages = await broker.declareParkedGroup(transport, 'drain', DRAIN_GROUP, DRAIN_TYPE);
      result.drain = await runDrain({
        label,
        database,
        transport,
        rows: settings.drainRows,
        tuning: settings.tuning,
        logger,
        parkedMessages,
      });
    } finally {
      await transport.close();
    }
    progress(`${label}: relay drain ${formatCount(result.drain.rate)} events/s`);
  } catch (error) {
    result.error = redactText(errorMessage(error));
    progress(`${label}: FAILED: ${result.error}`);
  } finally {
    result.loadAfter = loadAverage();
    progress(`${label}: cleaning up`);
    await cleanup();
    pendingCleanups.delete(cleanup);
  }
  return result;
}

function combineBaselines(before: BaselineResult, after: BaselineResult): BaselineResult {
  const transactions = before.transactions + after.transactions;
  const seconds = before.seconds + after.seconds;
  return { clients: before.clients, transactions, seconds, rate: transactions / seconds };
}

function printReport(settings: Settings, results: readonly ComboResult[]): void {
  const machine = describeMachine();
  const out: string[] = [];
  out.push('', 'Gantry event backbone benchmark', '');
  out.push(`Machine:  ${machine.cpu}, ${machine.cores} cores, ${machine.memory} memory, ${machine.os}`);
  out.push(`Node:     ${machine.node}`);
  const services = new Map<string, string>();
  for (const result of results) {
    if (result.database && result.combo.database === 'postgres') {
      services.set('PostgreSQL', `${result.database} at ${shownUrl(settings.urls.database)}`);
    }
    if (result.database && result.combo.database === 'pglite') {
      services.set('PGlite', `${result.database} (on disk, temporary directory)`);
    }
    if (result.combo.transport === 'rabbitmq' && result.broker) {
      services.set('RabbitMQ', `${result.broker} at ${shownUrl(settings.urls.amqp)}`);
    }
    if (result.combo.transport === 'nats' && result.broker) {
      services.set('NATS', `${result.broker} at ${shownUrl(settings.urls.nats)}`);
    }
  }
  for (const [, description] of services) out.push(`Service:  ${description}`);
  const { tuning } = settings;
  out.push(
    `Config:   ${PRODUCERS} producers; pool size ${tuning.poolSize}; relay batch ${tuning.relayBatchSize}, ` +
      `poll ${tuning.relayPollIntervalMs} ms; consumer concurrency ${tuning.consumerConcurrency}; ` +
      `tracing ${settings.tracing ? 'on (provider registered, no exporter)' : 'off'}`,
  );
  out.push(
    `Baseline: BEGIN; INSERT one row; COMMIT from ${BASELINE_CLIENTS} PostgreSQL clients (PGlite: 1, sequential), ` +
      `${settings.baselineMs / 1000} s before and ${settings.baselineMs / 1000} s after the end-to-end run`,
  );
  out.push('');

  const header = [
    'combination',
    'events',
    'events/s',
    'baseline tx/s',
    'ratio',
    'p50 ms',
    'p99 ms',
    'drain events/s',
  ];
  const rows = results.map((result) => {
    if (result.error && !result.e2e)
      return [result.combo.label, `failed: ${result.error}`, '', '', '', '', '', ''];
    const { e2e, baseline, drain } = result;
    return [
      result.combo.label,
      formatCount(e2e?.events ?? Number.NaN),
      formatCount(e2e?.rate ?? Number.NaN),
      formatCount(baseline?.rate ?? Number.NaN),
      formatPercent((e2e?.rate ?? Number.NaN) / (baseline?.rate ?? Number.NaN)),
      formatMs(e2e?.latency.p50 ?? Number.NaN),
      formatMs(e2e?.latency.p99 ?? Number.NaN),
      drain ? formatCount(drain.rate) : result.error ? `failed: ${result.error}` : '–',
    ];
  });
  out.push(renderTable(header, rows), '');

  const detailHeader = [
    'combination',
    'baseline before / after',
    'run s',
    'producers s',
    'p90 ms',
    'max ms',
    'max backlog',
    'dup/retry/pub fail',
    'Node CPU',
    'machine CPU',
    'drain s',
    'drain Node CPU',
    'drain machine CPU',
    'delivered',
    'load before → after',
  ];
  const details = results
    .filter((result) => result.e2e)
    .map((result) => {
      const e2e = result.e2e!;
      const { drain } = result;
      return [
        result.combo.label,
        `${formatCount(result.baselineBefore?.rate ?? Number.NaN)} / ${formatCount(result.baselineAfter?.rate ?? Number.NaN)}`,
        e2e.seconds.toFixed(1),
        e2e.producedSeconds.toFixed(1),
        formatMs(e2e.latency.p90),
        formatMs(e2e.latency.max),
        formatCount(e2e.maxBacklog),
        `${e2e.outcomes.duplicate}/${e2e.outcomes.retry}/${e2e.publishFailures}`,
        formatPercent(e2e.nodeCpu),
        formatPercent(e2e.machineCpu),
        drain ? drain.seconds.toFixed(1) : '–',
        drain ? formatPercent(drain.nodeCpu) : '–',
        drain ? formatPercent(drain.machineCpu) : '–',
        drain?.delivered === undefined ? '–' : formatCount(drain.delivered),
        `${result.loadBefore} → ${result.loadAfter ?? '?'}`,
      ];
    });
  if (details.length > 0) out.push(renderTable(detailHeader, details), '');

  const segmentHeader = [
    'latency p50 / p99 ms',
    'commit → publish (relay)',
    'publish → delivery (broker)',
    'delivery → handler (consumer)',
    'commit → handler',
  ];
  const pair = (p: { p50: number; p99: number }) => `${formatMs(p.p50)} / ${formatMs(p.p99)}`;
  const segments = results
    .filter((result) => result.e2e)
    .map((result) => {
      const { segments: parts, latency } = result.e2e!;
      return [result.combo.label, pair(parts.relay), pair(parts.broker), pair(parts.consumer), pair(latency)];
    });
  if (segments.length > 0) out.push(renderTable(segmentHeader, segments), '');

  const rabbit = results.find((result) => result.combo.name === 'rabbitmq');
  out.push('Targets (PostgreSQL + RabbitMQ):');
  if (!rabbit?.e2e || !rabbit.baseline) {
    out.push('  not measured in this run (run it with --only rabbitmq or without --only)');
  } else {
    const ratio = rabbit.e2e.rate / rabbit.baseline.rate;
    const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
    out.push(
      `  end to end ≥ ${formatPercent(TARGETS.ratio)} of baseline:     ${formatPercent(ratio)} ` +
        `(${formatCount(rabbit.e2e.rate)} of ${formatCount(rabbit.baseline.rate)}/s) — ${verdict(ratio >= TARGETS.ratio)}`,
    );
    out.push(
      `  p99 commit → handler < ${TARGETS.p99Ms} ms:         ${formatMs(rabbit.e2e.latency.p99)} ms — ${verdict(rabbit.e2e.latency.p99 < TARGETS.p99Ms)}`,
    );
    out.push(
      `  relay drain ≥ ${formatCount(TARGETS.drainRate)} events/s:      ` +
        (rabbit.drain
          ? `${formatCount(rabbit.drain.rate)}/s — ${verdict(rabbit.drain.rate >= TARGETS.drainRate)}`
          : 'not measured'),
    );
  }
  out.push('');
  process.stdout.write(out.join('\n'));
}

async function main(): Promise<number> {
  const settings = parseSettings();
  if (!settings) return 0;
  const logger = pino({ level: process.env.GANTRY_BENCH_LOG_LEVEL || 'warn' }, pino.destination(2));
  let tracing: TracingHandle | undefined;
  if (settings.tracing) tracing = initTracing({ serviceName: 'gantry-bench' });
  process.once('SIGINT', () => {
    // What fails while everything is torn down underneath the run is noise.
    logger.level = 'silent';
    progress('interrupted: removing the databases, queues and streams of this run');
    void Promise.allSettled([...pendingCleanups].map((cleanup) => cleanup())).then(() => process.exit(130));
  });
  const results: ComboResult[] = [];
  try {
    for (const combo of settings.combos) results.push(await runCombo(combo, settings, logger));
  } finally {
    await tracing?.shutdown();
  }
  printReport(settings, results);
  return results.some((result) => result.error) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench:events: ${redactText(errorMessage(error))}\n`);
    process.exit(2);
  },
);
