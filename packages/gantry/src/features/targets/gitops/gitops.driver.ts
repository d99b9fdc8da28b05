import { createHash, randomUUID } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve, sep } from 'node:path';
import type { Logger } from '../../../platform/logging/logger.js';
import { backoffDelay } from '../../../shared/backoff.js';
import { errorMessage } from '../../../shared/errors.js';
import { resolveSecretReference, SecretReferenceError } from '../../../shared/secret-reference.js';
import { KeyedMutex } from '../../../shared/keyed-mutex.js';
import { sleep } from '../../../shared/sleep.js';
import {
  TargetApplyError,
  type ApplyRequest,
  type ApplyResult,
  type GitopsTarget,
  type RemoveStageRequest,
  type TargetDriver,
} from '../target-driver.js';
import {
  displayRemote,
  GitError,
  GitRunner,
  parseRemote,
  TOKEN_USERNAME,
  type GitIdentity,
  type HttpCredentials,
  type Remote,
} from './git.js';
import { editManifest, imageRepository, ManifestEditError } from './manifest-edit.js';
import {
  checkRepositoryPath,
  RepositoryPathError,
  resolveRepositoryDirectory,
  resolveRepositoryPath,
} from './repository-path.js';

// The gitops target: a promotion edits one file of a config repository (the
// images: of a kustomization.yaml or the tag of a Helm values file), commits
// and pushes; Argo CD or Flux syncs the cluster from there.
//
// - One clone per (repository, branch) under the work root, reused: fetched and
//   reset hard to the remote branch before every promotion. Work on one clone
//   is serialised within the process.
// - Exactly once: every commit carries a `Gantry-Promotion: <id>` trailer. A
//   promotion that finds its trailer on the branch (a re-run after a crash, a
//   lost push response, another replica) answers alreadyApplied with that
//   commit instead of committing again.
// - A push that loses a race (someone else pushed first) fetches, resets,
//   re-applies the edit to the new head and pushes again, a few times with a
//   jittered backoff; then it fails as retryable.
// - When the file already pins the release (same version and digest), nothing
//   is committed: an empty commit would change nothing that Argo CD or Flux
//   sync, and the promotion's own record says it happened. The result carries
//   the current head and alreadyApplied: false (this promotion made no commit).

export interface GitopsDriverOptions {
  /** A directory under Gantry's data directory holding the clones. */
  workRoot: string;
  /** Author and committer of the commits (default Gantry <gantry@localhost>). */
  author?: GitIdentity;
  /** Pushes per promotion before a lost race becomes a retryable failure (default 5). */
  maxPushAttempts?: number;
  logger?: Logger;
  /** Per git command (default two minutes). */
  gitTimeoutMs?: number;
  /** Backoff between push attempts (default 200 ms doubling up to 3 s, jittered). */
  pushRetryDelayMs?: { initial: number; max: number };
}

export const PROMOTION_TRAILER = 'Gantry-Promotion';
export const RELEASE_TRAILER = 'Gantry-Release';
export const DIGEST_TRAILER = 'Gantry-Digest';

/** The result of one push. */
export type PushOutcome = 'pushed' | 'rejected';

/** Everything one apply() works with. */
export interface GitopsWork {
  target: GitopsTarget;
  remote: Remote;
  branch: string;
  /** The configured path, normalised. */
  path: string;
  git: GitRunner;
  /** The clone of (repository, branch). */
  cloneDir: string;
}

const PROMOTION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;
const NETWORK_COMMANDS = new Set(['clone', 'fetch', 'push', 'ls-remote']);

export class GitopsDriver implements TargetDriver {
  readonly type = 'gitops';
  private readonly workRoot: string;
  private readonly maxPushAttempts: number;
  private readonly retryDelay: { initial: number; max: number };
  /** Clones cleaned of untracked files since this driver started. */
  private readonly cleaned = new Set<string>();
  /** Set once directories left by a killed clone or removal have been swept. */
  private swept: Promise<void> | undefined;

  constructor(private readonly options: GitopsDriverOptions) {
    this.workRoot = resolve(options.workRoot);
    this.maxPushAttempts = Math.max(1, options.maxPushAttempts ?? 5);
    this.retryDelay = options.pushRetryDelayMs ?? { initial: 200, max: 3_000 };
  }

