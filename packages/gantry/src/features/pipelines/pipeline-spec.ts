// The pipeline-as-code schema: what a Service document in gantry.yaml may say,
// and the normalised ServiceSpec the rest of Gantry works with. One zod schema
// does three jobs: it validates (every object is strict, so a mistyped key is
// an error, with a suggestion), it fills in defaults, and it produces the JSON
// Schema editors use (pipeline-json-schema.ts), so the three cannot disagree.
//
// Normalisation, so the engine never has to guess:
// - `promotion` defaults to manual, `gates` to {}, `freeze` to [], `strategy`
//   to { type: rolling }, a gitops `branch` to main.
// - `requires` defaults to the previous stage in the list (none for the first);
//   `requires: []` says "no upstream stage" explicitly.
// - `gates.upstream` is 'succeeded' on every stage with requires and absent on
//   the others: a release enters a stage only after it succeeded in all the
//   stages the stage requires. Writing it is allowed (it changes nothing);
//   writing it on a stage without requires is an error.
// - Durations keep the text as written and add milliseconds: { text: '30m', ms: 1800000 }.
// - helm targets get `key` (default image.tag); kustomize targets get
//   `imageName` (default: the service's image).
// - Secrets are references (`env:NAME`, `file:/absolute/path`), kept as
//   written and checked here; anything else is refused without being quoted.
//
// The output is flattened: metadata.name becomes `name`, and the fields of
// `spec` sit beside it. Error paths follow the document as written.

import type { AnalysisTemplateSpec } from '../analysis/analysis-template-spec.js';
import { z } from 'zod';
import { parseDuration } from '../../shared/duration.js';
import { errorMessage, ValidationError } from '../../shared/errors.js';
import { formatIssuePath } from '../../platform/http/validation.js';
import { closestMatch, didYouMean } from './did-you-mean.js';
import { cronProblem, timeZoneProblem } from './freeze-window.js';
import { stageGraphProblems, type StageGraphProblem } from './stage-graph.js';

export const PIPELINE_API_VERSION = 'gantry.dev/v1alpha1';

// ---------------------------------------------------------------------------
// The parsed, normalised types.

/** A duration as written and in milliseconds; the engine uses `ms`. */
export interface DurationSpec {
  text: string;
  ms: number;
}

/**
 * Where a secret is read when it is needed: `env:NAME` (an environment variable
 * of the Gantry process) or `file:/absolute/path`. The secret itself never
 * appears in gantry.yaml.
 */
export type SecretReference = string;

export interface ServiceSpec {
  apiVersion: typeof PIPELINE_API_VERSION;
  kind: 'Service';
  /** metadata.name */
  name: string;
  team: string;
  /** Image repository without tag or digest; each release supplies the digest. */
  image: string;
  source: SourceSpec;
  signing?: SigningSpec;
  /** In the order written; see topologicalOrder() in stage-graph.ts for the promotion order. Never a preview stage. */
  stages: StageSpec[];
  /**
   * The stage marked `preview`: not part of the stage graph, but the template
   * each pull request's own stage (`pr-<number>`) is made from.
   */
  preview?: PreviewStageSpec;
  /**
   * The AnalysisTemplate documents of the same file that this service's
   * strategies name, copied in when the file is read, so a pipeline revision
   * carries the exact analysis its promotions run.
   */
  analysisTemplates?: Record<string, AnalysisTemplateSpec>;
}

export interface SourceSpec {
  repo: string;
  /** Globs that scope the service within a monorepo; empty means the whole repository. */
  paths: string[];
}

export interface SigningSpec {
  /** As written: an inline PEM public key, or `file:<path>` to one. */
  publicKey: string;
}

export type Promotion = 'auto' | 'manual';

export interface StageSpec {
  name: string;
  /** Upstream stages, defaulted from list order: the previous stage, or none for the first. */
  requires: string[];
  promotion: Promotion;
  approvals?: ApprovalRule;
  gates: GateRules;
  freeze: FreezeWindowSpec[];
  strategy: StrategySpec;
  target: TargetSpec;
  /** Roll back automatically when an incident hits this stage; absent: never. */
  rollbackOnIncident?: RollbackOnIncidentSpec;
  /**
   * Whether the stage is production, for DORA metrics. Absent on every stage:
   * the stages no other stage requires are (see productionStagesOf()).
   */
  production?: boolean;
}

/**
 * An incident linked to a promotion into the stage rolls it back: a promotion
 * still verifying is withdrawn; one that succeeded less than `window` ago
 * (default GANTRY_ROLLBACK_WINDOW) gets a rollback promotion.
 */
export interface RollbackOnIncidentSpec {
  window?: DurationSpec;
}

/** A pull request's stage is named `pr-<number>`; no declared stage may take such a name. */
export const PREVIEW_STAGE_NAME = /^pr-([1-9][0-9]{0,8})$/;

export interface PreviewOptions {
  /** A preview whose pull request saw no activity for this long is torn down. */
  ttl?: DurationSpec;
  /** Where people reach a preview; `{{stage}}` and `{{number}}` are filled in. Local stages default to their port. */
  url?: string;
}

export interface PreviewStageSpec {
  stage: StageSpec;
  options: PreviewOptions;
}

export interface ApprovalRule {
  /** How many people must approve; at least 1. */
  required: number;
  /** The release's author and whoever started the promotion cannot approve it. */
  fourEyes: boolean;
}

