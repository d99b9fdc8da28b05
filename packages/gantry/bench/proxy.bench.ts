// npm run bench:proxy: what the local target's traffic proxy costs, against
// the same backend reached directly in the same run. The backend and the load
// generator are child processes, so the proxy (in this process) has an event
// loop of its own, as it has in the Gantry server. It prints figures; nothing
// here asserts a timing. docs/benchmarks.md explains what is measured and
// records the latest figures.
//
// This file is also the two child processes: GANTRY_BENCH_PROXY_ROLE=backend
// or =load makes it one of them.
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Registry } from 'prom-client';
import { TrafficMetrics } from '../src/features/local-target/proxy/traffic-metrics.js';
import { TrafficProxy } from '../src/features/local-target/proxy/traffic-proxy.js';
import { errorMessage } from '../src/shared/errors.js';
import { measureRollbackLatency, type RollbackSample } from './support/rollback-latency.js';
import { describeMachine, loadAverage, machineBusy, sampleMachineCpu } from './support/machine.js';
import { formatCount, formatMs, formatPercent, percentile, progress, renderTable } from './support/report.js';

const ROLE_VARIABLE = 'GANTRY_BENCH_PROXY_ROLE';
const VERSION = '2026.11.3';

const TARGETS = {
  /** Proxied throughput as a share of direct throughput, at saturation. */
  throughputRatio: 0.7,
  /** Added p50 latency of one request at a time, in ms. */
  addedP50Ms: 1,
} as const;

const HELP = `Usage: npm run bench:proxy -- [options]

Measures Gantry's traffic proxy (the local target's per-stage reverse proxy)
against the same backend reached directly and through a bare node:http
reverse proxy (request + pipe, keep-alive, nothing else: the floor of any
proxy built on node:http), in the same run:
  - throughput: requests/s with --connections keep-alive connections, closed loop
    (each connection sends its next request when the previous response has been read);
  - latency: p50/p99 with one connection, one request at a time (the cost of the hop itself).
The backend (node:http, a fixed response body) and the load generator run as
child processes; the proxy runs in this process with its Prometheus and window
metrics on; the bare proxy runs in the same process, in its own rounds.
The order of the three paths reverses from round to round (ABC CBA …) to
spread drift evenly.

Options:
  --connections N   concurrent connections of the throughput rounds (default: 16)
  --seconds S       measured length of each round (default: 5)
  --rounds N        rounds per scenario, each measuring every path once (default: 3)
  --warmup-ms MS    traffic before each round that is not counted (default: 500)
  --body-bytes N    response body size of the backend (default: 256)
  --rollbacks N     automatic canary rollbacks to time, through the built
                    gantry server (default: 5; 0 skips them)
  -h, --help        this text

Rollback latency: the built \`gantry server\` (npm run build first; the npm
script does) runs a local stage of examples/hello-service with a canary at
50% and an error-rate analysis every 250 ms; releases whose requests fail half
the time are rolled back by it. Measured from the failing measurement's
finishedAt to the first request that, like every later one, went to the
stable version (an upper bound, read with the probe's spacing), with steady
traffic from 4 connections (target < 1 s; Flagger needs its interval
times its threshold, a minute or more by default).
`;

interface Settings {
  connections: number;
  roundMs: number;
  rounds: number;
  warmupMs: number;
  bodyBytes: number;
  rollbacks: number;
}

// ---- messages between this process and its children ----------------------

interface RunRequest {
  type: 'run';
  port: number;
  connections: number;
  durationMs: number;
  warmupMs: number;
}

interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  /** Milliseconds, one per counted request. */
  latencies: number[];
  /** CPU seconds of the load generator during the round. */
  cpuSeconds: number;
}

type ChildMessage =
  { type: 'ready'; port?: number } | { type: 'cpu'; seconds: number } | ({ type: 'result' } & LoadResult);

// ---- child: the backend -----------------------------------------------------