  async apply(request: ApplyRequest, signal?: AbortSignal): Promise<ApplyResult> {
    const work = await this.prepare(request);
    await (this.swept ??= this.sweepLeftovers());
    return cloneLocks.run(work.cloneDir, async () => {
      try {
        return await this.applyLocked(request, work, signal);
      } catch (error) {
        throw await this.failure(work, error);
      }
    });
  }

  /** Pushes HEAD to the branch; `rejected` when someone else pushed first. */
  protected async push(work: GitopsWork, signal?: AbortSignal): Promise<PushOutcome> {
    try {
      await work.git.run(['push', '--porcelain', 'origin', `HEAD:refs/heads/${work.branch}`], {
        cwd: work.cloneDir,
        signal,
      });
      return 'pushed';
    } catch (error) {
      if (error instanceof GitError && isLostPushRace(error)) return 'rejected';
      throw error;
    }
  }

  private async applyLocked(
    request: ApplyRequest,
    work: GitopsWork,
    signal?: AbortSignal,
  ): Promise<ApplyResult> {
    const { release } = request;
    const imageName = work.target.imageName ?? imageRepository(release.image);
    const where = `${work.branch} of ${work.remote.display}`;
    const log = {
      promotionId: request.promotionId,
      repository: work.remote.display,
      branch: work.branch,
      path: work.path,
    };

    throwIfAborted(signal);
    await this.sync(work, signal);
    return this.commitAndPush<ApplyResult>(work, log, signal, async () => {
      // A first apply cannot have committed yet: skip the history search (one git process).
      const existing =
        request.mayBeApplied === false
          ? undefined
          : await this.findPromotionCommit(work, request.promotionId, signal);
      if (existing) {
        this.options.logger?.info(
          { ...log, revision: existing },
          'promotion already committed; not committing again',
        );
        return {
          done: {
            revision: existing,
            alreadyApplied: true,
            summary: `promotion ${request.promotionId} was already committed to ${where} as ${short(existing)}; nothing to do`,
          },
        };
      }

      const created = await this.createPreviewDirectory(work, signal);
      const edited = await this.editFile(work, request, imageName);
      if (!edited.changed && !created) {
        const head = await this.head(work, signal);
        return {
          done: {
            revision: head,
            alreadyApplied: false,
            summary: `${edited.relativePath} on ${where} already pins ${imageName} to ${release.version} (${release.digest}); nothing to commit`,
          },
        };
      }
      return {
        // Committing the path directly (no separate `git add`): one git process less per promotion.
        commit: [...commitMessage(request, imageName), '--', created ?? edited.relativePath],
        pushed: (revision) => ({
          revision,
          alreadyApplied: false,
          summary: `committed ${short(revision)} to ${where}: ${edited.relativePath} pins ${imageName} to ${release.version} (${release.digest})${created ? `, in ${created} created from ${work.target.previewTemplate}` : ''}`,
        }),
      };
    });
  }

  /**
   * Removes a pull request's overlay directory from the config repository
   * (one commit), so Argo CD or Flux prune what it deployed. Nothing to do for
   * a stage without one, or when it is gone already.
   */
  async removeStage(request: RemoveStageRequest, signal?: AbortSignal): Promise<string> {
    const directory = request.target.type === 'gitops' ? request.target.previewDirectory : undefined;
    if (directory === undefined)
      return `${request.stage} has no directory of its own in the config repository`;
    const work = await this.prepareTarget(request.target as GitopsTarget);
    const where = `${work.branch} of ${work.remote.display}`;
    const log = { repository: work.remote.display, branch: work.branch, path: directory };
    return cloneLocks.run(work.cloneDir, async () => {
      try {
        await this.sync(work, signal);
        return await this.commitAndPush<string>(work, log, signal, async () => {
          const path = checkRepositoryPath(directory);
          if (!(await exists(join(work.cloneDir, path)))) {
            return { done: `${path} is not on ${where} (any more); nothing to remove` };
          }
          await work.git.run(['rm', '-r', '-q', '--', path], { cwd: work.cloneDir, signal });
          const subject = `preview(${oneLine(request.service)}): remove ${oneLine(request.stage)}`;
          return {
            commit: [
              '-m',
              subject,
              '-m',
              `The pull request of ${oneLine(request.stage)} is closed.`,
              '--',
              path,
            ],
            pushed: (revision) => `removed ${path} from ${where} in ${short(revision)}`,
          };
        });
      } catch (error) {
        throw await this.failure(work, error);
      }
    });
  }