/** Conditions a release must meet to enter the stage; absent means not checked. */
export interface GateRules {
  tests?: 'passed';
  /** Minimum line coverage in percent. */
  coverage?: { min: number };
  /** Most vulnerabilities allowed per severity; an absent severity is not limited. */
  vulnerabilities?: VulnerabilityLimits;
  signature?: 'required';
  migrationCheck?: 'passed';
  /** How long the release must have run in each upstream stage. */
  soak?: DurationSpec;
  /** Present exactly when the stage has requires (see the note at the top of this file). */
  upstream?: 'succeeded';
}

export interface VulnerabilityLimits {
  critical?: number;
  high?: number;
  medium?: number;
  low?: number;
}

export interface FreezeWindowSpec {
  /** Five-field cron expression for the start of each window. */
  cron: string;
  duration: DurationSpec;
  /** IANA time zone the cron expression is read in; default UTC. */
  timeZone: string;
  reason?: string;
}

export type TargetSpec = GitopsTargetSpec | LocalTargetSpec;

export type GitopsTargetSpec = KustomizeGitopsTargetSpec | HelmGitopsTargetSpec;

export interface GitopsTargetBase {
  type: 'gitops';
  /** Local path, file://, https://, ssh:// or git@host:path; never with credentials in it. */
  repository: string;
  credentials?: SecretReference;
  branch: string;
  /** File to change, relative to the repository root. In a preview stage, with a `{{stage}}` directory. */
  path: string;
  /** Preview stages only: the directory each pull request's overlay directory is copied from. */
  previewTemplate?: string;
  /** Set on a pull request's stage only (never written): its overlay directory, created from previewTemplate. */
  previewDirectory?: string;
}

export interface KustomizeGitopsTargetSpec extends GitopsTargetBase {
  format: 'kustomize';
  /** The `images[].name` entry whose digest is set; defaults to the service's image. */
  imageName: string;
}

export interface HelmGitopsTargetSpec extends GitopsTargetBase {
  format: 'helm';
  /** Dotted path of the values key that receives the release's tag, default image.tag. */
  key: string;
}

export interface LocalTargetSpec {
  type: 'local';
  command: string;
  args: string[];
  cwd?: string;
  env: Record<string, EnvValueSpec>;
  replicas: number;
  port?: number;
  healthCheck?: HealthCheckSpec;
  /** How long a replaced process may finish its requests; default 30s. */
  drainTimeout: DurationSpec;
}

export type EnvValueSpec = string | { valueFrom: SecretReference };

export interface HealthCheckSpec {
  /** HTTP path, e.g. /healthz. */
  path: string;
  /** Default 2s. */
  interval: DurationSpec;
  /** Default 1s. */
  timeout: DurationSpec;
  /** Consecutive successful checks before a process counts as healthy; default 1. */
  healthyAfter: number;
}

export type StrategySpec = RollingStrategySpec | CanaryStrategySpec | BlueGreenStrategySpec;

export interface RollingStrategySpec {
  type: 'rolling';
}

export interface CanaryStrategySpec {
  type: 'canary';
  steps: CanaryStep[];
  backgroundAnalysis?: AnalysisRef;
  stickiness?: { header?: string; cookie?: string };
}

export type CanaryStep =
  { setWeight: number } | { pause: { duration?: DurationSpec } } | { analysis: AnalysisRef };

export interface BlueGreenStrategySpec {
  type: 'blueGreen';
  previewPort?: number;
  /** Switch traffic to the new version once pre-promotion analysis passes; default true. */
  autoPromote: boolean;
  prePromotionAnalysis?: AnalysisRef;
  postPromotionAnalysis?: AnalysisRef;
  scaleDownDelay?: DurationSpec;
}

export interface AnalysisRef {
  templates: { templateName: string }[];
  args: { name: string; value: string }[];
}

// ---------------------------------------------------------------------------
// Building blocks.

/**
 * A strict object: an unknown key is an error at the key's own path, with the
 * nearest valid key suggested (`unknown key; did you mean "promotion"?`).
 * zod's strictObject reports all unknown keys of an object as one issue; a
 * catchall that refuses every value reports each key where it is.
 */
export function strict<T extends z.ZodRawShape>(shape: T): z.ZodObject<T, z.core.$strict> {
  const known = Object.keys(shape);
  const unknownKey = z
    .never({ error: (issue) => unknownKeyMessage(String(issue.path?.at(-1) ?? ''), known) })
    .optional();
  return z.object(shape).catchall(unknownKey);
}

