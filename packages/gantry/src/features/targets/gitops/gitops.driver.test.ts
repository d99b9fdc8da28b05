import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TargetApplyError, type ApplyRequest, type GitopsTarget } from '../target-driver.js';
import { GitopsDriver, type GitopsWork, type PushOutcome } from './gitops.driver.js';

const run = promisify(execFile);
const DIGEST = `sha256:${'b'.repeat(64)}`;
const OLD_DIGEST = `sha256:${'0'.repeat(64)}`;
const IDENTITY = ['-c', 'user.name=Someone Else', '-c', 'user.email=someone@example.com'];

async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', [...IDENTITY, ...args], { cwd, env: { ...process.env, LC_ALL: 'C' } });
  return stdout;
}

const KUSTOMIZATION = (image: string) => `# Managed by hand and by Gantry.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- deployment.yaml   # the app

images:
- name: ${image}  # pinned per release
  newTag: "2024.05.1"
  digest: ${OLD_DIGEST}
`;

const VALUES = `# Helm values for prod.
image:
  repository: ghcr.io/acme/api
  tag: 2024.05.1   # set by Gantry
  digest: ""
replicas: 3
`;

let base: string;
let counter = 0;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'gantry-gitops-'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

interface Fixture {
  /** The bare config repository. */
  bare: string;
  /** A directory outside the repository that symlinks in it point to. */
  outside: string;
  dir: string;
}

/** A bare repository seeded with kustomizations, a values file and symlinks that leave it. */
async function configRepository(): Promise<Fixture> {
  const dir = join(base, `case-${++counter}`);
  const bare = join(dir, 'config.git');
  const seed = join(dir, 'seed');
  const outside = join(dir, 'outside');
  await mkdir(outside, { recursive: true });
  await writeFile(join(outside, 'values.yaml'), VALUES);
  await git(dir, 'init', '--quiet', '--bare', '-b', 'main', bare);
  await git(dir, 'clone', '--quiet', bare, seed);
  await mkdir(join(seed, 'apps', 'api'), { recursive: true });
  await mkdir(join(seed, 'apps', 'worker'), { recursive: true });
  await mkdir(join(seed, 'charts', 'api'), { recursive: true });
  await writeFile(join(seed, 'apps', 'api', 'kustomization.yaml'), KUSTOMIZATION('ghcr.io/acme/api'));
  await writeFile(join(seed, 'apps', 'worker', 'kustomization.yaml'), KUSTOMIZATION('ghcr.io/acme/worker'));
  await writeFile(join(seed, 'charts', 'api', 'values-prod.yaml'), VALUES);
  await symlink(join(outside, 'values.yaml'), join(seed, 'escape.yaml'));
  await symlink(outside, join(seed, 'linked'));
  await git(seed, 'add', '-A');
  await git(seed, 'commit', '--quiet', '-m', 'seed');
  await git(seed, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main');
  return { bare, outside, dir };
}

function request(
  target: Partial<GitopsTarget> & Pick<GitopsTarget, 'repository'>,
  overrides: Partial<ApplyRequest> = {},
): ApplyRequest {
  return {
    promotionId: `0190a3b4-0000-7000-8000-${String(++counter).padStart(12, '0')}`,
    service: 'api',
    stage: 'prod',
    release: { version: '2024.05.3', image: 'ghcr.io/acme/api', digest: DIGEST, commit: 'c0ffee1234567890' },
    isRollback: false,
    ...overrides,
    target: {
      type: 'gitops',
      branch: 'main',
      path: 'apps/api/kustomization.yaml',
      format: 'kustomize',
      ...target,
    },
  };
}

function driver(options: Partial<ConstructorParameters<typeof GitopsDriver>[0]> = {}): GitopsDriver {
  return new GitopsDriver({
    workRoot: join(base, `work-${++counter}`),
    pushRetryDelayMs: { initial: 5, max: 50 },
    ...options,
  });
}

async function commitCount(bare: string): Promise<number> {
  return Number((await git(bare, 'rev-list', '--count', 'main')).trim());
}

async function expectFsckClean(bare: string): Promise<void> {
  const { stdout, stderr } = await run('git', ['fsck', '--strict', '--no-progress'], { cwd: bare });
  expect(`${stdout}${stderr}`).not.toMatch(/error|missing|broken|corrupt/i);
}

async function failure(promise: Promise<unknown>): Promise<TargetApplyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TargetApplyError);
  return error as TargetApplyError;
}

