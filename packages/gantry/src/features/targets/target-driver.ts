import { GantryError } from '../../shared/errors.js';
import type { LocalTargetSpec } from '../pipelines/pipeline-spec.js';

// Where a stage runs is a target, and every kind of target is a driver behind
// this one interface: the promotion engine asks a driver to apply a release to
// a stage and records what it answers, without knowing whether that meant a
// commit to a config repository or a process started on this machine.
//
// apply() must be idempotent per promotion id: the engine re-runs a step after
// a crash or a redelivered event, and a re-run must find the earlier effect
// (alreadyApplied: true) instead of repeating it.

/** A stage whose target is a config repository that Argo CD or Flux syncs. */
export interface GitopsTarget {
  type: 'gitops';
  /** Clone URL: https://…, ssh://…, git@host:path, file://… or an absolute local path. */
  repository: string;
  branch: string;
  /** The file to edit, relative to the repository root. */
  path: string;
  /** `kustomize`: the file is a kustomization.yaml; `helm`: a values file. */
  format: 'kustomize' | 'helm';
  /** helm only: dotted key path of the tag (default `image.tag`). */
  key?: string;
  /** kustomize only: the `images[].name` to pin (default: the release image without tag or digest). */
  imageName?: string;
  /** A secret reference (`env:NAME`, `file:/path`) to a token for https remotes. */
  credentials?: string;
  /** A pull request's stage: its own directory, copied from `previewTemplate` when it does not exist yet. */
  previewDirectory?: string;
  previewTemplate?: string;
}

/** Processes on this machine behind Gantry's proxy (see features/local-target). */
export type LocalTarget = LocalTargetSpec;

/** Every target a driver can apply to; more kinds join this union. */
export type Target = GitopsTarget | LocalTarget;

export interface ReleaseToApply {
  /** CalVer, e.g. 2024.05.3. */
  version: string;
  /** Image repository, e.g. ghcr.io/acme/api (a tag or digest on it is ignored). */
  image: string;
  /** Image digest, e.g. sha256:… */
  digest: string;
  /** Source commit the release was built from. */
  commit: string;
}

export interface ApplyRequest {
  promotionId: string;
  service: string;
  stage: string;
  release: ReleaseToApply;
  target: Target;
  /** The release is an earlier one being restored (changes wording, not behaviour). */
  isRollback: boolean;
  /**
   * False only when no one ever started applying this promotion before, so
   * the target cannot hold its change yet and the driver may skip looking for
   * it. Absent or true: look (a crashed or timed-out apply may have finished).
   */
  mayBeApplied?: boolean;
}

export interface ApplyResult {
  /** The target's record of the change: for gitops, the commit sha on the branch. */
  revision: string;
  /** True when an earlier run of the same promotion had already applied it. */
  alreadyApplied: boolean;
  /** One sentence for people: what was done, or why nothing was. */
  summary: string;
}

/** A stage that goes away for good (a closed pull request's preview). */
export interface RemoveStageRequest {
  service: string;
  stage: string;
  target: Target;
}

export interface TargetDriver {
  /** The `type` of the targets this driver applies to (`gitops`, `local`, …). */
  readonly type: string;
  /**
   * True when the change still has to be verified after apply() (a local
   * stage's rollout: traffic steps and analysis); the promotion then stays in
   * Verifying until the rollout runner decides. False: applied is verified.
   */
  readonly verifiesAfterApply?: boolean;
  apply(request: ApplyRequest, signal?: AbortSignal): Promise<ApplyResult>;
  /**
   * Removes what the stage left on the target (a local stage's processes and
   * proxy; a preview's overlay directory in the config repository).
   * Idempotent: removing a stage that is already gone succeeds. Returns one
   * sentence for people.
   */
  removeStage(request: RemoveStageRequest, signal?: AbortSignal): Promise<string>;
}

/**
 * Applying a promotion failed. `retryable` tells the promotion engine whether
 * running the same step again may succeed (network trouble, lost push races)
 * or whether a person must change something first (a missing file, a key path
 * that does not exist, a path outside the repository, wrong credentials).
 */
export class TargetApplyError extends GantryError {
  readonly code = 'target_apply_failed';
  readonly status: number;
  readonly retryable: boolean;

  constructor(message: string, retryable: boolean, options: { cause?: unknown; details?: unknown } = {}) {
    super(message, options.details);
    this.retryable = retryable;
    // A retryable failure is the upstream's (502); a permanent one is the target's configuration (422).
    this.status = retryable ? 502 : 422;
    if (options.cause !== undefined) this.cause = options.cause;
  }
}