function unknownKeyMessage(key: string, known: readonly string[]): string {
  const match = closestMatch(key, known);
  return match !== undefined
    ? `unknown key; did you mean "${match}"?`
    : `unknown key; expected one of ${known.join(', ')}`;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

function notOneOf(input: unknown, values: readonly unknown[]): string {
  const names = values.map(String);
  const expected = names.length === 1 ? names[0] : `one of ${names.join(', ')}`;
  if (input === undefined) return `is required (${expected})`;
  if (input === null) return `is empty; expected ${expected}`;
  if (names.length === 1) return `must be ${names[0]}, not ${describeValue(input)}`;
  const hint = typeof input === 'string' ? didYouMean(input, names) : '';
  return `${describeValue(input)} is not one of ${names.join(', ')}${hint}`;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

/**
 * Messages for pipeline documents, written for the person editing gantry.yaml.
 * Pass it to safeParse (`{ error: pipelineIssueMessage }`); schemas that have
 * their own message keep it.
 */
export const pipelineIssueMessage: z.core.$ZodErrorMap = (issue) => {
  const input: unknown = issue.input;
  switch (issue.code) {
    case 'invalid_type': {
      if (input === undefined) return 'is required';
      if (input === null) return `is empty; expected ${EXPECTED[issue.expected] ?? issue.expected}`;
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      const hint =
        issue.expected === 'array' && (typeof input === 'string' || typeof input === 'number')
          ? ` (write [${String(input)}])`
          : '';
      return `expected ${expected}, got ${describeValue(input)}${hint}`;
    }
    case 'invalid_value':
      return notOneOf(input, issue.values);
    case 'invalid_union': {
      const discriminator = issue['discriminator'];
      const options = issue['options'];
      if (
        issue.note === 'No matching discriminator' &&
        typeof discriminator === 'string' &&
        Array.isArray(options)
      ) {
        const value = (input as Record<string, unknown>)[discriminator];
        if (value === undefined) return `is required (one of ${options.map(String).join(', ')})`;
        return notOneOf(value, options);
      }
      return undefined;
    }
    case 'invalid_key':
      // A record key that fails its schema: that schema's own message says why.
      return issue.issues[0]?.message;
    case 'too_small': {
      const minimum = Number(issue.minimum);
      if (issue.origin === 'array')
        return `must list at least ${minimum} ${minimum === 1 ? 'item' : 'items'}`;
      if (issue.origin === 'string')
        return minimum === 1 ? 'must not be empty' : `must be at least ${minimum} characters`;
      return issue.inclusive ? `must be at least ${minimum}` : `must be more than ${minimum}`;
    }
    case 'too_big': {
      const maximum = Number(issue.maximum);
      if (issue.origin === 'array') return `must list at most ${maximum} ${maximum === 1 ? 'item' : 'items'}`;
      if (issue.origin === 'string') return `must be at most ${maximum} characters`;
      return issue.inclusive ? `must be at most ${maximum}` : `must be less than ${maximum}`;
    }
    default:
      return undefined;
  }
};

/** A custom issue from a check that returns a problem description or undefined. */
export function problemCheck<T>(problem: (value: T) => string | undefined) {
  return (value: T, ctx: z.core.$RefinementCtx<T>): void => {
    const message = problem(value);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message, input: value });
  };
}

const DURATION_PATTERN = '^(\\d+|(\\d+(\\.\\d+)?(ms|s|m|h|d))+)$';

export function duration(description: string, options: { positive?: boolean } = {}) {
  return z
    .string()
    .transform((text, ctx): DurationSpec => {
      let ms: number;
      try {
        ms = parseDuration(text);
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          message: `${JSON.stringify(text)} ${errorMessage(error)}`,
          input: text,
        });
        return z.NEVER;
      }
      if (options.positive && ms <= 0) {
        ctx.addIssue({ code: 'custom', message: 'must be longer than 0', input: text });
        return z.NEVER;
      }
      return { text, ms };
    })
    .meta({
      description: `${description} A duration such as 30s, 5m, 64h or 1h30m.`,
      pattern: DURATION_PATTERN,
    });
}

/** Strings, with numbers (and booleans where asked) written bare in YAML read as their text. */
const stringish = z.union([z.string(), z.number().transform(String)]);
export const envText = z.union([z.string(), z.number().transform(String), z.boolean().transform(String)]);

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function label(description: string) {
  return z
    .string()
    .regex(LABEL, {
      error: (issue) => {
        const text = String(issue.input);
        const slug = text
          .toLowerCase()
          .replace(/[^a-z0-9-]+/g, '-')
          .replace(/^-+|-+$/g, '')
          .slice(0, 63);
        const hint = slug !== text && LABEL.test(slug) ? `; did you mean "${slug}"?` : '';
        return `${describeValue(text)} is not a valid name: use 1-63 lowercase letters, digits and "-", starting and ending with a letter or digit${hint}`;
      },
    })
    .describe(description);
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why `text` is not a secret reference, or undefined. Never quotes `text`: it may be the secret itself. */
export function secretReferenceProblem(text: string): string | undefined {
  const help =
    'must be a reference such as env:GIT_TOKEN or file:/run/secrets/git-token, never the secret itself';
  if (text.startsWith('env:')) {
    return ENV_NAME.test(text.slice(4))
      ? undefined
      : 'env: must be followed by an environment variable name (letters, digits and _, not starting with a digit)';
  }
  if (text.startsWith('file:')) {
    return text.startsWith('file:/')
      ? undefined
      : 'file: must be followed by an absolute path, e.g. file:/run/secrets/git-token';
  }
  return help;
}

const secretReference = z
  .string({ error: (issue) => (issue.input === undefined ? undefined : secretReferenceProblem('')) })
  .superRefine((text, ctx) => {
    const message = secretReferenceProblem(text);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message, input: '' });
  })
  .meta({
    description:
      'A secret reference: env:NAME (an environment variable of the Gantry process) or file:/absolute/path.',
    pattern: '^(env:[A-Za-z_][A-Za-z0-9_]*|file:/.*)$',
  });

