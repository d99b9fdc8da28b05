import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConfiguredDatabase } from '../../app/open-database.js';
import { queryRows, type DatabaseHandle } from '../../platform/database/database.js';
import { sleep } from '../../shared/sleep.js';
import { freePort } from '../../testing/free-port.js';
import { createConfigRepository, type ConfigRepository } from '../../testing/git-fixture.js';
import {
  buildPromotionCrashWorker,
  promotionCrashWorkerEnv,
  type PromotionCrashWorkerMessage,
  type PromotionCrashWorkerSettings,
} from '../../testing/promotion-crash-worker.js';
import { databaseKinds } from '../../testing/test-backends.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import { waitFor } from '../../testing/wait-for.js';
import { outboxStats } from '../events/outbox.repository.js';
import type { ReleaseDto } from '../releases/releases.dto.js';
import { isTerminal } from './promotion-state-machine.js';
import type { PromotionDto, PromotionPageDto } from './promotions.dto.js';

// Crash recovery of promotions: a real Gantry server applies promotions into a
// git config repository while it is killed with SIGKILL at random moments,
// again and again, and started again on the same database. CI meanwhile keeps
// creating releases through the HTTP API. Whatever the moment of death (with
// git commands under way, between the push and recording it, while the engine
// reacts to events, while the server starts and recovers), every promotion
// must finish exactly once: Succeeded, with exactly one commit carrying its
// Gantry-Promotion trailer. The moments come from a seeded generator: rerun a
// failure with GANTRY_CRASH_SEED set to the seed in the test's name.

const KILLS = 20;
const SEED = Number(process.env.GANTRY_CRASH_SEED) || Math.floor(Math.random() * 2 ** 31);
// On PostgreSQL a killed server's apply claims and relay partitions are taken
// over when their leases run out (on PGlite at once, at start-up).
const APPLY_LEASE_MS = 1_500;
const RELAY_LEASE_MS = 2_000;
const STAGES = ['develop', 'qa', 'staging'] as const;

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

const KUSTOMIZATION = (stage: string) => `# ${stage} overlay, edited by Gantry
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
images:
  - name: ghcr.io/acme/checkout
    newTag: "0.0.0"
`;

const VALUES = `# staging values
replicas: 2
image:
  repository: ghcr.io/acme/checkout
  tag: "0.0.0"
`;

const FILES: Record<(typeof STAGES)[number], string> = {
  develop: 'apps/checkout/overlays/develop/kustomization.yaml',
  qa: 'apps/checkout/overlays/qa/kustomization.yaml',
  staging: 'apps/checkout/values-staging.yaml',
};

// develop and qa both take every release at once (two promotions pushing to one
// branch); staging takes it once it succeeded in both.
function pipeline(repo: string): string {
  return `apiVersion: gantry.dev/v1alpha1
kind: Service
metadata:
  name: checkout
spec:
  team: payments
  image: ghcr.io/acme/checkout
  source: { repo: https://github.com/acme/shop }
  stages:
    - name: develop
      promotion: auto
      target: { type: gitops, repository: ${repo}, path: ${FILES.develop}, format: kustomize }
    - name: qa
      promotion: auto
      requires: []
      target: { type: gitops, repository: ${repo}, path: ${FILES.qa}, format: kustomize }
    - name: staging
      promotion: auto
      requires: [develop, qa]
      target: { type: gitops, repository: ${repo}, path: ${FILES.staging}, format: helm, key: image.tag }
`;
}

type Started = Extract<PromotionCrashWorkerMessage, { phase: 'started' }>;

interface WorkerRun {
  readonly child: ChildProcess;
  /** Resolves when the server listens; rejects if the worker exits first. */
  readonly started: Promise<Started>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The promotions this run holds an apply lease on, as last reported. */
  applying(): readonly string[];
  /** Every promotion this run was seen applying. */
  claimed(): ReadonlySet<string>;
  /** Outbox rows due and not yet relayed, as last reported, and when that report came. */
  backlog(): { rows: number; at: number } | undefined;
  /** Resolves at the next report of a newly claimed apply. */
  nextClaim(): Promise<void>;
  hasExited(): boolean;
  outputTail(): string;
}