async function backendChild(bodyBytes: number): Promise<void> {
  const body = Buffer.alloc(bodyBytes, 'x');
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.on('message', (message: { type: string }) => {
    if (message.type === 'cpu') process.send!({ type: 'cpu', seconds: cpuSeconds() });
  });
  process.send!({ type: 'ready', port: (server.address() as AddressInfo).port });
}

// ---- child: the load generator ---------------------------------------------

function loadChild(): void {
  process.on('message', (message: RunRequest) => {
    if (message.type !== 'run') return;
    void runLoad(message).then((result) => process.send!({ type: 'result', ...result }));
  });
  process.send!({ type: 'ready' });
}

/** A closed loop per connection: send, read the whole response, send again, until the round ends. */
function runLoad(run: RunRequest): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: run.connections });
  const latencies: number[] = [];
  let requests = 0;
  let errors = 0;
  const cpuBefore = cpuSeconds();
  const measureFrom = performance.now() + run.warmupMs;
  const end = measureFrom + run.durationMs;
  return new Promise((resolve) => {
    let active = run.connections;
    const finish = () => {
      const seconds = (performance.now() - measureFrom) / 1000;
      agent.destroy();
      resolve({ requests, errors, seconds, latencies, cpuSeconds: cpuSeconds() - cpuBefore });
    };
    const next = (): void => {
      const started = performance.now();
      if (started >= end) {
        if (--active === 0) finish();
        return;
      }
      const counted = started >= measureFrom;
      const request = http.request({ host: '127.0.0.1', port: run.port, path: '/', agent }, (response) => {
        response.on('data', () => undefined);
        response.on('end', () => {
          if (counted) {
            if (response.statusCode === 200) {
              requests++;
              latencies.push(performance.now() - started);
            } else {
              errors++;
            }
          }
          next();
        });
      });
      request.on('error', () => {
        if (counted) errors++;
        setImmediate(next);
      });
      request.end();
    };
    for (let index = 0; index < run.connections; index++) next();
  });
}

function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

// ---- the parent: proxies, rounds, report ------------------------------------

interface BareProxy {
  server: http.Server;
  close(): Promise<void>;
}

/** The least a node:http reverse proxy does: forward, pipe both ways, keep-alive upstream. */
async function startBareProxy(backendPort: number): Promise<BareProxy> {
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: backendPort,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      agent.destroy();
    },
  };
}