/** Why `text` is not a repository Gantry can use, or undefined. Never echoes credentials. */
export function repositoryProblem(text: string): string | undefined {
  const forms = 'use a local path, file://, https://, ssh:// or git@host:path';
  if (text.trim() === '') return `must not be empty; ${forms}`;
  if (/\s/.test(text)) return `${describeValue(text)} contains white space`;
  if (text.startsWith('/') || text.startsWith('./') || text.startsWith('../')) return undefined;
  if (text.startsWith('file://'))
    return text.length > 'file://'.length ? undefined : 'needs a path after file://';
  if (/^(https|ssh):\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return 'is not a valid URL';
    }
    const leaks =
      url.protocol === 'https:' ? url.username !== '' || url.password !== '' : url.password !== '';
    if (leaks) return 'must not contain credentials; give them as credentials: env:NAME or file:/path';
    if (url.hostname === '') return 'needs a host';
    return undefined;
  }
  if (/^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!\/\/)\S+$/.test(text)) return undefined;
  if (/^http:\/\//i.test(text)) return `plain http is not accepted; ${forms}`;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1];
  if (scheme !== undefined) return `${scheme}:// is not supported; ${forms}`;
  return `${describeValue(text)} is not a repository; ${forms}`;
}

function repository(description: string) {
  return z.string().superRefine(problemCheck(repositoryProblem)).describe(description);
}

function relativePathProblem(text: string): string | undefined {
  if (text === '') return 'must not be empty';
  if (text.startsWith('/') || /^[A-Za-z]:[\\/]/.test(text)) return 'must be relative to the repository root';
  if (text.includes('\\')) return 'must use / between directories';
  if (text.split('/').includes('..')) return 'must not contain ".."';
  return undefined;
}

const BRANCH = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*\/$)(?!.*\.lock$)(?!.*@\{)[A-Za-z0-9._/+-]+$/;
const VALUES_KEY = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
// An OCI repository: optional registry host (with port), then lowercase path components.
const IMAGE =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

function imageProblem(text: string): string | undefined {
  if (text.includes('@')) return 'must not contain a digest; each release supplies it';
  if (text.indexOf(':', text.lastIndexOf('/') + 1) !== -1) {
    return 'must not contain a tag; each release supplies the digest';
  }
  if (!IMAGE.test(text))
    return `${describeValue(text)} is not an image repository such as ghcr.io/acme/checkout`;
  return undefined;
}

const port = z.number().int().min(1).max(65_535);

// ---------------------------------------------------------------------------
// Strategies.

const analysisRef = strict({
  templates: z
    .array(strict({ templateName: label('Name of an analysis template.') }))
    .min(1)
    .describe('Analysis templates to run; all must pass.'),
  args: z
    .array(strict({ name: z.string().min(1), value: z.string() }))
    .default([])
    .describe('Arguments passed to the templates.'),
}).describe('Metric analysis to run: templates and their arguments.');

const canaryStep = strict({
  setWeight: z
    .number()
    .int()
    .min(0)
    .max(100)
    .optional()
    .describe('Send this percentage of traffic to the new version.'),
  pause: strict({ duration: duration('How long to pause.').optional() })
    .optional()
    .describe('Pause for a duration, or until resumed by hand when no duration is given.'),
  analysis: analysisRef.optional().describe('Run an analysis and wait for its verdict.'),
})
  .superRefine((step, ctx) => {
    const given = (['setWeight', 'pause', 'analysis'] as const).filter((key) => step[key] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          given.length === 0
            ? 'a step needs one of setWeight, pause or analysis'
            : `a step does one thing; split ${given.join(' and ')} into separate steps`,
        input: step,
      });
    }
  })
  .transform((step): CanaryStep => {
    if (step.setWeight !== undefined) return { setWeight: step.setWeight };
    if (step.pause !== undefined) return { pause: step.pause };
    return { analysis: step.analysis! };
  })
  .meta({
    description: 'One canary step: setWeight, pause or analysis.',
    minProperties: 1,
    maxProperties: 1,
  });

const rollingStrategy = strict({ type: z.literal('rolling') }).describe(
  'Replace the running version with the new one, keeping the service available.',
);

const canaryStrategy = strict({
  type: z.literal('canary'),
  steps: z.array(canaryStep).min(1).describe('Steps run in order: shift traffic, pause, analyse.'),
  backgroundAnalysis: analysisRef.optional().describe('Analysis that runs for the whole rollout.'),
  stickiness: strict({
    header: z.string().min(1).optional().describe('Request header that keeps a client on one version.'),
    cookie: z.string().min(1).optional().describe('Cookie that keeps a client on one version.'),
  })
    .optional()
    .describe('Keep each client on the version it first saw.'),
}).describe('Shift traffic to the new version step by step, with analysis between steps.');

const blueGreenStrategy = strict({
  type: z.literal('blueGreen'),
  previewPort: port.optional().describe('Port on which the new version can be tried before the switch.'),
  autoPromote: z
    .boolean()
    .default(true)
    .describe('Switch traffic once pre-promotion analysis passes (default true).'),
  prePromotionAnalysis: analysisRef.optional().describe('Analysis of the new version before the switch.'),
  postPromotionAnalysis: analysisRef
    .optional()
    .describe('Analysis after the switch; failing it switches back.'),
  scaleDownDelay: duration('How long the old version keeps running after the switch.').optional(),
}).describe('Start the new version beside the old one, then switch all traffic at once.');

