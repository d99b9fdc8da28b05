import { request } from 'node:http';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../testing/wait-for.js';
import { isPidAlive, readProcessStat } from './process-identity.js';
import {
  ReplicaSet,
  ReplicaStartError,
  type AdoptableReplicaSet,
  type ReplicaSetOptions,
  type ReplicaSetSpec,
  type ReplicaState,
} from './replica-set.js';

const HELLO = fileURLToPath(new URL('../../../../../../examples/hello-service/server.mjs', import.meta.url));

// A service that listens on PORT and ignores SIGTERM.
const STUBBORN = `
import { createServer } from 'node:http';
process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');
`;

// Writes its arguments to ARGV_FILE, then serves.
const ECHO_ARGV = `
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
writeFileSync(process.env.ARGV_FILE, JSON.stringify(process.argv.slice(2)));
createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');
`;

// Fails at once, printing a secret it was given (a careless service).
const FAILS_AT_ONCE = `
console.log('loading configuration');
console.error('fatal: cannot reach the database with token ' + process.env.API_TOKEN);
process.exit(1);
`;

// Exits with code 3 at start while CRASH_FILE exists; serves otherwise.
const CRASHES_WHILE_FILE_EXISTS = `
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
if (existsSync(process.env.CRASH_FILE)) {
  console.error('crashing at start');
  process.exit(3);
}
createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');
`;

