// npm run bench:promotion: how long after `release create` returns the
// config-repo commit of an `auto` stage is on the branch Argo CD or Flux
// watches, against a plain git fetch + commit + push measured in the same run
// on the same repository. It prints figures; nothing here asserts a timing.
// docs/benchmarks.md explains what is measured and records the latest figures.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { errorMessage } from '../src/shared/errors.js';
import { redactText } from '../src/shared/redact.js';
import { sleep } from '../src/shared/sleep.js';
import type { PromotionDto } from '../src/features/promotions/promotions.dto.js';
import type { ReleaseDto } from '../src/features/releases/releases.dto.js';
import { shownUrl } from './support/backends.js';
import {
  BaselineClone,
  createBenchConfigRepository,
  driverRunner,
  OVERLAY_PATH,
  RefWatcher,
  trailersOf,
  type BenchConfigRepository,
} from './support/config-repo.js';
import {
  createServerDatabase,
  metricSum,
  startGantryServer,
  type GantryServer,
  type ServerDatabase,
} from './support/gantry-server.js';
import {
  createGitTrace,
  gitShare,
  readGitProcesses,
  type GitProcess,
  type GitShare,
  type GitTrace,
} from './support/git-trace.js';
import { describeMachine, loadAverage, machineBusy, sampleMachineCpu } from './support/machine.js';
import { formatCount, formatMs, formatPercent, percentile, progress, renderTable } from './support/report.js';

const TARGET_P50_MS = 300;
const SERVICE = 'checkout';
const STAGE = 'develop';
const WAIT_MS = 60_000;
/** How often the server is asked whether a promotion finished and the outbox is empty. */
const POLL_MS = 20;

type DatabaseChoice = 'pglite' | 'postgres';

interface Combo {
  name: DatabaseChoice;
  label: string;
}

const COMBOS: readonly Combo[] = [
  { name: 'pglite', label: 'PGlite + in-process' },
  { name: 'postgres', label: 'PostgreSQL + in-process' },
];

const HELP = `Usage: npm run bench:promotion -- [options]

Runs the built gantry server (dist/, which the npm script builds first) as a
child process, on PGlite and on PostgreSQL with the in-process broker, and
drives it over HTTP like CI does. A pipeline with one stage (promotion: auto,
gitops target, kustomize) commits into a bare repository on local disk.
Releases are created one at a time; for each, the time from the create call
returning to the promotion's commit arriving on the branch is measured at the
bare repository (an inotify watch on its refs). The next release is created
once the promotion is recorded Succeeded and the outbox is empty.

Baselines, on the same repository in the same run (half before, half after):
  - raw git: fetch, reset, write a file, commit, push (the git CLI, 4 processes);
  - driver's git: the gitops driver's own 8 git commands for one promotion, run
    without Gantry around them (its runner, options and environment).
The ratio printed is Gantry's p50 over the raw git p50.

Options:
  --only LIST          databases to run, comma-separated: pglite,postgres (default: both)
  --releases N         measured releases per database (default: 200)
  --warmup N           releases before the measured ones, not counted (default: 5)
  --baseline N         cycles of each baseline, half before and half after (default: 40)
  --without-git-trace  do not record git's trace2 events (they split the apply into git and the rest)
  -h, --help           this text

Services:
  GANTRY_BENCH_DATABASE_URL  PostgreSQL server, default postgres://postgres@127.0.0.1:5432/test
                             (a database of its own is created and dropped)
`;

interface Settings {
  combos: Combo[];
  releases: number;
  warmup: number;
  baselineCycles: number;
  gitTrace: boolean;
  databaseUrl: string;
}

interface Stats {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  min: number;
  mean: number;
}

interface ReleaseSample {
  version: string;
  /** POST /api/v1/releases, request sent → response read. */
  createMs: number;
  /** Create returned → the promotion's commit on the branch of the bare repository. */
  pushedMs: number;
  /** Create returned → the promotion recorded Succeeded (finishedAt, server clock). */
  succeededMs: number;
  /** The server's transition times, relative to the create returning (ms). */
  pendingMs: number;
  applyingMs: number;
  verifyingMs: number;
  byPoll: boolean;
  /** Wall-clock (epoch ms) anchors, to place git's own trace: create returned, Applying, pushed. */
  returnedEpoch: number;
  pushedEpoch: number;
}

interface BaselineCycle {
  ms: number;
  /** Wall-clock (epoch ms) of the cycle starting and of the branch moving. */
  startEpoch: number;
  movedEpoch: number;
}