const STRATEGY_NAMES = ['rolling', 'blueGreen'] as const;

const strategy = z
  .union([
    z
      .enum(STRATEGY_NAMES, {
        error: (issue) => {
          if (issue.code !== 'invalid_value' || typeof issue.input !== 'string') return undefined;
          if (issue.input === 'canary')
            return 'canary needs steps: write it as { type: canary, steps: [...] }';
          const hint = didYouMean(issue.input, [...STRATEGY_NAMES, 'canary']);
          return `${describeValue(issue.input)} is not a strategy; write rolling, blueGreen or { type: canary, steps: [...] }${hint}`;
        },
      })
      .transform((type) => ({ type }))
      .pipe(z.discriminatedUnion('type', [rollingStrategy, blueGreenStrategy])),
    z.discriminatedUnion('type', [rollingStrategy, canaryStrategy, blueGreenStrategy]),
  ])
  .prefault('rolling')
  .describe('How a promotion is applied: rolling (default), blueGreen, or a canary with steps.');

// ---------------------------------------------------------------------------
// Targets.

const gitopsTarget = strict({
  type: z.literal('gitops'),
  repository: repository('The config repository Argo CD or Flux syncs from.'),
  credentials: secretReference.optional().describe('Reference to the token or key for the repository.'),
  branch: z
    .string()
    .regex(BRANCH, { error: (issue) => `${describeValue(issue.input)} is not a valid branch name` })
    .default('main')
    .describe('Branch to commit to (default main).'),
  path: z
    .string()
    .superRefine(problemCheck(relativePathProblem))
    .describe('File to change, relative to the repository root: a kustomization.yaml or a Helm values file.'),
  format: z.enum(['kustomize', 'helm']).describe('How the file names the image.'),
  previewTemplate: z
    .string()
    .superRefine(problemCheck(relativePathProblem))
    .optional()
    .describe(
      "Preview stages only: a directory copied to each pull request's own (the {{stage}} directory of path), e.g. previews/template.",
    ),
  key: z
    .string()
    .regex(VALUES_KEY, {
      error: (issue) => `${describeValue(issue.input)} is not a dotted key such as image.tag`,
    })
    .optional()
    .describe('helm only: the values key that receives the tag (default image.tag).'),
  imageName: z
    .string()
    .min(1)
    .optional()
    .describe("kustomize only: the images[].name entry to set (default: the service's image)."),
})
  .superRefine((target, ctx) => {
    if (target.format === 'kustomize' && target.key !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['key'],
        message: 'applies to format helm only',
        input: target.key,
      });
    }
    if (target.format === 'helm' && target.imageName !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['imageName'],
        message: 'applies to format kustomize only',
        input: target.imageName,
      });
    }
  })
  .describe('Commit the new image to a GitOps config repository.');

