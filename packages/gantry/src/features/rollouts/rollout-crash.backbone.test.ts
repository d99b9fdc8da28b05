import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../testing/free-port.js';
import { helloServiceTarget } from '../../testing/hello-service.js';
import { databaseKinds } from '../../testing/test-backends.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import { waitFor } from '../../testing/wait-for.js';
import { isPidAlive } from '../local-target/supervisor/process-identity.js';
import type { PromotionDto } from '../promotions/promotions.dto.js';
import type { ReleaseDto } from '../releases/releases.dto.js';

// A Gantry server killed with SIGKILL in the middle of a canary, as a
// container or a machine dies: the replicas it started keep running (their
// own process groups), the stage's proxy dies with it. Started again on the
// same database, it adopts the replicas it finds alive, starts the ones that
// are gone, routes exactly as stored, and carries the rollout on from its
// stored step to the end.

const ROOT = resolve(import.meta.dirname, '../../../../..');
const SERVER = join(ROOT, 'packages/gantry/dist/main.js');

function pipeline(port: number, behaviourDir: string): string {
  return `apiVersion: gantry.dev/v1alpha1
kind: Service
metadata: { name: shop }
spec:
  team: web
  image: ghcr.io/acme/shop
  source: { repo: https://github.com/acme/shop }
  stages:
    - name: prod
      promotion: auto
      target: ${helloServiceTarget({ port, behaviourDir })}
      strategy:
        type: canary
        steps:
          - setWeight: 40
          - pause: { duration: 4s }
          - setWeight: 70
`;
}

interface Server {
  child: ChildProcess;
  url: string;
  exited: Promise<void>;
  output(): string;
}