// Health fails while SICK_FILE exists.
const SICK_WHILE_FILE_EXISTS = `
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
createServer((req, res) => {
  res.statusCode = existsSync(process.env.SICK_FILE) ? 503 : 200;
  res.end();
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

let dir: string;
const sets: ReplicaSet[] = [];
const pids = new Set<number>();

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gantry-supervisor-'));
});

afterEach(async () => {
  await Promise.all(sets.splice(0).map((set) => set.stop()));
  // A safety net: no test leaves a process behind, whatever it asserted.
  for (const pid of pids) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  pids.clear();
  await rm(dir, { recursive: true, force: true });
});

function track(set: ReplicaSet): ReplicaSet {
  sets.push(set);
  set.onChange((states) => states.forEach((state) => state.pid && pids.add(state.pid)));
  return set;
}

function helloSpec(overrides: Partial<ReplicaSetSpec> = {}): ReplicaSetSpec {
  return {
    service: 'hello',
    stage: 'dev',
    version: '2024.05.1',
    role: 'stable',
    command: process.execPath,
    args: [HELLO],
    env: { VERSION: '2024.05.1' },
    replicas: 1,
    healthCheck: { path: '/healthz', intervalMs: 50, timeoutMs: 2_000, healthyAfter: 2 },
    drainTimeoutMs: 10_000,
    logDir: join(dir, 'logs'),
    startTimeoutMs: 30_000,
    ...overrides,
  };
}

async function scriptSpec(source: string, overrides: Partial<ReplicaSetSpec> = {}): Promise<ReplicaSetSpec> {
  const script = join(dir, `script-${Math.random().toString(36).slice(2)}.mjs`);
  await writeFile(script, source);
  return helloSpec({ args: [script], healthCheck: undefined, ...overrides });
}

function get(port: number, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function logOf(index: number): Promise<string> {
  return readFile(join(dir, 'logs', `replica-${index}.log`), 'utf8');
}

async function startFailure(set: ReplicaSet): Promise<ReplicaStartError> {
  const error = await set.start().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ReplicaStartError);
  return error as ReplicaStartError;
}

function pidsOf(set: ReplicaSet): number[] {
  return set.state().map((state) => state.pid!);
}

describe('ReplicaSet', () => {
  it('starts each replica healthy on its own port, and stop() drains them with SIGTERM', async () => {
    const set = track(new ReplicaSet(helloSpec({ replicas: 2 })));
    await set.start();

    const states = set.state();
    expect(states.map((state) => state.status)).toEqual(['healthy', 'healthy']);
    const endpoints = set.endpoints();
    expect(endpoints).toHaveLength(2);
    expect(new Set(endpoints.map((endpoint) => endpoint.port)).size).toBe(2);
    for (const [index, endpoint] of endpoints.entries()) {
      expect(endpoint.host).toBe('127.0.0.1');
      const answer = await get(endpoint.port);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({
        service: 'hello-service',
        version: '2024.05.1',
        pid: states[index]!.pid,
      });
    }

    const running = pidsOf(set);
    await set.stop();
    expect(set.state().map((state) => state.status)).toEqual(['stopped', 'stopped']);
    expect(set.endpoints()).toEqual([]);
    for (const pid of running) expect(isPidAlive(pid)).toBe(false);
    for (const index of [0, 1]) {
      const log = await logOf(index);
      expect(log).toContain(`--- gantry: replica ${index} started (version 2024.05.1) ---`);
      expect(log).toContain('hello-service 2024.05.1 listening');
      expect(log).toContain('hello-service 2024.05.1 draining');
    }
  });

  it('kills a replica that ignores SIGTERM once the drain timeout is over', async () => {
    const set = track(new ReplicaSet(await scriptSpec(STUBBORN, { drainTimeoutMs: 300 })));
    await set.start();
    const [pid] = pidsOf(set);

    await set.stop();
    expect(isPidAlive(pid!)).toBe(false);
    expect(set.state()[0]!.status).toBe('stopped');
    expect(await logOf(0)).toContain('ignoring SIGTERM');
  });

  it('says so when the command is not found', async () => {
    const set = track(new ReplicaSet(helloSpec({ command: 'gantry-no-such-command', replicas: 2 })));
    const error = await startFailure(set);
    expect(error.reason).toBe('not-found');
    expect(error.message).toBe('command "gantry-no-such-command" not found (is it installed and on PATH?)');
    expect(set.state().map((state) => state.status)).toEqual(['stopped', 'stopped']);
  });

  it('says so when the command is not executable', async () => {
    const file = join(dir, 'not-executable.sh');
    await writeFile(file, '#!/bin/sh\necho hi\n');
    await chmod(file, 0o644);
    const error = await startFailure(track(new ReplicaSet(helloSpec({ command: file, args: [] }))));
    expect(error.reason).toBe('not-executable');
    expect(error.message).toContain(`command "${file}" is not executable`);
  });

  it('reports a replica that exits at once with its last log lines, secrets scrubbed', async () => {
    const secret = 'tok-5ecr3t-value-42';
    const logged: string[] = [];
    const logger = pino({ level: 'trace' }, { write: (line: string) => logged.push(line) });
    const spec = await scriptSpec(FAILS_AT_ONCE, { env: { API_TOKEN: secret }, replicas: 2 });
    const set = track(new ReplicaSet(spec, { logger }));

    const error = await startFailure(set);
    expect(error.reason).toBe('exited');
    expect(error.message).toMatch(
      /^replica \d exited with code 1 right after starting; last lines of its log/,
    );
    expect(error.message).toContain('loading configuration');
    expect(error.message).toContain('fatal: cannot reach the database with token ***');
    expect(error.message).not.toContain(secret);
    expect(logged.join('')).not.toContain(secret);
    expect(set.state().map((state) => state.status)).toEqual(['stopped', 'stopped']);
  });

  it('reports a health check that never passes, and stops the replica', async () => {
    const set = track(
      new ReplicaSet(helloSpec({ env: { FAIL_HEALTH: '1' }, startTimeoutMs: 1_500, drainTimeoutMs: 5_000 })),
    );
    const error = await startFailure(set);
    expect(error.reason).toBe('unhealthy');
    expect(error.message).toContain('replica 0 did not pass its health check GET /healthz within 1.5s');
    expect(error.message).toContain('last health check: answered 503 Service Unavailable');
    expect(error.message).toContain('unhealthy (FAIL_HEALTH is set)');
    expect(set.state()[0]!.status).toBe('stopped');
    expect(await logOf(0)).toContain('draining');
  });

  it('reports a replica that never listens on its port', async () => {
    const spec = await scriptSpec('setInterval(() => {}, 1000); console.log("busy doing nothing");', {
      startTimeoutMs: 800,
      drainTimeoutMs: 2_000,
    });
    const error = await startFailure(track(new ReplicaSet(spec)));
    expect(error.reason).toBe('timeout');
    expect(error.message).toMatch(/^replica 0 did not listen on its port \d+ \(given in PORT\) within 800ms/);
    expect(error.message).toContain('connection refused');
    expect(error.message).toContain('busy doing nothing');
  });

  it('passes shell metacharacters in the command and arguments literally', async () => {
    const argvFile = join(dir, 'argv.json');
    const tricky = [
      '; rm -rf /',
      '$(id)',
      'a | b',
      '`id`',
      '&& touch pwned',
      `it's "quoted" > out`,
      '*',
      '$HOME',
    ];
    const spec = await scriptSpec(ECHO_ARGV, { env: { ARGV_FILE: argvFile }, cwd: dir });
    const set = track(new ReplicaSet({ ...spec, args: [...spec.args, ...tricky] }));
    await set.start();
    expect(JSON.parse(await readFile(argvFile, 'utf8'))).toEqual(tricky);
    await set.stop();

    const command = `${process.execPath}; touch ${join(dir, 'pwned')}`;
    const error = await startFailure(track(new ReplicaSet(helloSpec({ command }))));
    expect(error.reason).toBe('not-found');
    expect(error.message).toContain(`command "${command}" not found`);
    await expect(readFile(join(dir, 'pwned'))).rejects.toThrow(/ENOENT/);
  });

  it('restarts a replica that crashes, counting restarts, and leaves it out of the endpoints meanwhile', async () => {
    const set = track(
      new ReplicaSet(helloSpec({ env: { CRASH_AFTER_MS: '1500' } }), {
        restartBackoff: { initialMs: 20, maxMs: 100 },
      }),
    );
    const seen: { states: ReplicaState[]; endpoints: number }[] = [];
    set.onChange((states) => seen.push({ states, endpoints: set.endpoints().length }));
    await set.start();
    const [firstPid] = pidsOf(set);

    const restarted = await waitFor(
      () => {
        const [state] = set.state();
        return state?.restarts && state.status === 'healthy' && state.pid !== firstPid ? state : undefined;
      },
      { what: 'the replica to be restarted and healthy' },
    );
    expect(restarted.port).toBeGreaterThan(0);
    expect((await get(restarted.port)).status).toBe(200);
    const crashed = seen.find(({ states }) => states[0]!.status === 'crashed');
    expect(crashed?.states[0]!.lastError).toBe('exited with code 1');
    expect(crashed?.endpoints).toBe(0);
    expect(await logOf(0)).toContain('--- gantry: replica 0 restarted (exit code 1) ---');
  });

  it('detects a crash loop, keeps retrying, and recovers when the cause is gone', async () => {
    const crashFile = join(dir, 'crash');
    const spec = await scriptSpec(CRASHES_WHILE_FILE_EXISTS, { env: { CRASH_FILE: crashFile } });
    const set = track(new ReplicaSet(spec, { restartBackoff: { initialMs: 10, maxMs: 50 } }));
    await set.start();
    const [pid] = pidsOf(set);

    await writeFile(crashFile, '');
    process.kill(pid!, 'SIGKILL');
    const looping = await waitFor(() => set.state().find((state) => state.status === 'crash-loop'), {
      what: 'a crash loop',
    });
    expect(looping.lastError).toMatch(/^crash loop: exited 5 times in \S+, last with code 3$/);
    expect(set.endpoints()).toEqual([]);
    const log = await logOf(0);
    expect(log).toContain('--- gantry: replica 0 restarted (killed by SIGKILL) ---');
    expect(log).toContain('--- gantry: replica 0 restarted (exit code 3) ---');

    await rm(crashFile);
    const recovered = await waitFor(() => set.state().find((state) => state.status === 'healthy'), {
      what: 'recovery',
    });
    expect(recovered.restarts).toBeGreaterThanOrEqual(5);
    expect(set.endpoints()).toHaveLength(1);
  });
});