const healthCheck = strict({
  path: z
    .string()
    .regex(/^\//, { error: (issue) => `${describeValue(issue.input)} must start with /` })
    .describe('HTTP path that answers 2xx when the process is healthy.'),
  interval: duration('Time between checks (default 2s).', { positive: true }).prefault('2s'),
  timeout: duration('How long one check may take (default 1s).', { positive: true }).prefault('1s'),
  healthyAfter: z
    .number()
    .int()
    .min(1)
    .default(1)
    .describe('Consecutive successful checks before the process counts as healthy (default 1).'),
});

const localTarget = strict({
  type: z.literal('local'),
  command: z.string().min(1).describe('Program to run (no shell): a path or a name on PATH.'),
  args: z.array(stringish).prefault([]).describe('Arguments, one per item.'),
  cwd: z.string().min(1).optional().describe('Working directory.'),
  env: z
    .record(
      z.string().regex(ENV_NAME, {
        error: (issue) => `${describeValue(issue.input)} is not an environment variable name`,
      }),
      z.union([envText, strict({ valueFrom: secretReference })]),
    )
    .prefault({})
    .describe('Environment variables: a value, or { valueFrom: env:NAME | file:/path } for a secret.'),
  replicas: z.number().int().min(1).default(1).describe('Processes to run (default 1).'),
  port: port.optional().describe('Port the service listens on.'),
  healthCheck: healthCheck.optional().describe('HTTP health check of each process.'),
  drainTimeout: duration('How long a replaced process may finish its requests (default 30s).').prefault(
    '30s',
  ),
}).describe("Run the service as processes on this machine, behind Gantry's proxy.");

const target = z
  .discriminatedUnion('type', [gitopsTarget, localTarget])
  .describe(
    'Where the stage runs: gitops (commit to a config repository) or local (processes on this machine).',
  );

// ---------------------------------------------------------------------------
// Stages.

const gates = strict({
  tests: z.literal('passed').optional().describe("The release's tests passed."),
  coverage: strict({ min: z.number().min(0).max(100).describe('Minimum coverage in percent.') })
    .optional()
    .describe('Test coverage of the release.'),
  vulnerabilities: strict({
    critical: z.number().int().min(0).optional(),
    high: z.number().int().min(0).optional(),
    medium: z.number().int().min(0).optional(),
    low: z.number().int().min(0).optional(),
  })
    .optional()
    .describe('Most vulnerabilities allowed per severity in the image scan.'),
  signature: z.literal('required').optional().describe('The image signature must verify.'),
  migrationCheck: z.literal('passed').optional().describe('The database migration check passed.'),
  soak: duration('How long the release must have run in each upstream stage.').optional(),
  upstream: z
    .literal('succeeded')
    .optional()
    .describe('The release succeeded in every required stage; implied whenever requires is not empty.'),
}).describe('Conditions on evidence and time a release must meet to enter the stage.');

const freezeWindow = strict({
  cron: z
    .string()
    .superRefine(problemCheck(cronProblem))
    .describe('When each freeze starts: a five-field cron expression, e.g. "0 16 * * FRI".'),
  duration: duration('How long each freeze lasts, as elapsed time.', { positive: true }),
  timeZone: z
    .string()
    .superRefine(problemCheck(timeZoneProblem))
    .default('UTC')
    .describe('IANA time zone the cron expression is read in (default UTC), e.g. Europe/Madrid.'),
  reason: z.string().optional().describe('Shown to whoever is blocked by the freeze.'),
}).describe('A recurring period in which the stage accepts no promotion.');

const stage = strict({
  name: label('Stage name: lowercase letters, digits and "-", e.g. prod or staging.').refine(
    (name) => !PREVIEW_STAGE_NAME.test(name),
    {
      error: (issue) =>
        `${describeValue(issue.input)} is reserved: pr-<number> names the stage of a pull request's preview; mark a stage preview: true instead`,
    },
  ),
  preview: z
    .union([
      z.boolean(),
      strict({
        ttl: duration('Tear a preview down after its pull request was quiet this long (default 7d).', {
          positive: true,
        }).optional(),
        url: z
          .string()
          .min(1)
          .optional()
          .describe('Where people reach a preview, e.g. https://{{stage}}.checkout.example.com.'),
      }),
    ])
    .default(false)
    .describe(
      "A template for pull requests' previews: each open pull request gets its own stage pr-<number> made from it.",
    ),
  requires: z
    .array(z.string())
    .optional()
    .describe(
      'Upstream stages; default: the previous stage in the list (none for the first). [] means none.',
    ),
  promotion: z
    .enum(['auto', 'manual'])
    .default('manual')
    .describe(
      'auto promotes a release as soon as gates allow; manual waits for someone to promote it (default).',
    ),
  approvals: strict({
    required: z.number().int().min(1).default(1).describe('How many people must approve (default 1).'),
    fourEyes: z
      .boolean()
      .default(false)
      .describe("The release's author and whoever promotes it cannot approve it (default false)."),
  })
    .optional()
    .describe('Approvals a promotion into this stage needs.'),
  gates: gates.prefault({}),
  freeze: z.array(freezeWindow).prefault([]).describe('Periods in which the stage accepts no promotion.'),
  strategy,
  target,
  rollbackOnIncident: z
    .union([
      z.boolean(),
      strict({
        window: duration(
          'How long after a promotion succeeded an incident still rolls it back (default GANTRY_ROLLBACK_WINDOW, 30m).',
          { positive: true },
        ).optional(),
      }),
    ])
    .optional()
    .describe(
      'Roll back when an incident hits the stage: a verifying promotion is withdrawn, one that succeeded within the window gets a rollback promotion. true, or { window: 30m }.',
    ),
  production: z
    .boolean()
    .optional()
    .describe(
      'The stage is production (DORA metrics count its promotions). When no stage says true, the stages no other stage requires are.',
    ),
}).describe('One environment of the pipeline.');

type ParsedStage = z.output<typeof stage>;

const readKey = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;

/** Whether a (possibly unparsed) stage is marked as the preview template. */
function isPreviewStage(stage: unknown): boolean {
  const preview = readKey(stage, 'preview');
  return preview !== undefined && preview !== false;
}

/**
 * The requires a stage has once defaulted: as written, or the previous stage
 * that is not a preview (a preview stage requires none). Tolerates unparsed input.
 */
function effectiveRequires(stages: readonly unknown[], index: number): string[] | undefined {
  const written = readKey(stages[index], 'requires');
  if (written === undefined) {
    if (isPreviewStage(stages[index])) return [];
    let previousIndex = index - 1;
    while (previousIndex >= 0 && isPreviewStage(stages[previousIndex])) previousIndex--;
    if (previousIndex < 0) return [];
    const previous = readKey(stages[previousIndex], 'name');
    return typeof previous === 'string' ? [previous] : undefined;
  }
  return Array.isArray(written)
    ? written.filter((name): name is string => typeof name === 'string')
    : undefined;
}

const stages = z
  .array(stage)
  .min(1)
  .superRefine(
    (list, ctx) => {
      // Runs even when some stages failed to parse, so every problem is reported at once.
      const nodes = list.map((item, index) => {
        const name: unknown =
          typeof item === 'object' && item !== null ? (item as { name?: unknown }).name : undefined;
        return {
          name: typeof name === 'string' ? name : undefined,
          requires: effectiveRequires(list, index),
        };
      });
      for (const problem of stageGraphProblems(nodes)) {
        ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message, input: list });
      }
      for (const problem of previewStageProblems(list, nodes)) {
        ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message, input: list });
      }
      list.forEach((item, index) => {
        const upstream = (item as Partial<ParsedStage> | undefined)?.gates?.upstream;
        if (upstream !== undefined && nodes[index]!.requires?.length === 0) {
          ctx.addIssue({
            code: 'custom',
            path: [index, 'gates', 'upstream'],
            message: 'the stage requires no other stage, so there is no upstream to succeed in',
            input: upstream,
          });
        }
      });
    },
    { when: (payload) => Array.isArray(payload.value) },
  )
  .describe('The stages of the pipeline, one per environment.');