function startWorker(path: string, settings: PromotionCrashWorkerSettings): WorkerRun {
  const child = spawn(process.execPath, [path], {
    env: { ...process.env, ...promotionCrashWorkerEnv(settings) },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: string) => {
    output = (output + chunk).slice(-12_000);
  };
  child.stdout!.setEncoding('utf8').on('data', keep);
  child.stderr!.setEncoding('utf8').on('data', keep);
  let applying: string[] = [];
  let backlog: { rows: number; at: number } | undefined;
  const seen = new Set<string>();
  let claimWaiters: Array<() => void> = [];
  let onStarted!: (message: Started) => void;
  const started = new Promise<Started>((resolve) => (onStarted = resolve));
  createInterface({ input: child.stdio[3] as Readable }).on('line', (line) => {
    const message = JSON.parse(line) as PromotionCrashWorkerMessage;
    if ('phase' in message) {
      onStarted(message);
      return;
    }
    const claimed = message.applying.some((id) => !applying.includes(id));
    applying = message.applying;
    if (message.backlog >= 0) backlog = { rows: message.backlog, at: Date.now() };
    for (const id of applying) seen.add(id);
    if (claimed) {
      for (const wake of claimWaiters) wake();
      claimWaiters = [];
    }
  });
  let hasExited = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      hasExited = true;
      resolve({ code, signal });
    }),
  );
  const listening = Promise.race([
    started,
    exited.then(({ code, signal }) => {
      throw new Error(`the worker exited before it started (code ${code}, signal ${signal})`);
    }),
  ]);
  // A run killed while starting never listens: only the runs waited on must start.
  listening.catch(() => undefined);
  return {
    child,
    started: listening,
    exited,
    applying: () => applying,
    claimed: () => seen,
    backlog: () => backlog,
    nextClaim: () => new Promise<void>((resolve) => claimWaiters.push(resolve)),
    hasExited: () => hasExited,
    outputTail: () => output,
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

/** The git commands running under a process at this moment (Linux; empty elsewhere). */
function gitChildren(pid: number | undefined): number {
  const file = `/proc/${pid}/task/${pid}/children`;
  if (pid === undefined || !existsSync(file)) return 0;
  try {
    return readFileSync(file, 'utf8')
      .split(' ')
      .filter(Boolean)
      .filter((child) => {
        try {
          return readFileSync(`/proc/${child}/comm`, 'utf8').trim().startsWith('git');
        } catch {
          return false;
        }
      }).length;
  } catch {
    return 0;
  }
}

/**
 * What a git command killed in the middle of its work leaves in a clone (the
 * whole process tree dies when a container is killed, or the power goes):
 * a fetch its remote-tracking ref's lock, a checkout, add or commit the index
 * lock, a commit its branch's lock. Gantry itself removes a clone by renaming
 * it aside first; a `.git` without HEAD stands for a clone deleted half-way by
 * anything else.
 */
const GIT_LEFTOVERS = [
  { name: '.git/refs/remotes/origin/main.lock', plant: (file: string) => writeFileSync(file, '') },
  { name: '.git/index.lock', plant: (file: string) => writeFileSync(file, '') },
  { name: '.git/refs/heads/main.lock', plant: (file: string) => writeFileSync(file, '') },
  { name: '.git/HEAD', plant: (file: string) => rmSync(file, { force: true }) },
] as const;
/** The kills after which the next leftover is planted (once a clone exists). */
const LEFTOVER_KILLS = new Set([4, 8, 12, 16]);

/** The config-repo clones the gitops driver keeps in a data directory. */
function clonesIn(dataDir: string): string[] {
  const root = join(dataDir, 'work', 'gitops');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((name) => !name.includes('.partial-') && !name.includes('.discard-'))
    .map((name) => join(root, name))
    .filter((dir) => existsSync(join(dir, '.git')));
}

/**
 * A free port below the ephemeral range, which the workers listen on one after
 * another: no outgoing connection of this machine is given it as its own port
 * while no worker holds it.
 */
async function portForRestarts(): Promise<number> {
  let below = 32_768;
  try {
    below = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    // Not Linux: its usual default.
  }
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = 10_000 + Math.floor(Math.random() * Math.max(1, below - 10_000));
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  return freePort();
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/**
 * How a kill is timed:
 * - starting: a random moment after the spawn, possibly before the server listens
 *   (opening the database, migrating, freeing leases, resuming applies);
 * - random:   a random moment after the server listens;
 * - claimed:  just after the apply runner claims a promotion (git under way);
 * - pushed:   just after a push lands in the config repository, before or while
 *   the promotion records it.
 */
type Moment = 'starting' | 'random' | 'claimed' | 'pushed';

function pickMoment(random: () => number): Moment {
  const x = random();
  if (x < 0.15) return 'starting';
  if (x < 0.45) return 'random';
  if (x < 0.75) return 'claimed';
  return 'pushed';
}

describe.each(databaseKinds())('promotion crash recovery on %s', (kind) => {
  let workerPath: string;
  let database: TestDatabase | undefined;
  let dataDir: string;
  let repo: ConfigRepository;
  let settings: PromotionCrashWorkerSettings;

  beforeAll(async () => {
    workerPath = await buildPromotionCrashWorker();
    // The workers have their own pools; this one only checks the result.
    if (kind === 'postgres') database = await createTestDatabase('postgres', 2);
    dataDir = mkdtempSync(join(tmpdir(), 'gantry-promotion-crash-'));
    repo = await createConfigRepository({
      [FILES.develop]: KUSTOMIZATION('develop'),
      [FILES.qa]: KUSTOMIZATION('qa'),
      [FILES.staging]: VALUES,
    });
    settings = {
      database: kind,
      databaseUrl: database?.url,
      dataDir,
      port: await portForRestarts(),
      applyLeaseMs: APPLY_LEASE_MS,
      relayLeaseMs: RELAY_LEASE_MS,
      logLevel: process.env.GANTRY_TEST_LOG_LEVEL,
    };
  });

  afterAll(async () => {
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (repo) rmSync(join(repo.bare, '..'), { recursive: true, force: true });
  });

  /** Opens the database the workers used: PGlite only once no worker holds it. */
  async function withDatabase<T>(work: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
    if (database) return work(database.handle);
    const opened = await openConfiguredDatabase({ url: undefined, poolSize: 1, dataDir });
    try {
      return await work(opened.handle);
    } finally {
      await opened.close();
    }
  }

  it(`applies every promotion exactly once across ${KILLS} SIGKILLs (seed ${SEED})`, async () => {
    const random = seededRandom(SEED);
    const base = `http://127.0.0.1:${settings.port}`;
    const runs: WorkerRun[] = [];
    const moments: Record<Moment, number> = { starting: 0, random: 0, claimed: 0, pushed: 0 };
    let killsWhileApplying = 0;
    let killsWithGit = 0;
    let killsBeforeListening = 0;
    let staleLocks = 0;
    let leftoversDue = 0;
    const planted: string[] = [];
    let ciFailure: Error | undefined;
    const startupMs: number[] = [];
    const began = Date.now();
    let token = '';

    /** One request, sent again while the server is down (a killed server drops connections). */
    async function api<T>(
      method: string,
      path: string,
      body?: unknown,
    ): Promise<{ status: number; body: T }> {
      for (;;) {
        let response: Response;
        try {
          response = await fetch(`${base}${path}`, {
            method,
            headers: {
              authorization: `Bearer ${token}`,
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(30_000),
          });
        } catch {
          await sleep(50);
          continue;
        }
        const text = await response.text().catch(() => undefined);
        if (text === undefined) continue; // the connection died mid-answer
        if (response.status >= 400) {
          throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
        }
        return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
      }
    }

    // Pushes to the config repository, seen as changes of its refs.
    let pushWaiters: Array<() => void> = [];
    const refWatcher = watch(join(repo.bare, 'refs', 'heads'), () => {
      for (const wake of pushWaiters) wake();
      pushWaiters = [];
    });
    const nextPush = () => new Promise<void>((resolve) => pushWaiters.push(resolve));

    // CI: one release at a time, the next once this one runs in every stage, so
    // that each release is promoted exactly once into each stage (a newer release
    // would supersede an older one still waiting, and an auto stage that is busy
    // applying lets a release pass by).
    const released: ReleaseDto[] = [];
    let killing = true;
    const runCi = async () => {
      for (let n = 1; killing; n += 1) {
        const digest = `sha256:${createHash('sha256').update(`${SEED}/${n}`).digest('hex')}`;
        const commit = createHash('sha1').update(`${SEED}/${n}`).digest('hex');
        // Sent again after a crash: the same digest answers with the release it created.
        const { body: release } = await api<ReleaseDto>('POST', '/api/v1/releases', {
          service: 'checkout',
          image: 'ghcr.io/acme/checkout',
          digest,
          commit,
        });
        released.push(release);
        // A promotion that ended otherwise fails the test at once: waiting out the safety net would only hide why.
        let ended: PromotionDto | undefined;
        await waitFor(
          async () => {
            const { body } = await api<PromotionPageDto>(
              'GET',
              `/api/v1/promotions?service=checkout&limit=${2 * STAGES.length}`,
            );
            const mine = body.items.filter((promotion) => promotion.version === release.version);
            ended = mine.find((promotion) => promotion.phase !== 'Succeeded' && isTerminal(promotion.phase));
            return (
              ended ??
              (mine.length === STAGES.length && mine.every((promotion) => promotion.phase === 'Succeeded'))
            );
          },
          // Kills are finite: once they stop, the last run finishes whatever they kept cutting short.
          { timeoutMs: 480_000, intervalMs: 50, what: `release ${release.version} to run in every stage` },
        );
        if (ended) {
          throw new Error(`promotion ${ended.id} into ${ended.stage} ended ${ended.phase}: ${ended.message}`);
        }
      }
    };

    try {
      // The first run creates the database and the admin token, and gets the pipeline.
      const first = startWorker(workerPath, settings);
      runs.push(first);
      const started = await within(first.started, 180_000, 'the first worker to start');
      startupMs.push(started.startupMs.load + started.startupMs.start);
      token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
      const applied = await api<{ items: Array<{ outcome: string }> }>('PUT', '/api/v1/pipelines', {
        fileName: 'gantry.yaml',
        content: pipeline(repo.bare),
      });
      expect(applied.body.items[0]?.outcome).toBe('created');
      const ci = runCi();
      // Awaited at the end, and checked at every kill.
      ci.catch((error: unknown) => (ciFailure = error instanceof Error ? error : new Error(String(error))));

      for (let kill = 1; kill <= KILLS; kill += 1) {
        if (ciFailure) throw ciFailure;
        const run = kill === 1 ? first : startWorker(workerPath, settings);
        if (kill > 1) runs.push(run);
        const moment = kill === 1 ? 'claimed' : pickMoment(random);
        moments[moment] += 1;
        if (moment === 'starting') {
          // Anywhere from module loading to the first seconds of serving.
          await Promise.race([sleep(Math.floor(random() * 5_000)), run.exited]);
          const listening = run.started.then(
            () => true,
            () => true,
          );
          if (!(await Promise.race([listening, sleep(0).then(() => false)]))) {
            killsBeforeListening += 1;
          }
        } else {
          const { startupMs: ms } = await within(run.started, 90_000, `worker ${kill} to start`);
          if (kill > 1) startupMs.push(ms.load + ms.start);
          // Waits for the event, if it comes (CI may be between releases), then a little more.
          const event = moment === 'claimed' ? run.nextClaim() : moment === 'pushed' ? nextPush() : undefined;
          const maxWaitMs = moment === 'random' ? Math.floor(random() * 1_500) : 10_000;
          await Promise.race([event ?? new Promise(() => undefined), sleep(maxWaitMs), run.exited]);
          if (event) await sleep(Math.floor(random() * (moment === 'pushed' ? 25 : 100)));
        }
        if (run.applying().length > 0) killsWhileApplying += 1;
        if (gitChildren(run.child.pid) > 0) killsWithGit += 1;
        run.child.kill('SIGKILL');
        const { code, signal } = await within(run.exited, 30_000, `worker ${kill} to die`);
        // Dying of anything but our SIGKILL (a failed recovery, say) is a failure.
        if (signal !== 'SIGKILL') {
          throw new Error(`worker ${kill} exited by itself (code ${code}, signal ${signal})`);
        }
        if (kind === 'pglite' && existsSync(join(dataDir, 'gantry.lock'))) staleLocks += 1;
        if (LEFTOVER_KILLS.has(kill)) leftoversDue += 1;
        const [clone] = clonesIn(dataDir);
        const leftover = GIT_LEFTOVERS[planted.length];
        // A kill during a re-clone can leave no clone at all; plant only into a whole one.
        if (leftoversDue > 0 && clone && leftover && existsSync(join(clone, '.git', 'HEAD'))) {
          leftover.plant(join(clone, leftover.name));
          planted.push(leftover.name);
          leftoversDue -= 1;
        }
      }

      // The last run is left alone: CI finishes its release, everything settles.
      const last = startWorker(workerPath, settings);
      runs.push(last);
      await within(last.started, 90_000, 'the last worker to start');
      killing = false;
      await within(ci, 480_000, 'CI to see its last release in every stage');
      // A report measured after CI saw its last success (give it time to come).
      const settledFrom = Date.now() + 500;
      await waitFor(
        () => {
          const backlog = last.backlog();
          return backlog !== undefined && backlog.at > settledFrom && backlog.rows === 0;
        },
        { timeoutMs: 120_000, what: 'the outbox to drain' },
      );
      last.child.kill('SIGTERM');
      const { code } = await within(last.exited, 60_000, 'the last worker to stop');
      expect(code).toBe(0);

      const promotions = await withDatabase((handle) =>
        queryRows<{
          id: string;
          stage: string;
          version: string;
          phase: string;
          appliedRevision: string | null;
          failures: number;
          alreadyCommitted: boolean;
        }>(
          handle.db,
          sql`select p.id, p.stage, p.release_version as version, p.phase, p.applied_revision as "appliedRevision",
                     p.apply_attempts as failures,
                     exists (select 1 from promotion_transitions t where t.promotion_id = p.id
                              and t.to_phase = 'Verifying' and t.reason like '%was already committed%')
                       as "alreadyCommitted"
                from promotions p order by p.created_at, p.id`,
        ),
      );
      const claims = runs.reduce((sum, run) => sum + run.claimed().size, 0);
      const failures = promotions.reduce((sum, promotion) => sum + promotion.failures, 0);
      console.log(
        `promotion crash test on ${kind}: seed ${SEED}, ${KILLS} kills (${Object.entries(moments)
          .map(([moment, count]) => `${moment}: ${count}`)
          .join(', ')}; ${killsBeforeListening} before listening, ${killsWhileApplying} while applying, ` +
          `${killsWithGit} with git running), ${released.length} releases, ${promotions.length} promotions ` +
          `(${claims} applies started, ${promotions.filter((p) => p.alreadyCommitted).length} found their commit ` +
          `after a crash, ${failures} failed and retried), ` +
          `${staleLocks} stale locks taken over, git leftovers planted: ${planted.join(', ') || 'none'}, median start-up ${median(startupMs)} ms, ` +
          `${((Date.now() - began) / 1000).toFixed(1)} s in all`,
      );

      expect(killsWhileApplying).toBeGreaterThan(0);
      expect(planted.length).toBeGreaterThan(0);
      if (kind === 'pglite') {
        // Every SIGKILL left the lock behind; the next worker took it over, and the last released it.
        expect(staleLocks).toBe(KILLS);
        expect(existsSync(join(dataDir, 'gantry.lock'))).toBe(false);
      }

      // Every release went into every stage exactly once, and every promotion succeeded.
      const versions = released.map((release) => release.version);
      expect(new Set(versions).size).toBe(released.length);
      for (const stage of STAGES) {
        expect(
          promotions.filter((promotion) => promotion.stage === stage).map((promotion) => promotion.version),
        ).toEqual(versions);
      }
      expect(promotions.filter((promotion) => promotion.phase !== 'Succeeded')).toEqual([]);

      // One commit per promotion, the one it recorded; no commit of anyone else.
      const commits = (await repo.log()).reverse();
      expect(commits[0]!.subject).toBe('seed');
      const byPromotion = new Map<string, string[]>();
      for (const entry of commits.slice(1)) {
        const trailers = await repo.trailers(entry.sha);
        const id = trailers['Gantry-Promotion'] ?? `(no trailer on ${entry.sha})`;
        byPromotion.set(id, [...(byPromotion.get(id) ?? []), entry.sha]);
      }
      const duplicated = [...byPromotion].filter(([, shas]) => shas.length !== 1);
      expect(duplicated).toEqual([]);
      expect(commits).toHaveLength(1 + promotions.length);
      expect(Object.fromEntries([...byPromotion].map(([id, [sha]]) => [id, sha]))).toEqual(
        Object.fromEntries(promotions.map((promotion) => [promotion.id, promotion.appliedRevision])),
      );
      for (const stage of STAGES) {
        const text = await repo.show(FILES[stage]);
        expect(text).toContain(`"${versions.at(-1)}"`);
      }
      await expect(repo.git('fsck', '--strict')).resolves.toBeDefined();

      await withDatabase(async (handle) => {
        // Nothing left to send, nothing that failed for good.
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
        .map((run) => `--- worker run ${runs.indexOf(run) + 1} of ${runs.length} ---\n${run.outputTail()}`);
      console.error(`promotion crash test on ${kind} failed (seed ${SEED}):\n${tails.join('\n')}`);
      throw error;
    } finally {
      killing = false;
      refWatcher.close();
      // Nothing outlives the test, whatever failed.
      for (const run of runs) if (!run.hasExited()) run.child.kill('SIGKILL');
    }
  }, 600_000);
});