describe('gitops driver', () => {
  it("creates a pull request's overlay directory from the template, edits it, and removes it when the preview closes", async () => {
    const { bare } = await configRepository();
    const gitops = driver();
    const preview = {
      repository: bare,
      path: 'apps/pr-7/kustomization.yaml',
      previewDirectory: 'apps/pr-7',
      previewTemplate: 'apps/api',
    };
    const first = await gitops.apply(request(preview, { stage: 'pr-7' }));
    expect(first.summary).toContain('in apps/pr-7 created from apps/api');
    expect(await git(bare, 'show', 'main:apps/pr-7/kustomization.yaml')).toContain(`digest: ${DIGEST}`);
    // The template itself is untouched, and the commit holds the whole new directory.
    expect(await git(bare, 'show', 'main:apps/api/kustomization.yaml')).toBe(
      KUSTOMIZATION('ghcr.io/acme/api'),
    );
    expect((await git(bare, 'show', '--name-status', '--format=', 'main')).trim()).toBe(
      'A\tapps/pr-7/kustomization.yaml',
    );

    // The next release of the pull request edits the directory that is there now.
    const next = `sha256:${'c'.repeat(64)}`;
    await gitops.apply(
      request(preview, {
        stage: 'pr-7',
        release: { version: '2024.05.4', image: 'ghcr.io/acme/api', digest: next, commit: 'c0ffee2' },
      }),
    );
    expect((await git(bare, 'show', '--name-status', '--format=', 'main')).trim()).toBe(
      'M\tapps/pr-7/kustomization.yaml',
    );

    const target: GitopsTarget = { type: 'gitops', branch: 'main', format: 'kustomize', ...preview };
    const before = await commitCount(bare);
    expect(await gitops.removeStage({ service: 'api', stage: 'pr-7', target })).toContain(
      'removed apps/pr-7',
    );
    expect(await commitCount(bare)).toBe(before + 1);
    expect((await git(bare, 'log', '-1', '--format=%s', 'main')).trim()).toBe('preview(api): remove pr-7');
    expect(await git(bare, 'ls-tree', '-r', '--name-only', 'main', 'apps')).not.toContain('pr-7');
    // Removing it again finds nothing to do, and commits nothing.
    expect(await gitops.removeStage({ service: 'api', stage: 'pr-7', target })).toContain(
      'nothing to remove',
    );
    expect(await commitCount(bare)).toBe(before + 1);
    await expectFsckClean(bare);
  });

  it('refuses a preview whose template directory does not exist', async () => {
    const { bare } = await configRepository();
    const error = await failure(
      driver().apply(
        request(
          {
            repository: bare,
            path: 'apps/pr-8/kustomization.yaml',
            previewDirectory: 'apps/pr-8',
            previewTemplate: 'apps/missing',
          },
          { stage: 'pr-8' },
        ),
      ),
    );
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(
      'the preview template apps/missing: apps/missing does not exist in the repository',
    );
  });

  it('commits the edit with a subject, a body and trailers, and pushes it', async () => {
    const { bare } = await configRepository();
    const promotion = request({ repository: bare });
    const result = await driver().apply(promotion);

    expect(result.alreadyApplied).toBe(false);
    expect(result.revision).toBe((await git(bare, 'rev-parse', 'main')).trim());
    expect(result.summary).toContain('apps/api/kustomization.yaml pins ghcr.io/acme/api to 2024.05.3');

    expect((await git(bare, 'log', '-1', '--format=%s', 'main')).trim()).toBe(
      'promote(api): prod → 2024.05.3',
    );
    expect((await git(bare, 'log', '-1', '--format=%an <%ae>|%cn <%ce>', 'main')).trim()).toBe(
      'Gantry <gantry@localhost>|Gantry <gantry@localhost>',
    );
    const message = await git(bare, 'log', '-1', '--format=%B', 'main');
    expect(message).toContain('\n\nPromotes release 2024.05.3 of api into prod.\n');
    expect(message).toContain(`Image: ghcr.io/acme/api@${DIGEST}`);
    expect(message).toContain('Source commit: c0ffee1234567890');
    const trailers = await interpretTrailers(message);
    expect(trailers).toBe(
      `Gantry-Promotion: ${promotion.promotionId}\nGantry-Release: 2024.05.3\nGantry-Digest: ${DIGEST}\n`,
    );

    // Only the pinned values changed; the rest of the file is byte for byte the same.
    expect(await git(bare, 'show', 'main:apps/api/kustomization.yaml')).toBe(
      KUSTOMIZATION('ghcr.io/acme/api')
        .replace('newTag: "2024.05.1"', 'newTag: "2024.05.3"')
        .replace(OLD_DIGEST, DIGEST),
    );
    expect(await git(bare, 'diff', '--stat', 'main~1', 'main')).toContain(
      '1 file changed, 2 insertions(+), 2 deletions(-)',
    );
    await expectFsckClean(bare);
  });

  it('edits a Helm values file and words a rollback as one', async () => {
    const { bare } = await configRepository();
    await driver().apply(
      request(
        { repository: bare, format: 'helm', path: 'charts/api/values-prod.yaml' },
        {
          isRollback: true,
          release: { version: '2024.04.9', image: 'ghcr.io/acme/api:x', digest: DIGEST, commit: 'abc' },
        },
      ),
    );
    expect((await git(bare, 'log', '-1', '--format=%s', 'main')).trim()).toBe(
      'rollback(api): prod → 2024.04.9',
    );
    expect(await git(bare, 'log', '-1', '--format=%b', 'main')).toContain(
      'Rolls api in prod back to release 2024.04.9.',
    );
    expect(await git(bare, 'show', 'main:charts/api/values-prod.yaml')).toBe(
      VALUES.replace('tag: 2024.05.1', 'tag: 2024.04.9').replace('digest: ""', `digest: "${DIGEST}"`),
    );
  });

  it('never commits one promotion twice, also from a fresh clone after a restart', async () => {
    const { bare } = await configRepository();
    const promotion = request({ repository: bare });
    const gantry = driver();
    const first = await gantry.apply(promotion);
    const count = await commitCount(bare);

    const again = await gantry.apply(promotion);
    expect(again).toMatchObject({ revision: first.revision, alreadyApplied: true });
    expect(again.summary).toContain(`promotion ${promotion.promotionId} was already committed`);

    // Another commit lands on top; the promotion is still found in the history.
    await driver().apply(request({ repository: bare, path: 'apps/worker/kustomization.yaml' }));
    const restarted = await driver().apply(promotion);
    expect(restarted).toMatchObject({ revision: first.revision, alreadyApplied: true });
    expect(await commitCount(bare)).toBe(count + 1);
  });

  it('makes no commit when the file already pins the release', async () => {
    const { bare } = await configRepository();
    const gantry = driver();
    const first = await gantry.apply(request({ repository: bare }));
    const second = await gantry.apply(request({ repository: bare }, { stage: 'prod' }));
    expect(second.alreadyApplied).toBe(false);
    expect(second.revision).toBe(first.revision);
    expect(second.summary).toContain('already pins ghcr.io/acme/api to 2024.05.3');
    expect((await git(bare, 'rev-parse', 'main')).trim()).toBe(first.revision);
  });

  it('lands concurrent promotions from two replicas with separate clones', async () => {
    const { bare } = await configRepository();
    const replicaA = driver({ maxPushAttempts: 20 });
    const replicaB = driver({ maxPushAttempts: 20 });
    const ids: string[] = [];
    for (let round = 1; round <= 5; round++) {
      const version = `2024.06.${round}`;
      const api = request({ repository: bare }, { release: release(version, 'ghcr.io/acme/api') });
      const worker = request(
        { repository: bare, path: 'apps/worker/kustomization.yaml' },
        { service: 'worker', release: release(version, 'ghcr.io/acme/worker') },
      );
      ids.push(api.promotionId, worker.promotionId);
      const [a, b] = await Promise.all([replicaA.apply(api), replicaB.apply(worker)]);
      expect(a.alreadyApplied || b.alreadyApplied).toBe(false);
      expect(await git(bare, 'show', 'main:apps/api/kustomization.yaml')).toContain(`newTag: "${version}"`);
      expect(await git(bare, 'show', 'main:apps/worker/kustomization.yaml')).toContain(
        `newTag: "${version}"`,
      );
    }
    const history = await git(bare, 'log', '--format=%(trailers:key=Gantry-Promotion,valueonly)', 'main');
    for (const id of ids) expect(history).toContain(id);
    expect(await commitCount(bare)).toBe(1 + ids.length);
    // Linear history: every commit was rebased, none merged.
    expect((await git(bare, 'rev-list', '--merges', 'main')).trim()).toBe('');
    await expectFsckClean(bare);
  });

  it('serialises promotions on one clone within the process', async () => {
    const { bare } = await configRepository();
    const gantry = driver();
    const results = await Promise.all([
      gantry.apply(request({ repository: bare })),
      gantry.apply(
        request({ repository: bare, path: 'apps/worker/kustomization.yaml' }, { service: 'worker' }),
      ),
      gantry.apply(request({ repository: bare, format: 'helm', path: 'charts/api/values-prod.yaml' })),
    ]);
    expect(results.every((result) => !result.alreadyApplied)).toBe(true);
    expect(await commitCount(bare)).toBe(4);
  });

  it('re-applies the edit on the new head when a push loses a race', async () => {
    const { bare, dir } = await configRepository();
    const racing = new RacingDriver(bare, join(dir, 'other'), 1, {
      workRoot: join(dir, 'work'),
      pushRetryDelayMs: { initial: 5, max: 5 },
    });
    const promotion = request({ repository: bare });
    const result = await racing.apply(promotion);

    expect(racing.pushes).toBe(2);
    expect(result.revision).toBe((await git(bare, 'rev-parse', 'main')).trim());
    expect((await git(bare, 'log', '-1', '--format=%s', 'main~1')).trim()).toBe('someone else');
    const api = await git(bare, 'show', 'main:apps/api/kustomization.yaml');
    expect(api).toContain('# edited by someone else');
    expect(api).toContain('newTag: "2024.05.3"');
    expect(await commitCount(bare)).toBe(3);
  });

  it('gives up after maxPushAttempts lost races, as retryable', async () => {
    const { bare, dir } = await configRepository();
    const racing = new RacingDriver(bare, join(dir, 'other'), Infinity, {
      workRoot: join(dir, 'work'),
      maxPushAttempts: 3,
      pushRetryDelayMs: { initial: 5, max: 5 },
    });
    const error = await failure(racing.apply(request({ repository: bare })));
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('the push was rejected 3 times');
    expect(racing.pushes).toBe(3);
    expect(await git(bare, 'log', '--format=%s', 'main')).not.toContain('promote(');
  });

  it('refuses paths that leave the repository, missing files and keys, as not retryable', async () => {
    const { bare, outside } = await configRepository();
    const gantry = driver();
    const count = await commitCount(bare);
    const cases: [Partial<GitopsTarget>, string][] = [
      [{ path: 'apps/../../outside/values.yaml' }, 'has a ".." segment'],
      [{ path: '/etc/passwd' }, 'is absolute'],
      [{ path: 'escape.yaml', format: 'helm' }, 'escape.yaml leads outside the repository through a symlink'],
      [
        { path: 'linked/values.yaml', format: 'helm' },
        'linked/values.yaml leads outside the repository through a symlink',
      ],
      [{ path: 'apps/api/missing.yaml' }, 'apps/api/missing.yaml does not exist in the repository'],
      [
        { path: 'charts/api/values-prod.yaml', format: 'helm', key: 'image.tagg' },
        'key "image.tagg" not found',
      ],
      [{ branch: 'no-such-branch' }, 'the branch no-such-branch does not exist in the repository'],
      [{ branch: '--upload-pack=x' }, 'is not a valid branch name'],
    ];
    for (const [target, message] of cases) {
      const error = await failure(gantry.apply(request({ repository: bare, ...target })));
      expect(error.retryable, message).toBe(false);
      expect(error.message).toContain(message);
      expect(error.message).toContain(`gitops target ${bare}`);
    }
    expect(await commitCount(bare)).toBe(count);
    expect(await readFile(join(outside, 'values.yaml'), 'utf8')).toBe(VALUES);
  });

  it('clones again over a clone that a killed process left half-deleted, and sweeps what it left beside it', async () => {
    const { bare } = await configRepository();
    const workRoot = join(base, `work-${++counter}`);
    await driver({ workRoot }).apply(request({ repository: bare }));
    const [clone] = await readdir(workRoot);
    // A recursive delete killed half-way: the .git directory is there, HEAD is not.
    await rm(join(workRoot, clone!, '.git', 'HEAD'));
    // A clone and a removal killed before their last step.
    await mkdir(join(workRoot, `${clone}.partial-0190a3b4-0000-7000-8000-000000000001`, '.git'), {
      recursive: true,
    });
    await mkdir(join(workRoot, `${clone}.discard-0190a3b4-0000-7000-8000-000000000002`, '.git'), {
      recursive: true,
    });

    const restarted = driver({ workRoot });
    const result = await restarted.apply(
      request({ repository: bare }, { release: release('2024.06.1', 'ghcr.io/acme/api') }),
    );
    expect(result.alreadyApplied).toBe(false);
    expect(await git(bare, 'show', 'main:apps/api/kustomization.yaml')).toContain('newTag: "2024.06.1"');
    expect(await readdir(workRoot)).toEqual([clone]);
  });

  it('stops when cancelled, as retryable, without committing', async () => {
    const { bare } = await configRepository();
    const count = await commitCount(bare);
    const controller = new AbortController();
    controller.abort();
    const error = await failure(driver().apply(request({ repository: bare }), controller.signal));
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('cancelled');
    expect(await commitCount(bare)).toBe(count);
  });

  describe('credentials', () => {
    const env = 'GANTRY_TEST_GIT_TOKEN';
    afterEach(() => {
      delete process.env[env];
    });

    it('never shows a token from the URL in errors or logs', async () => {
      const lines: string[] = [];
      const gantry = driver({ logger: captureLogger(lines) });
      const error = await failure(
        gantry.apply(request({ repository: 'https://x-access-token:SECRET@127.0.0.1:1/repo.git' })),
      );
      expect(error.retryable).toBe(true);
      expect(error.message).toContain('https://x-access-token:***@127.0.0.1:1/repo.git');
      expect(error.message).toMatch(/Failed to connect|Connection refused|Could not connect/);
      for (const text of [
        error.message,
        String(error.stack),
        JSON.stringify(error),
        JSON.stringify(error.cause),
        ...lines,
      ]) {
        expect(text).not.toContain('SECRET');
      }
    });

    it('never shows a referenced token, and refuses it for non-https remotes', async () => {
      process.env[env] = 'ghp_ReferencedSecretToken';
      const error = await failure(
        driver().apply(request({ repository: 'https://127.0.0.1:1/repo.git', credentials: `env:${env}` })),
      );
      expect(error.message).not.toContain('ghp_ReferencedSecretToken');
      expect(error.message).not.toContain(
        Buffer.from('x-access-token:ghp_ReferencedSecretToken').toString('base64'),
      );

      const { bare } = await configRepository();
      const local = await failure(driver().apply(request({ repository: bare, credentials: `env:${env}` })));
      expect(local.retryable).toBe(false);
      expect(local.message).toContain('credentials are sent only to https remotes');

      delete process.env[env];
      const unset = await failure(
        driver().apply(request({ repository: 'https://127.0.0.1:1/repo.git', credentials: `env:${env}` })),
      );
      expect(unset.retryable).toBe(false);
      expect(unset.message).toContain(`credentials env:${env}: the environment variable ${env} is not set`);
    });

    describe('over https', () => {
      let server: HttpsGitServer | undefined;
      const previousCa = process.env.GIT_SSL_CAINFO;

      beforeEach(async () => {
        server = await startHttpsGitServer(join(base, `https-${++counter}`), 'ghp_ServerToken123');
        if (server) process.env.GIT_SSL_CAINFO = server.caFile;
      });
      afterEach(async () => {
        if (previousCa === undefined) delete process.env.GIT_SSL_CAINFO;
        else process.env.GIT_SSL_CAINFO = previousCa;
        await server?.close();
      });

      it('sends the token as a header, keeps it out of the clone, and explains a refused one', async (context) => {
        if (!server) return context.skip();
        const { bare, dir } = await configRepository();
        await rm(join(server.root, 'config.git'), { recursive: true, force: true });
        await run('cp', ['-R', bare, join(server.root, 'config.git')]);
        process.env[env] = 'ghp_ServerToken123';
        const workRoot = join(dir, 'work');
        const repository = `${server.url}/config.git`;

        const result = await driver({ workRoot }).apply(request({ repository, credentials: `env:${env}` }));
        expect(result.alreadyApplied).toBe(false);
        expect((await git(join(server.root, 'config.git'), 'rev-parse', 'main')).trim()).toBe(
          result.revision,
        );
        expect(server.authorizations).toContain(
          `Basic ${Buffer.from('x-access-token:ghp_ServerToken123').toString('base64')}`,
        );
        const configs = await run('sh', ['-c', 'cat */.git/config'], { cwd: workRoot });
        expect(configs.stdout).toContain(repository);
        expect(configs.stdout).not.toContain('ghp_ServerToken123');

        process.env[env] = 'ghp_WrongToken456';
        const error = await failure(driver().apply(request({ repository, credentials: `env:${env}` })));
        expect(error.retryable).toBe(false);
        expect(error.message).toContain('the repository refused the credentials');
        expect(error.message).not.toContain('ghp_WrongToken456');
      });
    });
  });
});