/**
 * A preview stage stands outside the stage graph: it requires nothing, no
 * stage requires it, a service has at most one, and a local one gets its port
 * per pull request (GANTRY_PREVIEW_PORTS), so it declares none.
 */
function previewStageProblems(
  list: readonly unknown[],
  nodes: readonly { name: string | undefined; requires: string[] | undefined }[],
): StageGraphProblem[] {
  const problems: StageGraphProblem[] = [];
  const previewIndexes = list.flatMap((item, index) => (isPreviewStage(item) ? [index] : []));
  if (previewIndexes.length === 0) return problems;
  const previewNames = new Set(previewIndexes.map((index) => nodes[index]!.name));
  for (const index of previewIndexes.slice(1)) {
    problems.push({
      path: [index, 'preview'],
      message: `a service has at most one preview stage, and stages[${previewIndexes[0]}] already is one`,
    });
  }
  if (previewIndexes.length === list.length) {
    problems.push({ path: [], message: 'needs at least one stage that is not a preview' });
  }
  for (const index of previewIndexes) {
    const requires = readKey(list[index], 'requires');
    if (Array.isArray(requires) && requires.length > 0) {
      problems.push({
        path: [index, 'requires'],
        message:
          "a preview stage requires no other stage: releases enter it from their pull request's head commit",
      });
    }
    const target = readKey(list[index], 'target');
    if (readKey(target, 'type') === 'local' && readKey(target, 'port') !== undefined) {
      problems.push({
        path: [index, 'target', 'port'],
        message:
          "a preview stage's port is picked for each pull request from GANTRY_PREVIEW_PORTS; remove port",
      });
    }
    if (readKey(target, 'type') === 'gitops') {
      const path = readKey(target, 'path');
      if (typeof path === 'string' && previewDirectoryOf(path, 'pr-1') === undefined) {
        problems.push({
          path: [index, 'target', 'path'],
          message:
            'a preview stage edits one directory per pull request: put a {{stage}} directory in path, e.g. previews/{{stage}}/kustomization.yaml',
        });
      }
      if (readKey(target, 'previewTemplate') === undefined) {
        problems.push({
          path: [index, 'target'],
          message:
            "a gitops preview stage needs previewTemplate: the directory each pull request's own is copied from",
        });
      }
    }
  }
  list.forEach((item, index) => {
    if (previewIndexes.includes(index)) return;
    if (readKey(readKey(item, 'target'), 'previewTemplate') !== undefined) {
      problems.push({
        path: [index, 'target', 'previewTemplate'],
        message: 'only a preview stage (preview: true) has a previewTemplate',
      });
    }
  });
  nodes.forEach((node, index) => {
    if (previewIndexes.includes(index)) return;
    (node.requires ?? []).forEach((name, entry) => {
      if (!previewNames.has(name)) return;
      problems.push({
        path: [index, 'requires', entry],
        message: `"${name}" is a preview stage: it holds pull requests' releases, which go nowhere after it`,
      });
    });
  });
  return problems;
}

/**
 * A pull request's overlay directory: `path` up to its `{{stage}}` segment,
 * with the stage's name in it (`previews/{{stage}}/kustomization.yaml` →
 * `previews/pr-7`). Undefined when no whole segment is `{{stage}}`.
 */
export function previewDirectoryOf(path: string, stage: string): string | undefined {
  const segments = path.split('/');
  const at = segments.indexOf('{{stage}}');
  if (at < 0 || at === segments.length - 1) return undefined;
  return [...segments.slice(0, at), stage].join('/');
}

// ---------------------------------------------------------------------------
// The Service document.

const serviceDocument = strict({
  apiVersion: z.literal(PIPELINE_API_VERSION).describe('Version of the gantry.yaml format.'),
  kind: z.literal('Service'),
  metadata: strict({
    name: label('Service name: lowercase letters, digits and "-", 1-63 characters.'),
  }),
  spec: strict({
    team: label('Team that owns the service; DORA metrics are reported per team.'),
    image: z
      .string()
      .superRefine(problemCheck(imageProblem))
      .describe('Image repository without tag or digest, e.g. ghcr.io/acme/checkout.'),
    source: strict({
      repo: repository('Source repository the service is built from.'),
      paths: z
        .array(z.string().min(1))
        .default([])
        .describe('Globs that scope the service within a monorepo, e.g. services/checkout/**.'),
    }).describe('Where the service is built from.'),
    signing: strict({
      publicKey: z
        .string()
        .superRefine((text, ctx) => {
          const pem = /^\s*-----BEGIN [A-Z ]+-----[\s\S]+-----END [A-Z ]+-----\s*$/;
          if ((text.startsWith('file:') && text.length > 5) || pem.test(text)) return;
          ctx.addIssue({
            code: 'custom',
            message: 'must be a PEM public key (-----BEGIN PUBLIC KEY----- ...) or file:<path>',
            input: '',
          });
        })
        .describe('Public key release signatures are verified with: inline PEM, or file:<path>.'),
    })
      .optional()
      .describe('How release signatures are verified.'),
    stages,
  }),
});