interface BaselineSamples {
  raw: BaselineCycle[];
  driver: BaselineCycle[];
}

interface ComboResult {
  combo: Combo;
  database?: string;
  samples: ReleaseSample[];
  baseline: BaselineSamples;
  serverCpuSeconds?: number;
  machineCpu?: number;
  seconds?: number;
  handlerSeconds?: number;
  handlerCount?: number;
  eventsRelayed?: number;
  /** Git processes Gantry ran, from git's trace (when tracing is on). */
  gantryGit?: GitProcess[];
  /** Git processes of the baselines. */
  baselineGit?: GitProcess[];
  error?: string;
  loadBefore: string;
  loadAfter?: string;
}

function parseSettings(): Settings | undefined {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      releases: { type: 'string' },
      warmup: { type: 'string' },
      baseline: { type: 'string' },
      'without-git-trace': { type: 'boolean', default: false },
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
    if (!names.includes(name as DatabaseChoice)) {
      throw new Error(`--only: unknown database "${name}"; choose from ${names.join(', ')}`);
    }
  }
  return {
    combos: COMBOS.filter((combo) => only.includes(combo.name)),
    releases: positiveInteger('--releases', values.releases ?? '200'),
    warmup: nonNegativeInteger('--warmup', values.warmup ?? '5'),
    baselineCycles: positiveInteger('--baseline', values.baseline ?? '40'),
    gitTrace: !values['without-git-trace'],
    databaseUrl: process.env.GANTRY_BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
  };
}

function positiveInteger(option: string, text: string): number {
  const value = nonNegativeInteger(option, text);
  if (value < 1) throw new Error(`${option} must be a positive integer, got "${text}"`);
  return value;
}