  /**
   * Commits what `step` prepared and pushes it; when the push loses a race,
   * resets to the new head and runs `step` again (it may find its work done).
   */
  private async commitAndPush<T>(
    work: GitopsWork,
    log: Record<string, unknown>,
    signal: AbortSignal | undefined,
    step: () => Promise<{ done: T } | { commit: string[]; pushed: (revision: string) => T }>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const next = await step();
      if ('done' in next) return next.done;
      await work.git.run(['commit', '--no-verify', '--quiet', ...next.commit], {
        cwd: work.cloneDir,
        signal,
      });
      if ((await this.push(work, signal)) === 'pushed') {
        const revision = await this.head(work, signal);
        this.options.logger?.info({ ...log, revision, attempt }, 'pushed to the config repository');
        return next.pushed(revision);
      }
      if (attempt >= this.maxPushAttempts) {
        throw new TargetApplyError(
          `${describeTarget(work)}: the push was rejected ${attempt} times because others kept pushing to ${work.branch} at the same time; a later retry should get through`,
          true,
        );
      }
      this.options.logger?.info(
        { ...log, attempt },
        'push lost a race with another commit; re-applying the change on the new head',
      );
      await sleep(backoffDelay(attempt - 1, this.retryDelay.initial, this.retryDelay.max), signal);
      throwIfAborted(signal);
      await this.refresh(work, signal);
    }
  }

  /**
   * A pull request's overlay directory, copied from the template (and staged)
   * when the branch does not have it yet. Returns the directory it created.
   */
  private async createPreviewDirectory(work: GitopsWork, signal?: AbortSignal): Promise<string | undefined> {
    const { previewDirectory, previewTemplate } = work.target;
    if (previewDirectory === undefined) return undefined;
    const directory = checkRepositoryPath(previewDirectory);
    if (await exists(join(work.cloneDir, directory))) return undefined;
    if (previewTemplate === undefined) {
      throw new TargetApplyError(
        `${describeTarget(work)}: ${directory} does not exist and no previewTemplate is set`,
        false,
      );
    }
    const template = await resolveRepositoryDirectory(work.cloneDir, previewTemplate).catch(
      (error: unknown) => {
        throw new TargetApplyError(
          `${describeTarget(work)}: the preview template ${previewTemplate}: ${errorMessage(error)}`,
          false,
        );
      },
    );
    await cp(template, join(work.cloneDir, directory), {
      recursive: true,
      errorOnExist: true,
      verbatimSymlinks: true,
    });
    await work.git.run(['add', '--', directory], { cwd: work.cloneDir, signal });
    return directory;
  }

  /** Validates the request and works out the clone, the remote and the credentials; touches no repository. */
  private async prepare(request: ApplyRequest): Promise<GitopsWork> {
    if (request.target.type !== 'gitops') {
      throw new TargetApplyError(
        `the gitops driver cannot apply a target of type ${String(request.target.type)}`,
        false,
      );
    }
    if (!PROMOTION_ID.test(request.promotionId)) {
      throw new TargetApplyError(
        `gitops target ${displayRemote(String(request.target.repository))}: promotion id ${JSON.stringify(request.promotionId)} is not valid`,
        false,
      );
    }
    return this.prepareTarget(request.target);
  }

  private async prepareTarget(target: GitopsTarget): Promise<GitopsWork> {
    const shown = displayRemote(String(target.repository));
    const refuse = (reason: string) =>
      new TargetApplyError(
        `gitops target ${shown} (branch ${target.branch}, path ${target.path}): ${reason}`,
        false,
      );

    if (target.format !== 'kustomize' && target.format !== 'helm') {
      throw refuse(`format ${JSON.stringify(target.format)} is not kustomize or helm`);
    }
    if (!isValidBranchName(target.branch)) throw refuse(`"${target.branch}" is not a valid branch name`);
    let path: string;
    try {
      path = checkRepositoryPath(target.path);
    } catch (error) {
      throw refuse(errorMessage(error));
    }
    let remote: Remote;
    try {
      remote = parseRemote(target.repository);
    } catch (error) {
      throw refuse(errorMessage(error));
    }

    let credentials: HttpCredentials | undefined;
    if (target.credentials !== undefined && target.credentials !== '') {
      if (remote.kind !== 'https') {
        throw refuse(
          `credentials are sent only to https remotes; for ${remote.kind} remotes use the machine's ssh keys or git configuration`,
        );
      }
      try {
        credentials = {
          username: TOKEN_USERNAME,
          password: await resolveSecretReference(target.credentials, 'credentials'),
        };
      } catch (error) {
        if (error instanceof SecretReferenceError) throw refuse(error.message);
        throw error;
      }
    } else if (remote.urlCredentials) {
      if (remote.kind !== 'https')
        throw refuse('credentials in an http:// URL would be sent in clear text; use https');
      credentials = remote.urlCredentials;
      this.options.logger?.warn(
        { repository: remote.display },
        'the repository URL carries credentials; reference them with credentials: env:NAME or file:/path instead',
      );
    }

    const git = new GitRunner({
      identity: this.options.author,
      timeoutMs: this.options.gitTimeoutMs,
      ...(credentials && { http: { credentials, urlPrefix: `${new URL(remote.url).origin}/` } }),
    });
    const key = createHash('sha256').update(`${remote.url}\n${target.branch}`).digest('hex').slice(0, 32);
    return { target, remote, branch: target.branch, path, git, cloneDir: join(this.workRoot, key) };
  }

  /** A clone whose work tree equals the remote branch, with nothing else in it. */
  private async sync(work: GitopsWork, signal?: AbortSignal): Promise<void> {
    if (await exists(join(work.cloneDir, '.git'))) {
      try {
        await this.refresh(work, signal);
        return;
      } catch (error) {
        if ((isRemoteFailure(error) && !isBrokenClone(error, work.cloneDir)) || signal?.aborted) throw error;
        // A clone that cannot be reset (corrupted, or holding the lock of a git
        // command killed with its process, which a fetch cannot get past) is cloned again.
        this.options.logger?.warn(
          { repository: work.remote.display, branch: work.branch, error: errorMessage(error) },
          'the clone of the config repository is unusable; cloning it again',
        );
        await removeDirectory(work.cloneDir);
      }
    }
    await this.clone(work, signal);
  }

  private async clone(work: GitopsWork, signal?: AbortSignal): Promise<void> {
    await mkdir(this.workRoot, { recursive: true });
    // Cloned beside its place and renamed, so an interrupted clone is never taken for a clone.
    const partial = `${work.cloneDir}.partial-${randomUUID()}`;
    try {
      await work.git.run(
        [
          'clone',
          '--quiet',
          '--no-tags',
          '--single-branch',
          '--branch',
          work.branch,
          '--',
          work.remote.url,
          partial,
        ],
        { cwd: this.workRoot, signal },
      );
      await removeDirectory(work.cloneDir);
      await rename(partial, work.cloneDir);
    } finally {
      await rm(partial, { recursive: true, force: true });
    }
  }

  /** Fetches the branch and makes the work tree exactly its head. */
  private async refresh(work: GitopsWork, signal?: AbortSignal): Promise<void> {
    const cwd = work.cloneDir;
    const remoteRef = `refs/remotes/origin/${work.branch}`;
    await work.git.run(
      ['fetch', '--quiet', '--no-tags', '--prune', 'origin', `+refs/heads/${work.branch}:${remoteRef}`],
      {
        cwd,
        signal,
      },
    );
    await work.git.run(['checkout', '--quiet', '--force', '-B', work.branch, remoteRef, '--'], {
      cwd,
      signal,
    });
    // Gantry only ever changes tracked files, which the checkout resets; untracked
    // leftovers can only come from before this process, so cleaning once per clone
    // and process is enough (measured: each git process costs 20-50 ms here).
    if (!this.cleaned.has(cwd)) {
      await work.git.run(['clean', '-ffdxq'], { cwd, signal });
      this.cleaned.add(cwd);
    }
  }

  /** The commit on the remote branch that carries this promotion's trailer, if any. */
  private async findPromotionCommit(
    work: GitopsWork,
    promotionId: string,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    const { stdout } = await work.git.run(
      [
        'log',
        '--fixed-strings',
        `--grep=${PROMOTION_TRAILER}: ${promotionId}`,
        `--format=%H%x00%(trailers:key=${PROMOTION_TRAILER},valueonly)%x1e`,
        `refs/remotes/origin/${work.branch}`,
        '--',
      ],
      { cwd: work.cloneDir, signal },
    );
    for (const record of stdout.split('\x1e')) {
      const [sha, values = ''] = record.trim().split('\0');
      if (sha && values.split('\n').some((value) => value.trim() === promotionId)) return sha;
    }
    return undefined;
  }

  private async editFile(
    work: GitopsWork,
    request: ApplyRequest,
    imageName: string,
  ): Promise<{ changed: boolean; relativePath: string }> {
    const file = await resolveRepositoryPath(work.cloneDir, work.path);
    const text = await readFile(file.absolutePath, 'utf8');
    const result = editManifest(text, {
      format: work.target.format,
      version: request.release.version,
      digest: request.release.digest,
      imageName,
      key: work.target.key,
    });
    if (result.changed) await writeFile(file.absolutePath, result.text);
    return { changed: result.changed, relativePath: file.relativePath };
  }

  private async head(work: GitopsWork, signal?: AbortSignal): Promise<string> {
    const { stdout } = await work.git.run(['rev-parse', '--verify', 'HEAD'], { cwd: work.cloneDir, signal });
    return stdout.trim();
  }

  /** Any failure as a TargetApplyError that says what to do; a broken clone is removed. */
  private async failure(work: GitopsWork, error: unknown): Promise<TargetApplyError> {
    if (error instanceof TargetApplyError) return error;
    const prefix = describeTarget(work);
    if (error instanceof RepositoryPathError)
      return new TargetApplyError(`${prefix}: ${error.message}`, false);
    if (error instanceof ManifestEditError)
      return new TargetApplyError(`${prefix}: ${work.path}: ${error.message}`, false);
    if (error instanceof GitError) {
      const permanent = permanentGitProblem(error, work.branch);
      if (permanent) return new TargetApplyError(`${prefix}: ${permanent}`, false, { cause: error });
      if (!NETWORK_COMMANDS.has(error.args[0] ?? '') && !error.aborted) await this.discardClone(work);
      return new TargetApplyError(`${prefix}: ${error.message}`, true, { cause: error });
    }
    if (isAbortError(error)) return new TargetApplyError(`${prefix}: cancelled`, true);
    await this.discardClone(work);
    return new TargetApplyError(`${prefix}: ${work.git.redact(errorMessage(error))}`, true);
  }

  private async discardClone(work: GitopsWork): Promise<void> {
    await removeDirectory(work.cloneDir).catch(() => undefined);
  }

  /**
   * Removes what a killed process left beside the clones: half-cloned and
   * half-removed directories. The work root belongs to one Gantry process
   * (clones are serialised only within it), so nothing else is using them.
   */
  private async sweepLeftovers(): Promise<void> {
    const entries = await readdir(this.workRoot).catch(() => [] as string[]);
    for (const entry of entries) {
      if (LEFTOVER_DIRECTORY.test(entry)) {
        await rm(join(this.workRoot, entry), { recursive: true, force: true }).catch(() => undefined);
      }
    }
  }
}