function normaliseTarget(target: ParsedStage['target'], image: string): TargetSpec {
  if (target.type === 'local') return target;
  const { key, imageName, ...common } = target;
  return target.format === 'helm'
    ? { ...common, format: 'helm', key: key ?? 'image.tag' }
    : { ...common, format: 'kustomize', imageName: imageName ?? image };
}

/**
 * One Service document, validated and normalised. For a list of issues with
 * readable messages use checkServiceSpec(); for gantry.yaml text use
 * parsePipelineFile() in pipeline-document.ts.
 */
export const serviceSpecSchema = serviceDocument.transform((document): ServiceSpec => {
  const { spec } = document;
  const stageSpecs = spec.stages.map((item, index): StageSpec => {
    const requires = item.preview !== false ? [] : (effectiveRequires(spec.stages, index) ?? []);
    const { upstream: _written, ...gateRules } = item.gates;
    const stageSpec: StageSpec = {
      name: item.name,
      requires,
      promotion: item.promotion,
      gates: requires.length > 0 ? { ...gateRules, upstream: 'succeeded' } : gateRules,
      freeze: item.freeze,
      strategy: item.strategy,
      target: normaliseTarget(item.target, spec.image),
    };
    if (item.approvals !== undefined) stageSpec.approvals = item.approvals;
    if (item.rollbackOnIncident === true) stageSpec.rollbackOnIncident = {};
    else if (typeof item.rollbackOnIncident === 'object') {
      stageSpec.rollbackOnIncident = item.rollbackOnIncident.window
        ? { window: item.rollbackOnIncident.window }
        : {};
    }
    if (item.production !== undefined) stageSpec.production = item.production;
    return stageSpec;
  });
  const previewIndex = spec.stages.findIndex((item) => item.preview !== false);
  const service: ServiceSpec = {
    apiVersion: document.apiVersion,
    kind: document.kind,
    name: document.metadata.name,
    team: spec.team,
    image: spec.image,
    source: spec.source,
    stages: stageSpecs.filter((_stage, index) => index !== previewIndex),
  };
  if (previewIndex >= 0) {
    const written = spec.stages[previewIndex]!.preview;
    service.preview = {
      stage: stageSpecs[previewIndex]!,
      options: typeof written === 'object' ? written : {},
    };
  }
  if (spec.signing !== undefined) service.signing = spec.signing;
  return service;
});

// ---------------------------------------------------------------------------
// Checking without YAML: a JSON body, or one document already read.

export interface SpecIssue {
  /** Path in the document as written: ['spec', 'stages', 2, 'promotion']. */
  path: (string | number)[];
  message: string;
  /** The problem is the key at the end of the path (unknown, or not a valid name), not its value. */
  atKey: boolean;
}

export type SpecCheck = { success: true; spec: ServiceSpec } | { success: false; issues: SpecIssue[] };

export function checkServiceSpec(value: unknown): SpecCheck {
  const result = serviceSpecSchema.safeParse(value, { error: pipelineIssueMessage, reportInput: true });
  if (result.success) return { success: true, spec: result.data };
  return { success: false, issues: flattenIssues(result.error.issues, []) };
}

/**
 * zod reports a value that matches no member of a union as one issue holding
 * every member's issues. The member meant is the one whose issues are all
 * inside the value (its type matched); failing that, one whose complaint about
 * the value itself is not merely "wrong type".
 */
export function flattenIssues(issues: readonly z.core.$ZodIssue[], prefix: (string | number)[]): SpecIssue[] {
  const flat: SpecIssue[] = [];
  for (const issue of issues) {
    const path = [
      ...prefix,
      ...issue.path.map((segment) => (typeof segment === 'number' ? segment : String(segment))),
    ];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const branches = issue.errors;
      const typed = branches.filter((branch) => branch.every((inner) => inner.path.length > 0));
      const chosen =
        typed.length > 0
          ? typed.reduce((best, branch) => (branch.length < best.length ? branch : best))
          : (branches.find((branch) => branch.some((inner) => inner.code !== 'invalid_type')) ??
            branches[0]!);
      flat.push(...flattenIssues(chosen, path));
      continue;
    }
    flat.push({
      path,
      message: issue.message,
      atKey: (issue.code === 'invalid_type' && issue.expected === 'never') || issue.code === 'invalid_key',
    });
  }
  return flat;
}

/** Paths as people read them: `spec.stages[2].promotion` is shown as `stages[2].promotion`. */
export function displayPath(path: readonly (string | number)[]): string {
  return formatIssuePath(path[0] === 'spec' && path.length > 1 ? path.slice(1) : path);
}

/** Parses one Service document (e.g. a JSON request body), or throws a ValidationError listing every problem. */
export function parseServiceSpec(value: unknown): ServiceSpec {
  const result = checkServiceSpec(value);
  if (result.success) return result.spec;
  const issues = result.issues.map((issue) => ({ path: displayPath(issue.path), message: issue.message }));
  const listed = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
  throw new ValidationError(`Invalid service spec: ${listed.join('; ')}`, { issues });
}