function parseSettings(): Settings | undefined {
  const { values } = parseArgs({
    options: {
      connections: { type: 'string' },
      seconds: { type: 'string' },
      rounds: { type: 'string' },
      'warmup-ms': { type: 'string' },
      'body-bytes': { type: 'string' },
      rollbacks: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return undefined;
  }
  return {
    connections: positiveInteger('--connections', values.connections ?? '16'),
    roundMs: positiveInteger('--seconds', values.seconds ?? '5') * 1000,
    rounds: positiveInteger('--rounds', values.rounds ?? '3'),
    warmupMs: positiveInteger('--warmup-ms', values['warmup-ms'] ?? '500'),
    bodyBytes: positiveInteger('--body-bytes', values['body-bytes'] ?? '256'),
    rollbacks: values.rollbacks === '0' ? 0 : positiveInteger('--rollbacks', values.rollbacks ?? '5'),
  };
}

function positiveInteger(option: string, text: string): number {
  const value = Number(text.replace(/[_,]/g, ''));
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${option} must be a positive integer, got "${text}"`);
  return value;
}

/** A child process running this file in another role; resolves once it says it is ready. */
async function startChild(
  role: 'backend' | 'load',
  settings: Settings,
): Promise<{ child: ChildProcess; port?: number }> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, [ROLE_VARIABLE]: role, GANTRY_BENCH_PROXY_BODY: String(settings.bodyBytes) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const ready = await nextMessage(child, 'ready');
  return { child, ...(ready.type === 'ready' && ready.port !== undefined ? { port: ready.port } : {}) };
}

const children = new Set<ChildProcess>();

function nextMessage(child: ChildProcess, type: ChildMessage['type']): Promise<ChildMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ChildMessage) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message);
    };
    const onExit = (code: number | null) => {
      child.off('message', onMessage);
      reject(new Error(`a child process exited (code ${String(code)}) before sending "${type}"`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

type Path = 'direct' | 'bare' | 'proxy';
const PATHS: readonly Path[] = ['direct', 'bare', 'proxy'];
const PATH_LABELS: Record<Path, string> = {
  direct: 'direct',
  bare: 'bare node:http proxy',
  proxy: 'Gantry proxy',
};
type Scenario = 'throughput' | 'latency';

interface Round {
  scenario: Scenario;
  path: Path;
  index: number;
  result: LoadResult;
  /** CPU seconds of this process (the proxy, Gantry's or the bare one) and of the backend during the round. */
  proxyCpu: number;
  backendCpu: number;
  machineCpu: number;
  load: string;
}

interface Harness {
  load: ChildProcess;
  backend: ChildProcess;
  ports: Record<Path, number>;
}

async function backendCpu(harness: Harness): Promise<number> {
  const reply = nextMessage(harness.backend, 'cpu');
  harness.backend.send({ type: 'cpu' });
  const message = await reply;
  return message.type === 'cpu' ? message.seconds : Number.NaN;
}

async function runRound(
  harness: Harness,
  scenario: Scenario,
  path: Path,
  index: number,
  connections: number,
  settings: Settings,
): Promise<Round> {
  const machineBefore = sampleMachineCpu();
  const proxyBefore = cpuSeconds();
  const backendBefore = await backendCpu(harness);
  const reply = nextMessage(harness.load, 'result');
  const request: RunRequest = {
    type: 'run',
    port: harness.ports[path],
    connections,
    durationMs: settings.roundMs,
    warmupMs: settings.warmupMs,
  };
  harness.load.send(request);
  const message = await reply;
  if (message.type !== 'result') throw new Error('the load generator answered out of turn');
  const { type: _type, ...result } = message;
  const round: Round = {
    scenario,
    path,
    index,
    result,
    proxyCpu: cpuSeconds() - proxyBefore,
    backendCpu: (await backendCpu(harness)) - backendBefore,
    machineCpu: machineBusy(machineBefore, sampleMachineCpu()),
    load: loadAverage(),
  };
  progress(
    `${scenario} round ${index + 1} ${PATH_LABELS[path]}: ${formatCount(result.requests / result.seconds)} requests/s, ` +
      `p50 ${formatMs(percentile(sorted(result.latencies), 50))} ms, errors ${result.errors}`,
  );
  return round;
}

function sorted(values: readonly number[]): number[] {
  // A typed array sorts numerically, and fast.
  return Array.from(Float64Array.from(values).sort());
}

interface Summary {
  requests: number;
  errors: number;
  rate: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  proxyCpuPerRequestUs: number;
  backendCpuPerRequestUs: number;
  loadCpuPerRequestUs: number;
}

function summarise(rounds: readonly Round[]): Summary {
  const latencies = sorted(rounds.flatMap((round) => round.result.latencies));
  const requests = rounds.reduce((sum, round) => sum + round.result.requests, 0);
  const seconds = rounds.reduce((sum, round) => sum + round.result.seconds, 0);
  const perRequest = (cpu: number) => (cpu / requests) * 1e6;
  return {
    requests,
    errors: rounds.reduce((sum, round) => sum + round.result.errors, 0),
    rate: requests / seconds,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? Number.NaN,
    proxyCpuPerRequestUs: perRequest(rounds.reduce((sum, round) => sum + round.proxyCpu, 0)),
    backendCpuPerRequestUs: perRequest(rounds.reduce((sum, round) => sum + round.backendCpu, 0)),
    loadCpuPerRequestUs: perRequest(rounds.reduce((sum, round) => sum + round.result.cpuSeconds, 0)),
  };
}

function printReport(
  settings: Settings,
  rounds: readonly Round[],
  rollbacks: readonly RollbackSample[],
  loadBefore: string,
  loadAfter: string,
): void {
  const machine = describeMachine();
  const out: string[] = [];
  out.push('', 'Gantry traffic proxy benchmark', '');
  out.push(`Machine:  ${machine.cpu}, ${machine.cores} cores, ${machine.memory} memory, ${machine.os}`);
  out.push(`Node:     ${machine.node}`);
  out.push(`Load:     ${loadBefore} before, ${loadAfter} after (1, 5, 15 min)`);
  out.push(
    `Config:   backend node:http, ${settings.bodyBytes}-byte body; GET /, keep-alive; ` +
      `${settings.rounds} rounds per scenario, ${settings.roundMs / 1000} s per path after ${settings.warmupMs} ms warm-up; ` +
      `throughput with ${settings.connections} connections, latency with 1`,
  );
  out.push('');

  const header = [
    'scenario',
    'path',
    'requests',
    'requests/s',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'max ms',
    'errors',
    'proxy CPU µs/req',
    'backend CPU µs/req',
    'load gen CPU µs/req',
  ];
  const summaries = new Map<string, Summary>();
  const rows: string[][] = [];
  for (const scenario of ['throughput', 'latency'] as const) {
    for (const path of PATHS) {
      const summary = summarise(rounds.filter((round) => round.scenario === scenario && round.path === path));
      summaries.set(`${scenario}/${path}`, summary);
      rows.push([
        scenario,
        PATH_LABELS[path],
        formatCount(summary.requests),
        formatCount(summary.rate),
        formatMs(summary.p50),
        formatMs(summary.p90),
        formatMs(summary.p99),
        formatMs(summary.max),
        formatCount(summary.errors),
        path === 'direct' ? '–' : formatCount(summary.proxyCpuPerRequestUs),
        formatCount(summary.backendCpuPerRequestUs),
        formatCount(summary.loadCpuPerRequestUs),
      ]);
    }
  }
  out.push(renderTable(header, rows), '');

  const roundHeader = [
    'scenario',
    'round',
    'path',
    'requests/s',
    'p50 ms',
    'p99 ms',
    'machine CPU',
    'load average',
  ];
  const roundRows = rounds.map((round) => {
    const latencies = sorted(round.result.latencies);
    return [
      round.scenario,
      String(round.index + 1),
      PATH_LABELS[round.path],
      formatCount(round.result.requests / round.result.seconds),
      formatMs(percentile(latencies, 50)),
      formatMs(percentile(latencies, 99)),
      formatPercent(round.machineCpu),
      round.load,
    ];
  });
  out.push(renderTable(roundHeader, roundRows), '');

  const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
  const directRate = summaries.get('throughput/direct')!.rate;
  const proxyRate = summaries.get('throughput/proxy')!.rate;
  const ratio = proxyRate / directRate;
  const added50 = summaries.get('latency/proxy')!.p50 - summaries.get('latency/direct')!.p50;
  const added99 = summaries.get('latency/proxy')!.p99 - summaries.get('latency/direct')!.p99;
  const saturatedAdded50 = summaries.get('throughput/proxy')!.p50 - summaries.get('throughput/direct')!.p50;
  const bareRate = summaries.get('throughput/bare')!.rate;
  const overBare50 = summaries.get('latency/proxy')!.p50 - summaries.get('latency/bare')!.p50;
  out.push('Targets:');
  out.push(
    `  proxied throughput ≥ ${formatPercent(TARGETS.throughputRatio)} of direct: ${formatPercent(ratio)} ` +
      `(${formatCount(proxyRate)} of ${formatCount(directRate)} requests/s) — ${verdict(ratio >= TARGETS.throughputRatio)}`,
  );
  out.push(
    `  added p50 latency < ${TARGETS.addedP50Ms} ms (one connection):  ${formatMs(added50)} ms ` +
      `(p99 ${formatMs(added99)} ms) — ${verdict(added50 < TARGETS.addedP50Ms)}`,
  );
  out.push(
    `  for reference, added p50 at ${settings.connections} connections (saturated, queueing included): ${formatMs(saturatedAdded50)} ms`,
  );
  out.push(
    `  against the bare node:http proxy: ${formatPercent(proxyRate / bareRate)} of its throughput ` +
      `(${formatCount(bareRate)} requests/s), ${formatMs(overBare50)} ms added at p50 (one connection)`,
  );
  if (rollbacks.length > 0) {
    const latencies = sorted(rollbacks.map((sample) => sample.latencyMs));
    const worst = latencies.at(-1)!;
    out.push(
      `  rollback latency < 1000 ms (failing measurement → every request on stable, an upper bound): p50 ${formatMs(percentile(latencies, 50))} ms, ` +
        `max ${formatMs(worst)} ms over ${rollbacks.length} rollbacks — ${verdict(worst < 1000)}`,
    );
    out.push(
      `    each: ${rollbacks.map((sample) => `${formatMs(sample.latencyMs)} ms (probe gap ${formatMs(sample.probeGapMs)} ms, ${sample.canaryRequests} canary requests)`).join('; ')}`,
    );
  } else {
    out.push('  rollback latency: skipped (--rollbacks 0)');
  }
  out.push('');
  process.stdout.write(out.join('\n'));
}

async function main(): Promise<number> {
  const settings = parseSettings();
  if (!settings) return 0;
  process.once('SIGINT', () => {
    progress('interrupted: stopping the backend and the load generator');
    for (const child of children) child.kill();
    process.exit(130);
  });
  const loadBefore = loadAverage();
  progress('starting the backend and the load generator (child processes)');
  const backend = await startChild('backend', settings);
  const load = await startChild('load', settings);
  const proxy = new TrafficProxy({
    service: 'checkout',
    stage: 'bench',
    metrics: new TrafficMetrics(new Registry()),
  });
  const rounds: Round[] = [];
  let bare: BareProxy | undefined;
  try {
    proxy.route({
      stable: { version: VERSION, role: 'stable', endpoints: [{ host: '127.0.0.1', port: backend.port! }] },
      canaryWeight: 0,
    });
    await proxy.listen(0, '127.0.0.1');
    bare = await startBareProxy(backend.port!);
    const harness: Harness = {
      load: load.child,
      backend: backend.child,
      ports: { direct: backend.port!, bare: (bare.server.address() as AddressInfo).port, proxy: proxy.port },
    };
    progress(
      `backend on port ${harness.ports.direct}, bare proxy on ${harness.ports.bare}, Gantry proxy on ${harness.ports.proxy}`,
    );

    const scenarios: { scenario: Scenario; connections: number }[] = [
      { scenario: 'throughput', connections: settings.connections },
      { scenario: 'latency', connections: 1 },
    ];
    for (const { scenario, connections } of scenarios) {
      for (let index = 0; index < settings.rounds; index++) {
        const order = index % 2 === 0 ? PATHS : [...PATHS].reverse();
        for (const path of order)
          rounds.push(await runRound(harness, scenario, path, index, connections, settings));
      }
    }
  } finally {
    await proxy.close({ timeoutMs: 2_000 });
    await bare?.close();
    for (const child of children) child.kill();
  }
  let rollbacks: RollbackSample[] = [];
  if (settings.rollbacks > 0) {
    progress('timing automatic canary rollbacks through the built gantry server');
    rollbacks = await measureRollbackLatency(settings.rollbacks);
  }
  printReport(settings, rounds, rollbacks, loadBefore, loadAverage());
  return rounds.some((round) => round.result.errors > 0) ? 1 : 0;
}

const role = process.env[ROLE_VARIABLE];
if (role === 'backend') {
  void backendChild(Number(process.env.GANTRY_BENCH_PROXY_BODY ?? '256'));
} else if (role === 'load') {
  loadChild();
} else {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`bench:proxy: ${errorMessage(error)}\n`);
      for (const child of children) child.kill();
      process.exit(2);
    },
  );
}