describe.each(databaseKinds())('a rollout survives a server crash on %s', (kind) => {
  let database: TestDatabase | undefined;
  let dataDir: string;
  let behaviourDir: string;
  let apiPort: number;
  let stagePort: number;
  let server: Server | undefined;
  let token: string;

  beforeAll(async () => {
    if (kind === 'postgres') database = await createTestDatabase('postgres', 2);
    dataDir = mkdtempSync(join(tmpdir(), 'gantry-rollout-crash-'));
    behaviourDir = mkdtempSync(join(tmpdir(), 'gantry-rollout-crash-builds-'));
    apiPort = await freePort();
    stagePort = await freePort();
  });

  afterAll(async () => {
    if (server) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(behaviourDir, { recursive: true, force: true });
  });

  async function start(): Promise<Server> {
    const child = spawn(process.execPath, [SERVER, 'server'], {
      env: {
        ...process.env,
        GANTRY_PORT: String(apiPort),
        GANTRY_DATA_DIR: dataDir,
        GANTRY_LOG_LEVEL: process.env.GANTRY_TEST_LOG_LEVEL ?? 'warn',
        GANTRY_RELAY_POLL_INTERVAL: '100ms',
        ...(database?.url ? { GANTRY_DATABASE_URL: database.url } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout
      .setEncoding('utf8')
      .on('data', (chunk: string) => (output = (output + chunk).slice(-20_000)));
    child.stderr
      .setEncoding('utf8')
      .on('data', (chunk: string) => (output = (output + chunk).slice(-20_000)));
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const url = `http://127.0.0.1:${apiPort}`;
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`the server exited: ${output}`);
        const response = await fetch(`${url}/readyz`).catch(() => undefined);
        return response?.ok;
      },
      { what: 'the server to be ready', timeoutMs: 60_000 },
    );
    token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    return { child, url, exited, output: () => output };
  }

  async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${server!.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async function release(): Promise<ReleaseDto & { behave(behaviour: object): void }> {
    const commit = randomBytes(20).toString('hex');
    const behave = (behaviour: object) =>
      writeFileSync(join(behaviourDir, `${commit}.json`), JSON.stringify(behaviour));
    behave({});
    const response = await api<ReleaseDto>('POST', '/api/v1/releases', {
      service: 'shop',
      image: 'ghcr.io/acme/shop',
      digest: `sha256:${randomBytes(32).toString('hex')}`,
      commit,
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return { ...response.body, behave };
  }

  async function finished(version: string): Promise<PromotionDto> {
    return waitFor(
      async () => {
        const promotion = await promotionOf(version);
        return ['Succeeded', 'Failed', 'RolledBack', 'Aborted'].includes(promotion.phase)
          ? promotion
          : undefined;
      },
      { what: `the promotion of ${version} to finish after the restart`, timeoutMs: 90_000 },
    );
  }

  async function pausedAt40(version: string): Promise<PromotionDto> {
    return waitFor(
      async () => {
        const promotion = await promotionOf(version);
        return promotion.rollout?.weight === 40 && promotion.rollout.pausedUntil ? promotion : undefined;
      },
      { what: 'the canary to take 40%' },
    );
  }

  async function promotionOf(version: string): Promise<PromotionDto> {
    const listed = await waitFor(
      async () =>
        (
          await api<{ items: PromotionDto[] }>('GET', '/api/v1/promotions?service=shop&stage=prod')
        ).body.items.find((item) => item.version === version),
      { what: `the promotion of ${version}` },
    );
    return (await api<PromotionDto>('GET', `/api/v1/promotions/${listed.id}`)).body;
  }

  async function versionServed(): Promise<string> {
    const response = await fetch(`http://127.0.0.1:${stagePort}/version`);
    return ((await response.json()) as { version: string }).version;
  }

  /** The pids of a version's replicas, from the processes' own answers. */
  async function pidsServing(version: string): Promise<Set<number>> {
    const pids = new Set<number>();
    for (let index = 0; index < 60; index++) {
      const response = await fetch(`http://127.0.0.1:${stagePort}/`, {
        headers: { 'x-gantry-canary': version === 'canary' ? 'always' : 'never' },
      });
      pids.add(((await response.json()) as { pid: number }).pid);
    }
    return pids;
  }

  it('adopts the replicas after SIGKILL and finishes the canary from its stored step', async () => {
    server = await start();
    const applied = await api('PUT', '/api/v1/pipelines', {
      fileName: 'gantry.yaml',
      content: pipeline(stagePort, behaviourDir),
    });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);

    const stable = await release();
    await waitFor(async () => (await promotionOf(stable.version)).phase === 'Succeeded', {
      what: 'the first release to run',
    });
    const canary = await release();
    // Wait until the canary holds 40% and pauses: the moment to pull the plug.
    const during = await pausedAt40(canary.version);
    const canaryPids = await pidsServing('canary');
    const stablePids = await pidsServing('stable');
    expect(canaryPids.size).toBe(2);

    server.child.kill('SIGKILL');
    await server.exited;
    // The replicas outlive the server; one stable replica dies meanwhile.
    for (const pid of [...canaryPids, ...stablePids]) expect(isPidAlive(pid)).toBe(true);
    const [lost] = [...stablePids];
    process.kill(lost!, 'SIGKILL');

    server = await start();
    const done = await waitFor(
      async () => {
        const promotion = await promotionOf(canary.version);
        return ['Succeeded', 'Failed', 'RolledBack', 'Aborted'].includes(promotion.phase)
          ? promotion
          : undefined;
      },
      { what: 'the canary to finish after the restart', timeoutMs: 90_000 },
    );
    expect(done.phase, `${done.message}\n${server.output()}`).toBe('Succeeded');
    expect(done.id).toBe(during.id);
    // The canary replicas are the same processes: adopted, not started again.
    expect(await pidsServing('stable')).toEqual(canaryPids);
    expect(await versionServed()).toBe(canary.version);
    // The old stable version was drained and stopped, including the replica started in place of the lost one.
    for (const pid of stablePids) {
      await waitFor(() => !isPidAlive(pid), { what: `old replica ${pid} to stop` });
    }
  });

  it('rolls back to stable when the canary cannot be brought back after a crash', async () => {
    const stableVersion = await versionServed();
    const canary = await release();
    await pausedAt40(canary.version);
    const canaryPids = await pidsServing('canary');

    server!.child.kill('SIGKILL');
    await server!.exited;
    // While the server is down, the canary dies, and its build now crashes at start.
    for (const pid of canaryPids) process.kill(pid, 'SIGKILL');
    canary.behave({ crashAfterMs: 0 });

    server = await start();
    const done = await finished(canary.version);
    expect(done.phase, `${done.message}\n${server.output()}`).toBe('RolledBack');
    expect(done.message).toContain('not running any more');
    for (let index = 0; index < 20; index++) expect(await versionServed()).toBe(stableVersion);
  });
});