const LEFTOVER_DIRECTORY = /\.(partial|discard)-[0-9a-f-]{36}$/;

/**
 * Removes a clone all at once as far as any later reader can tell: renamed
 * aside first, then deleted. A process killed in the middle of a recursive
 * delete would otherwise leave a `.git` with half its files, which git then
 * refuses as "not a git repository" on every later fetch.
 */
async function removeDirectory(dir: string): Promise<void> {
  const doomed = `${dir}.discard-${randomUUID()}`;
  try {
    await rename(dir, doomed);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  await rm(doomed, { recursive: true, force: true });
}

/** Serialises work per clone directory across all drivers of the process. */
const cloneLocks = new KeyedMutex();

/** `promote(api): prod → 2024.05.3`, a body, and the trailers, as `git commit -m` arguments. */
function commitMessage(request: ApplyRequest, imageName: string): string[] {
  const { release } = request;
  const service = oneLine(request.service);
  const stage = oneLine(request.stage);
  const subject = `${request.isRollback ? 'rollback' : 'promote'}(${service}): ${stage} → ${release.version}`;
  const body = [
    request.isRollback
      ? `Rolls ${service} in ${stage} back to release ${release.version}.`
      : `Promotes release ${release.version} of ${service} into ${stage}.`,
    '',
    `Image: ${imageName}@${release.digest}`,
    `Source commit: ${oneLine(release.commit)}`,
  ].join('\n');
  const trailers = [
    `${PROMOTION_TRAILER}: ${request.promotionId}`,
    `${RELEASE_TRAILER}: ${oneLine(release.version)}`,
    `${DIGEST_TRAILER}: ${oneLine(release.digest)}`,
  ].join('\n');
  return ['-m', subject, '-m', body, '-m', trailers];
}

function oneLine(text: string): string {
  return Array.from(text, (char) => (isControlCharacter(char) ? ' ' : char))
    .join('')
    .replace(/ {2,}/g, ' ')
    .trim();
}

function short(sha: string): string {
  return sha.slice(0, 12);
}

function describeTarget(work: GitopsWork): string {
  return `gitops target ${work.remote.display} (branch ${work.branch}, path ${work.path})`;
}

/** A push refused because the branch moved (or was being moved) by someone else. */
function isLostPushRace(error: GitError): boolean {
  const output = `${error.stdout}\n${error.stderr}`;
  return (
    /\[rejected\]/.test(output) ||
    /Updates were rejected because/.test(output) ||
    /\[remote rejected\].*\((cannot lock ref|failed to update ref|failed to lock|incorrect old value|.*but expected)/i.test(
      output,
    )
  );
}

/** A git failure that retrying will not cure, explained; undefined for the others. */
function permanentGitProblem(error: GitError, branch: string): string | undefined {
  if (error.aborted || error.timedOut) return undefined;
  const output = `${error.stderr}\n${error.stdout}`;
  if (/Remote branch .* not found|couldn't find remote ref/i.test(output)) {
    return `the branch ${branch} does not exist in the repository`;
  }
  if (
    /Authentication failed|could not read (Username|Password)|terminal prompts disabled|HTTP Basic: Access denied|error: 40[13]|Permission denied \(publickey/i.test(
      output,
    )
  ) {
    return `the repository refused the credentials (check credentials: and that the token may push): ${error.message}`;
  }
  if (
    /Repository not found|does not appear to be a git repository|repository '.*' does not exist|error: 404/i.test(
      output,
    )
  ) {
    return `the repository does not exist or these credentials cannot see it: ${error.message}`;
  }
  if (/\[remote rejected\]/.test(output)) {
    return `the repository refused the push (a protected branch or a server hook?): ${error.message}`;
  }
  return undefined;
}

/**
 * A fetch that failed because of the clone, not the remote: the lock file of a
 * git command that was killed (the clone is used by one apply at a time, so
 * nobody else holds it), or a `.git` that is no repository any more.
 */
function isBrokenClone(error: unknown, cloneDir: string): boolean {
  if (!(error instanceof GitError)) return false;
  const output = `${error.stderr}\n${error.stdout}`;
  if (/^fatal: not a git repository/m.test(output)) return true;
  const match = /Unable to create '([^']+\.lock)': File exists/.exec(output);
  // Git names it by its real path: recognise the clone by its directory's name (a hash).
  return match !== null && match[1]!.split(sep).includes(basename(cloneDir));
}

/** Failures of clone/fetch/push: the remote's problem, not the clone's. */
function isRemoteFailure(error: unknown): boolean {
  return error instanceof GitError && NETWORK_COMMANDS.has(error.args[0] ?? '');
}

function isValidBranchName(branch: string): boolean {
  return (
    typeof branch === 'string' &&
    branch !== '' &&
    branch !== '@' &&
    !branch.startsWith('-') &&
    !branch.startsWith('/') &&
    !branch.endsWith('/') &&
    !branch.endsWith('.') &&
    !branch.endsWith('.lock') &&
    !branch.includes('..') &&
    !branch.includes('//') &&
    !branch.includes('@{') &&
    !branch.split('/').some((part) => part.startsWith('.')) &&
    !Array.from(branch).some(isControlCharacter) &&
    !/[ ~^:?*[\\]/.test(branch)
  );
}

function isControlCharacter(char: string): boolean {
  const code = char.charCodeAt(0);
  return code < 0x20 || code === 0x7f;
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new GitError('cancelled', { args: [], aborted: true });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
