import { execFile } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { GitRunner } from '../../src/features/targets/gitops/git.js';
import { createConfigRepository, type ConfigRepository } from '../../src/testing/git-fixture.js';

// The config repository side of the promotion benchmark: a bare repository
// on local disk (as Argo CD or Flux would watch), a watcher that notices the
// moment its branch moves, and the two git baselines measured against it.

const run = promisify(execFile);
const BRANCH = 'main';
const IDENTITY = ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com'];

export const OVERLAY_PATH = 'apps/checkout/overlays/develop/kustomization.yaml';
const BASELINE_FILE = 'bench/baseline.txt';
const REPLAY_FILE = 'bench/driver-replay.txt';

const KUSTOMIZATION = `# develop overlay, edited by Gantry
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
images:
  - name: ghcr.io/acme/checkout
    newTag: "0.0.0" # replaced on promotion
`;

export interface BenchConfigRepository extends ConfigRepository {
  root: string;
  branch: string;
  remove(): Promise<void>;
}

export async function createBenchConfigRepository(): Promise<BenchConfigRepository> {
  const repository = await createConfigRepository(
    { [OVERLAY_PATH]: KUSTOMIZATION, [BASELINE_FILE]: '0\n', [REPLAY_FILE]: '0\n' },
    BRANCH,
  );
  const root = path.dirname(repository.bare);
  return {
    ...repository,
    root,
    branch: BRANCH,
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/** A commit's message trailers (`Key: value` lines of its last paragraph). */
export async function trailersOf(bare: string, sha: string): Promise<Record<string, string>> {
  const { stdout } = await run('git', ['-C', bare, 'log', '-1', '--format=%(trailers:only,unfold)', sha]);
  const result: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const at = line.indexOf(':');
    if (at > 0) result[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return result;
}

// ---- watching the branch ---------------------------------------------------------

export interface RefChange {
  sha: string;
  /** performance.now() when the change was noticed. */
  at: number;
  /** Noticed by the fallback poll rather than the file-system event (less exact). */
  byPoll: boolean;
}

/**
 * Notices the moment the branch of a bare repository moves. git updates a
 * loose ref by writing `<ref>.lock` and renaming it over the ref, so an
 * inotify watch on refs/heads fires at the update; a poll every
 * `pollMs` catches anything the watch might miss (and says so).
 */
export class RefWatcher {
  private readonly refFile: string;
  private readonly packedRefs: string;
  private watcher: FSWatcher | undefined;
  private poller: NodeJS.Timeout | undefined;
  private current = '';
  private waiters: Array<{ from: string; resolve: (change: RefChange) => void }> = [];
  private reading: Promise<void> | undefined;
  private again: { at: number; byPoll: boolean } | undefined;

  constructor(
    private readonly bare: string,
    private readonly branch: string,
    private readonly pollMs = 25,
  ) {
    this.refFile = path.join(bare, 'refs', 'heads', branch);
    this.packedRefs = path.join(bare, 'packed-refs');
  }

  async start(): Promise<void> {
    this.current = await this.read();
    this.watcher = watch(path.dirname(this.refFile), () => this.check(performance.now(), false));
    this.poller = setInterval(() => this.check(performance.now(), true), this.pollMs);
  }

  stop(): void {
    this.watcher?.close();
    if (this.poller) clearInterval(this.poller);
  }

  /** The branch head as last seen. */
  get head(): string {
    return this.current;
  }

  /** Resolves at the first change of the branch away from `from`. */
  next(from: string, timeoutMs: number): Promise<RefChange> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter.resolve !== done);
        reject(new Error(`${this.branch} of ${this.bare} did not move within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const done = (change: RefChange) => {
        clearTimeout(timer);
        resolve(change);
      };
      this.waiters.push({ from, resolve: done });
      this.check(performance.now(), true);
    });
  }

  private check(at: number, byPoll: boolean): void {
    if (this.reading) {
      // A read is running: look once more after it, with the earliest time seen.
      this.again = this.again ?? { at, byPoll };
      return;
    }
    this.reading = this.read()
      .then((sha) => {
        this.current = sha;
        const ready = this.waiters.filter((waiter) => waiter.from !== sha);
        this.waiters = this.waiters.filter((waiter) => waiter.from === sha);
        for (const waiter of ready) waiter.resolve({ sha, at, byPoll });
      })
      .catch(() => undefined)
      .finally(() => {
        this.reading = undefined;
        const again = this.again;
        this.again = undefined;
        if (again) this.check(again.at, again.byPoll);
      });
  }

  private async read(): Promise<string> {
    try {
      const text = (await readFile(this.refFile, 'utf8')).trim();
      if (/^[0-9a-f]{40}$/.test(text)) return text;
    } catch {
      // Not a loose ref (packed by gc, or between lock and rename): look in packed-refs.
    }
    const packed = await readFile(this.packedRefs, 'utf8').catch(() => '');
    const line = packed.split('\n').find((entry) => entry.endsWith(` refs/heads/${this.branch}`));
    return line?.slice(0, 40) ?? this.current;
  }
}

// ---- baselines -------------------------------------------------------------------

/** A working clone of the bench repository, with the git CLI. */
export class BaselineClone {
  private counter = 0;

  private constructor(
    readonly dir: string,
    private readonly branch: string,
  ) {}

  static async create(repository: BenchConfigRepository, name: string): Promise<BaselineClone> {
    const parent = await mkdtemp(path.join(os.tmpdir(), `gantry-bench-${name}-`));
    const dir = path.join(parent, 'clone');
    await run('git', [
      'clone',
      '--quiet',
      '--no-tags',
      '--single-branch',
      '--branch',
      repository.branch,
      repository.bare,
      dir,
    ]);
    return new BaselineClone(dir, repository.branch);
  }

  /**
   * The least any GitOps writer pays per change: fetch the branch, put the
   * work tree on its head, write one file, commit, push. Four git processes.
   */
  async rawCycle(): Promise<void> {
    const git = (...args: string[]) => run('git', ['-C', this.dir, ...IDENTITY, ...args]);
    await git('fetch', '--quiet', 'origin', this.branch);
    await git('reset', '--quiet', '--hard', 'FETCH_HEAD');
    await writeFile(path.join(this.dir, BASELINE_FILE), `${++this.counter}\n`);
    await git('commit', '--quiet', '--all', '-m', `baseline ${this.counter}`);
    await git('push', '--quiet', 'origin', `HEAD:refs/heads/${this.branch}`);
  }

  /**
   * The gitops driver's own git commands for one promotion, in its order and
   * with its runner (same options and environment), without Gantry around
   * them: fetch, checkout, clean, look for the promotion's trailer, add,
   * commit, push, rev-parse. Eight git processes.
   */
  async driverSequence(runner: GitRunner): Promise<void> {
    const cwd = this.dir;
    const remoteRef = `refs/remotes/origin/${this.branch}`;
    const id = `bench-${Date.now()}-${++this.counter}`;
    await runner.run(
      ['fetch', '--quiet', '--no-tags', '--prune', 'origin', `+refs/heads/${this.branch}:${remoteRef}`],
      { cwd },
    );
    await runner.run(['checkout', '--quiet', '--force', '-B', this.branch, remoteRef, '--'], { cwd });
    await runner.run(['clean', '-ffdxq'], { cwd });
    await runner.run(
      [
        'log',
        '--fixed-strings',
        `--grep=Gantry-Promotion: ${id}`,
        '--format=%H%x00%(trailers:key=Gantry-Promotion,valueonly)%x1e',
        remoteRef,
        '--',
      ],
      { cwd },
    );
    await writeFile(path.join(cwd, REPLAY_FILE), `${id}\n`);
    await runner.run(['add', '--', REPLAY_FILE], { cwd });
    await runner.run(
      [
        'commit',
        '--no-verify',
        '--quiet',
        '-m',
        `bench(replay): ${this.counter}`,
        '-m',
        'The gitops driver commands, replayed.',
        '-m',
        `Gantry-Bench-Replay: ${id}`,
      ],
      { cwd },
    );
    await runner.run(['push', '--porcelain', 'origin', `HEAD:refs/heads/${this.branch}`], { cwd });
    await runner.run(['rev-parse', '--verify', 'HEAD'], { cwd });
  }

  async remove(): Promise<void> {
    await rm(path.dirname(this.dir), { recursive: true, force: true });
  }
}

/** The gitops driver's runner, configured as the driver configures it for a local repository. */
export function driverRunner(): GitRunner {
  return new GitRunner();
}
