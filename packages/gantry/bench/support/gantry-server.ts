import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from '../../src/testing/free-port.js';
import { sleep } from '../../src/shared/sleep.js';
import { uniqueSuffix } from './backends.js';

// The built `gantry server` (dist/main.js) as a child process, driven over
// HTTP with the admin token it writes on its first start: what CI and the CLI
// meet. Its log goes to a file in its data directory.

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface ApiResponse<T> {
  status: number;
  body: T;
}

export interface GantryServer {
  url: string;
  dataDir: string;
  logFile: string;
  pid: number;
  api<T = unknown>(method: string, route: string, body?: unknown): Promise<ApiResponse<T>>;
  /** The Prometheus metrics, as name{labels} → value. */
  metrics(): Promise<Map<string, number>>;
  /** CPU seconds (user + system) the server process used so far; NaN off Linux. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export interface StartGantryOptions {
  /** PostgreSQL URL; unset: PGlite in the data directory. */
  databaseUrl?: string;
  /** More GANTRY_* settings. */
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

/** Fails with what to do when dist/ is missing (the npm script builds it first). */
export function assertBuilt(): void {
  if (!existsSync(MAIN)) {
    throw new Error(`${MAIN} does not exist: build Gantry first with npm run build`);
  }
}

export async function startGantryServer(options: StartGantryOptions = {}): Promise<GantryServer> {
  assertBuilt();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'gantry-bench-server-'));
  const logFile = path.join(dataDir, 'server.log');
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {};
  // Only the settings given here: the caller's own GANTRY_* variables would change what is measured.
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('GANTRY_')) env[name] = value;
  }
  Object.assign(env, {
    GANTRY_HOST: '127.0.0.1',
    GANTRY_PORT: String(port),
    GANTRY_DATA_DIR: dataDir,
    GANTRY_LOG_FORMAT: 'json',
    ...(options.databaseUrl ? { GANTRY_DATABASE_URL: options.databaseUrl } : {}),
    ...options.env,
  });
  const log = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [MAIN, 'server'], { env, stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      const gaveUp = new AbortController();
      const killed = await Promise.race([
        exit.then(() => false),
        sleep(20_000, gaveUp.signal).then(() => !exited),
      ]);
      gaveUp.abort();
      if (killed) {
        child.kill('SIGKILL');
        await exit;
      }
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    const deadline = Date.now() + (options.startTimeoutMs ?? 90_000);
    for (;;) {
      if (exited) {
        throw new Error(
          `gantry server exited at start (${exited.signal ?? `code ${exited.code}`}):\n${await tail(logFile)}`,
        );
      }
      const ready = await fetch(`${url}/readyz`).then(
        (response) => response.status === 200,
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline)
        throw new Error(`gantry server was not ready in time:\n${await tail(logFile)}`);
      await sleep(100);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const token = (await readFile(path.join(dataDir, 'admin-token'), 'utf8')).trim();
  const pid = child.pid!;

  return {
    url,
    dataDir,
    logFile,
    pid,
    async api<T>(method: string, route: string, body?: unknown): Promise<ApiResponse<T>> {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${url}${route}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
    },
    async metrics() {
      const text = await (await fetch(`${url}/metrics`)).text();
      return parseMetrics(text);
    },
    cpuSeconds: () => processCpuSeconds(pid),
    stop,
  };
}

/** `name{labels} value` lines of the Prometheus text format. */
export function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    if (at > 0) values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return values;
}

/** Sum of every series of a metric whose labels contain all of `labels` (e.g. `outcome="success"`). */
export function metricSum(metrics: Map<string, number>, name: string, ...labels: string[]): number {
  let sum = 0;
  for (const [series, value] of metrics) {
    const brace = series.indexOf('{');
    const metric = brace < 0 ? series : series.slice(0, brace);
    if (metric === name && labels.every((label) => series.includes(label))) sum += value;
  }
  return sum;
}

function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
    return ticks / 100; // USER_HZ is 100 on Linux
  } catch {
    return Number.NaN;
  }
}

async function tail(file: string, lines = 30): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').slice(-lines).join('\n');
}

// ---- a PostgreSQL database of its own --------------------------------------------

export interface ServerDatabase {
  url: string;
  version: string;
  drop(): Promise<void>;
}

/** A new, empty database on the server at `serverUrl` (Gantry migrates it at start). */
export async function createServerDatabase(serverUrl: string): Promise<ServerDatabase> {
  const name = `gantry_bench_${uniqueSuffix()}`;
  const version = await withAdmin(serverUrl, async (admin) => {
    await admin.query(`create database ${name}`);
    const result = await admin.query<{ server_version: string }>('show server_version');
    return result.rows[0]?.server_version ?? 'unknown';
  });
  const parsed = new URL(serverUrl);
  parsed.pathname = `/${name}`;
  return {
    url: parsed.toString(),
    version,
    async drop() {
      await withAdmin(serverUrl, (admin) => admin.query(`drop database if exists ${name} with (force)`));
    },
  };
}

async function withAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'gantry-bench' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