describe('ReplicaSet.adopt', () => {
  const options: ReplicaSetOptions = { restartBackoff: { initialMs: 20, maxMs: 100 } };

  /** A set started, its snapshot through JSON (as stored), and the set no longer supervising: a Gantry restart. */
  async function startThenForget(
    spec: ReplicaSetSpec,
  ): Promise<{ snapshot: AdoptableReplicaSet; pids: number[] }> {
    const set = track(new ReplicaSet(spec, options));
    await set.start();
    const snapshot = JSON.parse(JSON.stringify(set.snapshot())) as AdoptableReplicaSet;
    const running = pidsOf(set);
    set.detach();
    return { snapshot, pids: running };
  }

  it('adopts the replicas still running after a restart, and stops them', async () => {
    const spec = helloSpec({ replicas: 2 });
    const { snapshot, pids: running } = await startThenForget(spec);
    expect(snapshot.replicas.map((replica) => replica.pid)).toEqual(running);
    expect(snapshot.replicas[0]!.processStartTime).toBe((await readProcessStat(running[0]!))?.startTime);

    const adopted = await ReplicaSet.adopt(snapshot, spec, options);
    expect(adopted).toBeDefined();
    track(adopted!);
    expect(pidsOf(adopted!)).toEqual(running);
    expect(adopted!.state().map((state) => state.status)).toEqual(['healthy', 'healthy']);
    for (const [index, endpoint] of adopted!.endpoints().entries()) {
      expect(JSON.parse((await get(endpoint.port)).body)).toMatchObject({ pid: running[index] });
    }

    await adopted!.stop();
    for (const pid of running) await waitFor(() => !isPidAlive(pid), { what: `pid ${pid} to exit` });
    expect(adopted!.state().map((state) => state.status)).toEqual(['stopped', 'stopped']);
    expect(await logOf(1)).toContain('draining');
  });

  it('starts an adopted replica anew when it dies', async () => {
    const spec = helloSpec();
    const { snapshot, pids: running } = await startThenForget(spec);
    const adopted = track((await ReplicaSet.adopt(snapshot, spec, options))!);

    process.kill(running[0]!, 'SIGKILL');
    const restarted = await waitFor(
      () =>
        adopted
          .state()
          .find((state) => state.status === 'healthy' && state.pid !== undefined && state.pid !== running[0]),
      { what: 'the replica to be started anew' },
    );
    expect(restarted.restarts).toBe(1);
    expect(await logOf(0)).toContain('--- gantry: replica 0 restarted (exit code unknown) ---');
    expect((await get(restarted.port)).status).toBe(200);
  });

  it('adopts what still runs and starts the replicas that are gone', async () => {
    const spec = helloSpec({ replicas: 2 });
    const { snapshot, pids: running } = await startThenForget(spec);
    process.kill(running[1]!, 'SIGKILL');
    await waitFor(() => !isPidAlive(running[1]!), { what: 'the killed replica to be gone' });

    const adopted = track((await ReplicaSet.adopt(snapshot, spec, options))!);
    expect(adopted.state()[0]).toMatchObject({ pid: running[0], status: 'healthy' });
    const replaced = await waitFor(
      () => adopted.state().find((state) => state.index === 1 && state.status === 'healthy'),
      {
        what: 'the missing replica to be started',
      },
    );
    expect(replaced.pid).not.toBe(running[1]);
  });

  it('adopts nothing when the recorded process is gone', async () => {
    const spec = helloSpec();
    const set = track(new ReplicaSet(spec));
    await set.start();
    const snapshot = set.snapshot();
    await set.stop();
    expect(await ReplicaSet.adopt(snapshot, spec)).toBeUndefined();
  });

  it('leaves alone a process that reuses a recorded pid', async () => {
    const spec = helloSpec();
    const set = track(new ReplicaSet(spec));
    await set.start();
    const snapshot = set.snapshot();
    const [pid] = pidsOf(set);
    // The same pid with another start time: a different process now wears it.
    const reused: AdoptableReplicaSet = {
      ...snapshot,
      replicas: snapshot.replicas.map((replica) => ({ ...replica, processStartTime: '1' })),
    };
    expect(await ReplicaSet.adopt(reused, spec)).toBeUndefined();
    expect(isPidAlive(pid!)).toBe(true);
    expect(set.state()[0]!.status).toBe('healthy');
  });

  it('stops a recorded replica that is ours but unhealthy instead of adopting it', async () => {
    const sickFile = join(dir, 'sick');
    const spec = await scriptSpec(SICK_WHILE_FILE_EXISTS, {
      env: { SICK_FILE: sickFile },
      healthCheck: { path: '/healthz', intervalMs: 50, timeoutMs: 2_000, healthyAfter: 1 },
    });
    const { snapshot, pids: running } = await startThenForget(spec);
    await writeFile(sickFile, '');

    expect(await ReplicaSet.adopt(snapshot, spec)).toBeUndefined();
    await waitFor(() => !isPidAlive(running[0]!), { what: 'the unhealthy replica to be stopped' });
  });

  it('adopts nothing for another version', async () => {
    const spec = helloSpec();
    const { snapshot } = await startThenForget(spec);
    expect(await ReplicaSet.adopt(snapshot, { ...spec, version: '2024.05.2' })).toBeUndefined();
  });
});

describe('examples/hello-service', () => {
  it('answers its version, fails a share of requests by ERROR_RATE, and keeps /healthz healthy', async () => {
    const set = track(
      new ReplicaSet(helloSpec({ env: { VERSION: '2024.06.3', ERROR_RATE: '1', LATENCY_MS: '5' } })),
    );
    await set.start();
    const { port } = set.endpoints()[0]!;

    expect(await get(port, '/version')).toEqual({ status: 200, body: '{"version":"2024.06.3"}' });
    const failed = await get(port, '/orders?id=1');
    expect(failed.status).toBe(500);
    expect(JSON.parse(failed.body)).toMatchObject({ service: 'hello-service', version: '2024.06.3' });
    expect(await get(port, '/healthz')).toEqual({ status: 200, body: 'ok' });
  });
});