function release(version: string, image: string): ApplyRequest['release'] {
  return { version, image, digest: DIGEST, commit: 'c0ffee' };
}

async function interpretTrailers(message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('git', ['interpret-trailers', '--parse'], (error, stdout) => {
      if (error) reject(new Error('git interpret-trailers failed', { cause: error }));
      else resolve(stdout);
    });
    child.stdin?.end(message);
  });
}

function captureLogger(
  lines: string[],
): NonNullable<ConstructorParameters<typeof GitopsDriver>[0]['logger']> {
  const record = (...args: unknown[]) => {
    lines.push(JSON.stringify(args));
  };
  return { info: record, warn: record, debug: record, error: record } as never;
}

/** Pushes a competing commit to the remote right before each of its first `races` pushes. */
class RacingDriver extends GitopsDriver {
  pushes = 0;

  constructor(
    private readonly bare: string,
    private readonly otherClone: string,
    private readonly races: number,
    options: ConstructorParameters<typeof GitopsDriver>[0],
  ) {
    super(options);
  }

  protected override async push(work: GitopsWork, signal?: AbortSignal): Promise<PushOutcome> {
    this.pushes += 1;
    if (this.pushes <= this.races) {
      await rm(this.otherClone, { recursive: true, force: true });
      await git(base, 'clone', '--quiet', this.bare, this.otherClone);
      const file = join(this.otherClone, 'apps', 'api', 'kustomization.yaml');
      await writeFile(file, `# edited by someone else\n${await readFile(file, 'utf8')}`);
      await git(this.otherClone, 'commit', '--quiet', '-am', 'someone else');
      await git(this.otherClone, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main');
    }
    return super.push(work, signal);
  }
}

interface HttpsGitServer {
  url: string;
  root: string;
  caFile: string;
  authorizations: string[];
  close(): Promise<void>;
}

/**
 * `git http-backend` behind a TLS server that wants one token as Basic
 * credentials; undefined when openssl is not installed.
 */
async function startHttpsGitServer(root: string, token: string): Promise<HttpsGitServer | undefined> {
  await mkdir(root, { recursive: true });
  const keyFile = join(root, 'key.pem');
  const caFile = join(root, 'cert.pem');
  try {
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      caFile,
    ]);
  } catch {
    return undefined;
  }
  const expected = `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
  const authorizations: string[] = [];
  const server: Server = createServer(
    { key: await readFile(keyFile), cert: await readFile(caFile) },
    (req, res) => {
      authorizations.push(req.headers.authorization ?? '');
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end();
        return;
      }
      const url = new URL(req.url ?? '/', 'https://localhost');
      const cgi = spawn('git', ['http-backend'], {
        env: {
          ...process.env,
          GIT_PROJECT_ROOT: root,
          GIT_HTTP_EXPORT_ALL: '1',
          PATH_INFO: decodeURIComponent(url.pathname),
          QUERY_STRING: url.search.slice(1),
          REQUEST_METHOD: req.method ?? 'GET',
          CONTENT_TYPE: req.headers['content-type'] ?? '',
          ...(req.headers['content-length'] && { CONTENT_LENGTH: req.headers['content-length'] }),
          ...(req.headers['content-encoding'] && { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] }),
          ...(req.headers['git-protocol'] && { GIT_PROTOCOL: String(req.headers['git-protocol']) }),
          REMOTE_USER: 'x-access-token',
          REMOTE_ADDR: '127.0.0.1',
        },
      });
      req.pipe(cgi.stdin);
      let head = Buffer.alloc(0);
      let headersSent = false;
      cgi.stdout.on('data', (chunk: Buffer) => {
        if (headersSent) {
          res.write(chunk);
          return;
        }
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        const headers: Record<string, string> = {};
        let status = 200;
        for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
          const colon = line.indexOf(':');
          const name = line.slice(0, colon).trim();
          const value = line.slice(colon + 1).trim();
          if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
          else headers[name] = value;
        }
        headersSent = true;
        res.writeHead(status, headers);
        res.write(head.subarray(end + 4));
      });
      cgi.on('close', () => res.end());
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    root,
    caFile,
    authorizations,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