function nonNegativeInteger(option: string, text: string): number {
  const value = Number(text.replace(/[_,]/g, ''));
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${option} must be a whole number, got "${text}"`);
  return value;
}

function pipeline(repository: string): string {
  return `apiVersion: gantry.dev/v1alpha1
kind: Service
metadata:
  name: ${SERVICE}
spec:
  team: payments
  image: ghcr.io/acme/${SERVICE}
  source: { repo: https://github.com/acme/shop }
  stages:
    - name: ${STAGE}
      promotion: auto
      target: { type: gitops, repository: ${repository}, path: ${OVERLAY_PATH}, format: kustomize }
`;
}

/** Clean-ups still owed, run on Ctrl-C too so no server, database or repository is left behind. */
const pendingCleanups = new Set<() => Promise<void>>();

/** Milliseconds between performance.now() and the wall clock the server stamps its records with. */
function clockOffset(): number {
  let offset = -Infinity;
  // Date.now() has millisecond steps: the largest of several differences is the closest.
  for (let i = 0; i < 50; i++) offset = Math.max(offset, Date.now() - performance.now());
  return offset;
}

class Run {
  constructor(
    private readonly server: GantryServer,
    private readonly repository: BenchConfigRepository,
    private readonly watcher: RefWatcher,
  ) {}

  async applyPipeline(): Promise<void> {
    const applied = await this.server.api('PUT', '/api/v1/pipelines', {
      fileName: 'gantry.yaml',
      content: pipeline(this.repository.bare),
    });
    if (applied.status !== 200) {
      throw new Error(`applying the pipeline answered ${applied.status}: ${JSON.stringify(applied.body)}`);
    }
  }

  /** One release, created and followed until its promotion is recorded and the backbone is idle. */
  async release(): Promise<ReleaseSample> {
    const from = this.watcher.head;
    const sent = performance.now();
    const created = await this.server.api<ReleaseDto>('POST', '/api/v1/releases', {
      service: SERVICE,
      image: `ghcr.io/acme/${SERVICE}`,
      digest: `sha256:${randomBytes(32).toString('hex')}`,
      commit: randomBytes(20).toString('hex'),
    });
    const returned = performance.now();
    if (created.status !== 201) {
      throw new Error(`creating a release answered ${created.status}: ${JSON.stringify(created.body)}`);
    }
    const { version } = created.body;

    let change = await this.watcher.next(from, WAIT_MS);
    let trailers = await trailersOf(this.repository.bare, change.sha);
    while (trailers['Gantry-Release'] !== version) {
      change = await this.watcher.next(change.sha, WAIT_MS);
      trailers = await trailersOf(this.repository.bare, change.sha);
    }
    const promotionId = trailers['Gantry-Promotion'];
    if (!promotionId) throw new Error(`the commit of ${version} carries no Gantry-Promotion trailer`);
    const offset = clockOffset();

    const promotion = await this.finished(promotionId);
    if (promotion.phase !== 'Succeeded') {
      throw new Error(`the promotion of ${version} ended ${promotion.phase}: ${promotion.message ?? ''}`);
    }
    if (promotion.appliedRevision !== change.sha) {
      throw new Error(
        `the promotion of ${version} recorded ${promotion.appliedRevision}, pushed ${change.sha}`,
      );
    }
    await this.idle();

    const base = returned + offset;
    const at = (phase: string) => {
      const transition = promotion.transitions?.find((entry) => entry.to === phase);
      return transition ? Date.parse(transition.at) - base : Number.NaN;
    };
    return {
      version,
      createMs: returned - sent,
      pushedMs: change.at - returned,
      succeededMs: promotion.finishedAt ? Date.parse(promotion.finishedAt) - base : Number.NaN,
      pendingMs: at('Pending'),
      applyingMs: at('Applying'),
      verifyingMs: at('Verifying'),
      byPoll: change.byPoll,
      returnedEpoch: base,
      pushedEpoch: change.at + offset,
    };
  }

  private async finished(id: string): Promise<PromotionDto> {
    const deadline = performance.now() + WAIT_MS;
    for (;;) {
      const { status, body } = await this.server.api<PromotionDto>('GET', `/api/v1/promotions/${id}`);
      if (status === 200 && body.finishedAt) return body;
      if (performance.now() > deadline) throw new Error(`promotion ${id} did not finish in time`);
      // Its finish time comes from its record, not from this poll: no need to ask often.
      await sleep(POLL_MS);
    }
  }

  /** Waits until the outbox holds nothing due: every event of this release has been handled. */
  private async idle(): Promise<void> {
    const deadline = performance.now() + WAIT_MS;
    for (;;) {
      const metrics = await this.server.metrics();
      if (metricSum(metrics, 'gantry_outbox_backlog') === 0) return;
      if (performance.now() > deadline) throw new Error('the outbox did not drain in time');
      await sleep(POLL_MS);
    }
  }
}

/**
 * The two baselines, interleaved cycle by cycle; each timed to the moment the
 * branch moves. With a trace, git reports its processes there.
 */
async function measureBaselines(
  repository: BenchConfigRepository,
  watcher: RefWatcher,
  cycles: number,
  into: BaselineSamples,
  trace: GitTrace | undefined,
): Promise<void> {
  const previous = process.env.GIT_CONFIG_GLOBAL;
  if (trace) process.env.GIT_CONFIG_GLOBAL = trace.configFile;
  const clone = await BaselineClone.create(repository, 'baseline');
  const runner = driverRunner();
  try {
    const timed = async (cycle: () => Promise<void>): Promise<BaselineCycle> => {
      const from = watcher.head;
      const started = performance.now();
      const moved = watcher.next(from, WAIT_MS);
      await cycle();
      const change = await moved;
      const offset = clockOffset();
      return { ms: change.at - started, startEpoch: started + offset, movedEpoch: change.at + offset };
    };
    // One unmeasured cycle each: the first fetch of a fresh clone does more.
    await clone.rawCycle();
    await clone.driverSequence(runner);
    for (let i = 0; i < cycles; i++) {
      into.raw.push(await timed(() => clone.rawCycle()));
      into.driver.push(await timed(() => clone.driverSequence(runner)));
    }
  } finally {
    await clone.remove();
    if (previous === undefined) delete process.env.GIT_CONFIG_GLOBAL;
    else process.env.GIT_CONFIG_GLOBAL = previous;
  }
}

async function runCombo(combo: Combo, settings: Settings): Promise<ComboResult> {
  const result: ComboResult = {
    combo,
    samples: [],
    baseline: { raw: [], driver: [] },
    loadBefore: loadAverage(),
  };
  const label = combo.label;
  let repository: BenchConfigRepository | undefined;
  let watcher: RefWatcher | undefined;
  let database: ServerDatabase | undefined;
  let server: GantryServer | undefined;
  let serverTrace: GitTrace | undefined;
  let baselineTrace: GitTrace | undefined;
  const cleanup = async () => {
    watcher?.stop();
    await serverTrace?.remove();
    await baselineTrace?.remove();
    await server
      ?.stop()
      .catch((error: unknown) => progress(`${label}: stopping the server failed: ${errorMessage(error)}`));
    await database
      ?.drop()
      .catch((error: unknown) => progress(`${label}: dropping the database failed: ${errorMessage(error)}`));
    await repository?.remove();
  };
  pendingCleanups.add(cleanup);
  try {
    repository = await createBenchConfigRepository();
    watcher = new RefWatcher(repository.bare, repository.branch);
    await watcher.start();
    if (combo.name === 'postgres') {
      progress(`${label}: creating a fresh database at ${shownUrl(settings.databaseUrl)}`);
      database = await createServerDatabase(settings.databaseUrl);
      result.database = `PostgreSQL ${database.version}`;
    } else {
      result.database = 'PGlite (on disk, temporary GANTRY_DATA_DIR)';
    }
    if (settings.gitTrace) {
      serverTrace = await createGitTrace('server');
      baselineTrace = await createGitTrace('baseline');
    }
    progress(`${label}: starting gantry server (dist/main.js)`);
    server = await startGantryServer({
      databaseUrl: database?.url,
      env: serverTrace ? { GIT_CONFIG_GLOBAL: serverTrace.configFile } : {},
    });
    const run = new Run(server, repository, watcher);
    await run.applyPipeline();

    const half = Math.ceil(settings.baselineCycles / 2);
    progress(`${label}: baselines before, ${half} cycles each`);
    await measureBaselines(repository, watcher, half, result.baseline, baselineTrace);

    progress(`${label}: ${settings.warmup} warm-up releases`);
    for (let i = 0; i < settings.warmup; i++) await run.release();

    progress(`${label}: ${settings.releases} releases, one at a time`);
    const metricsBefore = await server.metrics();
    const cpuBefore = server.cpuSeconds();
    const machineBefore = sampleMachineCpu();
    const started = performance.now();
    for (let i = 0; i < settings.releases; i++) {
      result.samples.push(await run.release());
      if ((i + 1) % 50 === 0 || i + 1 === settings.releases) {
        const pushed = stats(result.samples.map((sample) => sample.pushedMs));
        progress(
          `${label}: ${i + 1} releases, create → pushed p50 ${formatMs(pushed.p50)} ms, p99 ${formatMs(pushed.p99)} ms`,
        );
      }
    }
    result.seconds = (performance.now() - started) / 1000;
    result.serverCpuSeconds = server.cpuSeconds() - cpuBefore;
    result.machineCpu = machineBusy(machineBefore, sampleMachineCpu());
    const metricsAfter = await server.metrics();
    const delta = (name: string, ...labels: string[]) =>
      metricSum(metricsAfter, name, ...labels) - metricSum(metricsBefore, name, ...labels);
    result.handlerSeconds = delta('gantry_event_handler_duration_seconds_sum');
    result.handlerCount = delta('gantry_event_handler_duration_seconds_count');
    result.eventsRelayed = delta('gantry_events_relayed_total');

    progress(`${label}: baselines after, ${settings.baselineCycles - half} cycles each`);
    await measureBaselines(
      repository,
      watcher,
      settings.baselineCycles - half,
      result.baseline,
      baselineTrace,
    );
    if (serverTrace) result.gantryGit = await readGitProcesses(serverTrace.eventFile);
    if (baselineTrace) result.baselineGit = await readGitProcesses(baselineTrace.eventFile);
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

function stats(values: readonly number[]): Stats {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    min: sorted[0] ?? Number.NaN,
    mean: sorted.length > 0 ? sum / sorted.length : Number.NaN,
  };
}

function printReport(settings: Settings, results: readonly ComboResult[]): void {
  const machine = describeMachine();
  const out: string[] = [];
  out.push('', 'Gantry promotion latency benchmark', '');
  out.push(`Machine:  ${machine.cpu}, ${machine.cores} cores, ${machine.memory} memory, ${machine.os}`);
  out.push(`Node:     ${machine.node}`);
  for (const result of results) {
    if (result.database) out.push(`Database: ${result.combo.label}: ${result.database}`);
  }
  out.push(
    `Server:   gantry server from dist/, one process, in-process broker, Gantry's defaults ` +
      `(relay poll 1 s with LISTEN/NOTIFY wake-up, consumer concurrency 32, log level info as JSON to a file)`,
  );
  out.push(
    `Run:      ${settings.releases} releases per database, one at a time, after ${settings.warmup} warm-up; ` +
      `pipeline: one stage, promotion: auto, gitops target (kustomize) into a bare repository on local disk`,
  );
  out.push(
    `Baseline: ${settings.baselineCycles} cycles each, half before and half after the releases: raw git = fetch, ` +
      `reset --hard, write, commit -a, push (git CLI); driver's git = the gitops driver's 8 commands by hand`,
  );
  out.push('Measured: from the create call returning (or a baseline cycle starting) to the branch moving in');
  out.push('          the bare repository (inotify watch on refs/heads, polled every 25 ms as a fallback)');
  out.push('');

  const header = [
    'database',
    'releases',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'max ms',
    'raw git p50 ms',
    'ratio p50',
    `target p50 < ${TARGET_P50_MS} ms`,
  ];
  const rows = results.map((result) => {
    if (result.samples.length === 0) {
      return [result.combo.label, `failed: ${result.error ?? 'no samples'}`, '', '', '', '', '', '', ''];
    }
    const pushed = stats(result.samples.map((sample) => sample.pushedMs));
    const raw = stats(result.baseline.raw.map((cycle) => cycle.ms));
    return [
      result.combo.label,
      formatCount(pushed.count),
      formatMs(pushed.p50),
      formatMs(pushed.p90),
      formatMs(pushed.p99),
      formatMs(pushed.max),
      formatMs(raw.p50),
      Number.isFinite(raw.p50) ? `${(pushed.p50 / raw.p50).toFixed(1)}×` : '–',
      pushed.p50 < TARGET_P50_MS ? 'met' : 'MISSED',
    ];
  });
  out.push(renderTable(header, rows), '');

  const baselineHeader = ['baseline (ms)', 'cycles', 'p50', 'p90', 'p99', 'max'];
  const baselineRows: string[][] = [];
  for (const result of results) {
    for (const [name, values] of [
      ['raw git', result.baseline.raw],
      ["driver's git", result.baseline.driver],
    ] as const) {
      if (values.length === 0) continue;
      const s = stats(values.map((cycle) => cycle.ms));
      baselineRows.push([
        `${result.combo.label}: ${name}`,
        formatCount(s.count),
        formatMs(s.p50),
        formatMs(s.p90),
        formatMs(s.p99),
        formatMs(s.max),
      ]);
    }
  }
  if (baselineRows.length > 0) out.push(renderTable(baselineHeader, baselineRows), '');

  // Where the time goes: the server's own transition times (its clock, millisecond steps).
  const segmentHeader = [
    'p50 / p99 ms',
    'create call',
    'returned → Pending',
    'Pending → Applying',
    'Applying → pushed',
    'pushed → Succeeded',
    'returned → Succeeded',
  ];
  const pair = (values: readonly number[]) => {
    const s = stats(values);
    return `${formatMs(s.p50)} / ${formatMs(s.p99)}`;
  };
  const segments = results
    .filter((result) => result.samples.length > 0)
    .map((result) => {
      const s = result.samples;
      return [
        result.combo.label,
        pair(s.map((sample) => sample.createMs)),
        pair(s.map((sample) => sample.pendingMs)),
        pair(s.map((sample) => sample.applyingMs - sample.pendingMs)),
        pair(s.map((sample) => sample.pushedMs - sample.applyingMs)),
        pair(s.map((sample) => sample.succeededMs - sample.pushedMs)),
        pair(s.map((sample) => sample.succeededMs)),
      ];
    });
  if (segments.length > 0) out.push(renderTable(segmentHeader, segments), '');

  // The apply split by git's own trace: what ran before the first git process
  // (the handler's commit, the apply claim and reads, spawning git), inside git
  // processes, and between them (Node's side of each command, the file edit).
  const gitHeader = [
    'mean (p50) ms',
    'window',
    'before first git',
    'in git processes',
    'between git processes',
    'git processes',
  ];
  const gitRows: string[][] = [];
  const meanP50 = (values: readonly number[]) => {
    const s = stats(values);
    return `${formatMs(s.mean)} (${formatMs(s.p50)})`;
  };
  const shareRow = (name: string, shares: readonly GitShare[]) => [
    name,
    meanP50(shares.map((share) => share.beforeGit + share.inGit + share.betweenGit)),
    meanP50(shares.map((share) => share.beforeGit)),
    meanP50(shares.map((share) => share.inGit)),
    meanP50(shares.map((share) => share.betweenGit)),
    stats(shares.map((share) => share.processes)).p50.toFixed(0),
  ];
  // The same git commands inside Gantry and by hand, command by command.
  const commandHeader = ['mean ms in git'];
  const commandColumns: GitShare[][] = [];
  for (const result of results) {
    if (result.gantryGit && result.samples.length > 0) {
      const git = result.gantryGit;
      const shares = result.samples.map((sample) =>
        gitShare(git, sample.returnedEpoch + sample.applyingMs - 1, sample.pushedEpoch),
      );
      gitRows.push(shareRow(`${result.combo.label}: Gantry, Applying → pushed`, shares));
      commandHeader.push(`${result.combo.label}: Gantry`);
      commandColumns.push(shares);
    }
    if (result.baselineGit) {
      const git = result.baselineGit;
      for (const [name, cycles] of [
        ['raw git', result.baseline.raw],
        ["driver's git", result.baseline.driver],
      ] as const) {
        if (cycles.length === 0) continue;
        const shares = cycles.map((cycle) => gitShare(git, cycle.startEpoch, cycle.movedEpoch));
        gitRows.push(shareRow(`${result.combo.label}: ${name}, start → pushed`, shares));
        if (name === "driver's git") {
          commandHeader.push(`${result.combo.label}: by hand`);
          commandColumns.push(shares);
        }
      }
    }
  }
  if (gitRows.length > 0) out.push(renderTable(gitHeader, gitRows), '');
  const commands = [...new Set(commandColumns.flat().flatMap((share) => [...share.byCommand.keys()]))];
  if (commands.length > 0) {
    const commandRows = commands.map((command) => [
      command,
      ...commandColumns.map((shares) =>
        formatMs(stats(shares.map((share) => share.byCommand.get(command) ?? 0)).mean),
      ),
    ]);
    out.push(renderTable(commandHeader, commandRows), '');
  }

  const contextHeader = [
    'database',
    'run s',
    'server CPU / release ms',
    'server CPU',
    'machine CPU',
    'events / release',
    'handler ms / event',
    'first seen by poll',
    'load before → after',
  ];
  const context = results
    .filter((result) => result.samples.length > 0 && result.seconds !== undefined)
    .map((result) => {
      const releases = result.samples.length;
      const seconds = result.seconds ?? Number.NaN;
      const cpu = result.serverCpuSeconds ?? Number.NaN;
      return [
        result.combo.label,
        seconds.toFixed(1),
        formatMs((cpu * 1000) / releases),
        formatPercent(cpu / seconds),
        formatPercent(result.machineCpu ?? Number.NaN),
        ((result.eventsRelayed ?? Number.NaN) / releases).toFixed(1),
        formatMs(((result.handlerSeconds ?? Number.NaN) * 1000) / (result.handlerCount ?? Number.NaN)),
        formatCount(result.samples.filter((sample) => sample.byPoll).length),
        `${result.loadBefore} → ${result.loadAfter ?? '?'}`,
      ];
    });
  if (context.length > 0) out.push(renderTable(contextHeader, context), '');

  out.push(`Target: p50 from \`release create\` returning to the commit pushed < ${TARGET_P50_MS} ms`);
  for (const result of results) {
    if (result.samples.length === 0) {
      out.push(`  ${result.combo.label}: not measured`);
      continue;
    }
    const pushed = stats(result.samples.map((sample) => sample.pushedMs));
    const raw = stats(result.baseline.raw.map((cycle) => cycle.ms));
    out.push(
      `  ${result.combo.label}: ${formatMs(pushed.p50)} ms — ${pushed.p50 < TARGET_P50_MS ? 'met' : 'MISSED'}` +
        ` (raw git alone: ${formatMs(raw.p50)} ms${raw.p50 >= TARGET_P50_MS ? ', above the target by itself on this machine now' : ''})`,
    );
  }
  for (const result of results) {
    if (result.error) out.push(`${result.combo.label}: FAILED: ${result.error}`);
  }
  out.push('');
  process.stdout.write(out.join('\n'));
}

async function main(): Promise<number> {
  const settings = parseSettings();
  if (!settings) return 0;
  process.once('SIGINT', () => {
    progress('interrupted: stopping the server, removing the database and repository of this run');
    void Promise.allSettled([...pendingCleanups].map((cleanup) => cleanup())).then(() => process.exit(130));
  });
  const results: ComboResult[] = [];
  for (const combo of settings.combos) results.push(await runCombo(combo, settings));
  printReport(settings, results);
  return results.some((result) => result.error) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench:promotion: ${redactText(errorMessage(error))}\n`);
    process.exit(2);
  },
);
