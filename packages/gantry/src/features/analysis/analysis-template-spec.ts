// AnalysisTemplate documents: what an analysis measures (a provider), how
// often (interval, count, initialDelay), what a measurement must show
// (successCondition, failureCondition) and how many bad measurements a metric
// tolerates (failureLimit, inconclusiveLimit, consecutiveErrorLimit). The
// shape follows Argo Rollouts' AnalysisTemplate so that templates port with
// few changes; docs/analysis.md has the rules and the differences.
//
// Everything that can be checked before a measurement is checked here, with a
// path and, inside a condition, a column: condition syntax, args.NAME in
// conditions and {{args.NAME}} placeholders in queries and URLs against the
// declared args (plus the ones Gantry always provides), durations, limits
// against count, and secrets in web headers, which must be references.
//
// Defaults, as in Argo Rollouts: no interval means one measurement; an
// interval without count means measuring until the analysis is stopped;
// initialDelay 0s; failureLimit 0; inconclusiveLimit 0; consecutiveErrorLimit 4.
// Gantry's own: provider timeouts 10s, builtin window 1m, builtin role canary,
// latency quantile 0.99.

import { z } from 'zod';
import { errorMessage, ValidationError } from '../../shared/errors.js';
import { isSecretName } from '../../shared/redact.js';
import { closestMatch } from '../pipelines/did-you-mean.js';
import {
  displayPath,
  duration,
  envText as text,
  flattenIssues,
  label,
  problemCheck,
  strict,
  PIPELINE_API_VERSION,
  pipelineIssueMessage,
  secretReferenceProblem,
  type DurationSpec,
} from '../pipelines/pipeline-spec.js';
import { ExpressionError, parseExpression, type Expression } from './expression/expression-parser.js';

export const ANALYSIS_TEMPLATE_KIND = 'AnalysisTemplate';

/** Arguments Gantry provides to every template, from the promotion being analysed. */
export const BUILTIN_ARGS = ['service', 'stage', 'version', 'stableVersion', 'canaryVersion'] as const;
export type BuiltinArgName = (typeof BUILTIN_ARGS)[number];

export const DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;
export const DEFAULT_PROVIDER_TIMEOUT = '10s';
export const DEFAULT_BUILTIN_WINDOW = '1m';
export const DEFAULT_LATENCY_QUANTILE = 0.99;

// ---------------------------------------------------------------------------
// The parsed, normalised types.

export interface AnalysisTemplate {
  apiVersion: typeof PIPELINE_API_VERSION;
  kind: typeof ANALYSIS_TEMPLATE_KIND;
  /** metadata.name */
  name: string;
  spec: AnalysisTemplateSpec;
}

export interface AnalysisTemplateSpec {
  args: ArgSpec[];
  metrics: MetricSpec[];
}

export interface ArgSpec {
  name: string;
  /** The default; an analysis step's args override it. Without it, the step must give a value. */
  value?: string;
}

export interface MetricSpec {
  name: string;
  /** Time between the end of one measurement and the start of the next. */
  interval?: DurationSpec;
  /** Measurements to take, as written; see CompiledMetric.effectiveCount for what applies. */
  count?: number;
  /** Wait before the first measurement; default 0s. */
  initialDelay: DurationSpec;
  successCondition?: string;
  failureCondition?: string;
  /** Failed measurements tolerated; one more fails the metric. Default 0. */
  failureLimit: number;
  /** Inconclusive measurements tolerated; one more makes the metric inconclusive. Default 0. */
  inconclusiveLimit: number;
  /** Measurement errors in a row tolerated; one more makes the metric Error. Default 4. */
  consecutiveErrorLimit: number;
  provider: ProviderSpec;
}

export type ProviderSpec =
  { builtin: BuiltinProviderSpec } | { prometheus: PrometheusProviderSpec } | { web: WebProviderSpec };

export type ProviderKind = 'builtin' | 'prometheus' | 'web';

export type BuiltinMetricName = 'errorRate' | 'requestRate' | 'latency';

export interface BuiltinProviderSpec {
  metric: BuiltinMetricName;
  /** How far back the proxy's traffic is read; default 1m. */
  window: DurationSpec;
  /** latency only: the quantile, 0 < q <= 1; default 0.99. */
  quantile?: number;
  /** Whose traffic: the version being promoted (canary, default) or the one it replaces (stable). */
  role: 'canary' | 'stable';
}

export interface PrometheusProviderSpec {
  /** Base URL of the Prometheus HTTP API, e.g. http://prometheus:9090. */
  address: string;
  /** PromQL, with {{args.NAME}} placeholders (escaped for a PromQL string literal). */
  query: string;
  /** Default 10s. */
  timeout: DurationSpec;
}

export interface WebProviderSpec {
  /** http(s) URL, with {{args.NAME}} placeholders (URL-encoded). */
  url: string;
  /** Where the result is in the JSON answer, e.g. $.data.ok; absent: the whole answer. */
  jsonPath?: string;
  /** Request headers; a value may be a secret reference (env:NAME, file:/path). */
  headers: Record<string, string>;
  /** Default 10s. */
  timeout: DurationSpec;
}

/** A metric ready to run: conditions parsed, count settled. */
export interface CompiledMetric extends MetricSpec {
  successExpression?: Expression;
  failureExpression?: Expression;
  /**
   * Measurements that end the metric successfully, not counting errors:
   * `count` when given, 1 without interval, undefined (until stopped) with an
   * interval and no count.
   */
  effectiveCount?: number;
}

export interface CompiledAnalysisTemplate {
  args: ArgSpec[];
  metrics: CompiledMetric[];
}

export function providerKind(provider: ProviderSpec): ProviderKind {
  if ('builtin' in provider) return 'builtin';
  if ('prometheus' in provider) return 'prometheus';
  return 'web';
}

// ---------------------------------------------------------------------------
// Building blocks, in the style of pipeline-spec.ts (which keeps its own private).

// ---------------------------------------------------------------------------
// Placeholders: {{args.NAME}} in a Prometheus query or a web URL.

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface PlaceholderProblem {
  /** 0-based offset of the placeholder in the text. */
  position: number;
  message: string;
}

/** Why the placeholders of `text` are wrong, given the args it may use; empty when they are fine. */
export function placeholderProblems(text: string, argNames: readonly string[]): PlaceholderProblem[] {
  const problems: PlaceholderProblem[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) {
    const inner = match[1]!.trim();
    const position = match.index;
    const name = /^args\.(.*)$/.exec(inner)?.[1];
    if (name === undefined || !ARG_NAME.test(name)) {
      problems.push({ position, message: `${match[0]} is not a placeholder; write {{args.NAME}}` });
    } else if (!argNames.includes(name)) {
      const suggestion = closestMatch(name, argNames);
      problems.push({
        position,
        message: `unknown argument {{args.${name}}}${suggestion !== undefined ? `; did you mean {{args.${suggestion}}}?` : `; declare it under args`}`,
      });
    }
  }
  const stray = text.replace(PLACEHOLDER, (whole) => ' '.repeat(whole.length)).search(/\{\{|\}\}/);
  if (stray !== -1) problems.push({ position: stray, message: 'unbalanced {{ or }}; write {{args.NAME}}' });
  return problems;
}

/**
 * `text` with each {{args.NAME}} replaced by escape(value, NAME, offset of the
 * placeholder). Throws when an argument has no value; validation has already
 * refused unknown names.
 */
export function substitutePlaceholders(
  text: string,
  values: Readonly<Record<string, string | undefined>>,
  escape: (value: string, name: string, position: number) => string,
): string {
  return text.replace(PLACEHOLDER, (whole: string, inner: string, position: number) => {
    const name = /^args\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(inner.trim())?.[1];
    if (name === undefined) throw new Error(`${whole} is not a placeholder; write {{args.NAME}}`);
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined) throw new Error(`{{args.${name}}} has no value`);
    return escape(value, name, position);
  });
}

// ---------------------------------------------------------------------------
// JSON paths of the web provider: $.a.b[0], a.b[0], $["a b"].c, or $ for all.

export type JsonPath = (string | number)[];

/**
 * The segments of a JSON path, or throws an Error saying what is wrong and
 * where. Argo Rollouts' form in braces, `{$.data.ok}`, is read as `$.data.ok`.
 */
export function parseJsonPath(written: string): JsonPath {
  const braced = written.startsWith('{') && written.endsWith('}');
  const path = braced ? written.slice(1, -1) : written;
  const shift = braced ? 1 : 0;
  const segments: JsonPath = [];
  const fail = (problem: string, at: number): never => {
    throw new Error(`${problem} at column ${at + shift + 1} of ${JSON.stringify(written)}`);
  };
  let index: number;
  if (path.startsWith('$')) {
    index = 1;
  } else {
    const name = /^[A-Za-z0-9_-]+/.exec(path)?.[0];
    if (name === undefined) return fail('a path starts with $ or a field name', 0);
    segments.push(name);
    index = name.length;
  }
  while (index < path.length) {
    const rest = path.slice(index);
    const dotted = /^\.([A-Za-z0-9_-]+)/.exec(rest);
    const numbered = /^\[(\d+)\]/.exec(rest);
    const quoted = /^\[(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\]/.exec(rest);
    if (dotted !== null) {
      segments.push(dotted[1]!);
      index += dotted[0].length;
    } else if (numbered !== null) {
      segments.push(Number(numbered[1]));
      index += numbered[0].length;
    } else if (quoted !== null) {
      segments.push((quoted[1] ?? quoted[2]!).replace(/\\(.)/g, '$1'));
      index += quoted[0].length;
    } else {
      fail(`unexpected "${rest.slice(0, 10)}"; use .name, [0] or ["name"]`, index);
    }
  }
  return segments;
}

// ---------------------------------------------------------------------------
// Providers.

function urlProblem(text: string, options: { placeholders: boolean }): string | undefined {
  // Placeholders stand for values that are URL-encoded when substituted; a digit
  // checks the shape wherever one may stand (a host, a port, a path).
  const candidate = options.placeholders ? text.replace(PLACEHOLDER, '0') : text;
  const notUrl = 'is not a URL; write e.g. http://prometheus:9090';
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(candidate)) return notUrl;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return notUrl;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `${url.protocol}// is not supported; use http or https`;
  if (url.username !== '' || url.password !== '') {
    return 'must not contain credentials; put them in a header with a secret reference (env:NAME or file:/path)';
  }
  return undefined;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function headerValueProblem(name: string, value: string): string | undefined {
  if (/[\r\n\0]/.test(value)) return 'must be one line';
  if (/^(env|file):/.test(value)) return secretReferenceProblem(value);
  if (isSecretName(name)) {
    // Deliberately not quoting the value: it may be the secret itself.
    return `${name} carries a secret; write a reference such as env:METRICS_TOKEN or file:/run/secrets/metrics-token, never the secret itself`;
  }
  return undefined;
}

const BUILTIN_METRICS = ['errorRate', 'requestRate', 'latency'] as const;

const builtinProvider = strict({
  metric: z
    .enum(BUILTIN_METRICS)
    .describe(
      "What to read from Gantry's proxy: errorRate (5xx / requests), requestRate (requests per second) or latency (seconds at a quantile).",
    ),
  window: duration(`How far back traffic is read (default ${DEFAULT_BUILTIN_WINDOW}).`, {
    positive: true,
  }).prefault(DEFAULT_BUILTIN_WINDOW),
  quantile: z
    .number()
    .gt(0)
    .max(1)
    .optional()
    .describe(`latency only: the quantile, e.g. 0.99 (default ${DEFAULT_LATENCY_QUANTILE}).`),
  role: z
    .enum(['canary', 'stable'])
    .default('canary')
    .describe('Whose traffic: canary, the version being promoted (default), or stable, the one it replaces.'),
})
  .superRefine((spec, ctx) => {
    if (spec.quantile !== undefined && spec.metric !== 'latency') {
      ctx.addIssue({
        code: 'custom',
        path: ['quantile'],
        message: 'applies to metric latency only',
        input: spec.quantile,
      });
    }
  })
  .transform((spec): BuiltinProviderSpec =>
    spec.metric === 'latency' ? { ...spec, quantile: spec.quantile ?? DEFAULT_LATENCY_QUANTILE } : spec,
  )
  .describe("Traffic seen by Gantry's proxy (local target).");

const prometheusProvider = strict({
  address: z
    .string()
    .superRefine(problemCheck((value: string) => urlProblem(value, { placeholders: false })))
    .describe('Base URL of the Prometheus HTTP API, e.g. http://prometheus:9090.'),
  query: z
    .string()
    .min(1)
    .describe(
      'PromQL instant query; {{args.NAME}} is replaced by the argument, escaped for a PromQL string literal.',
    ),
  timeout: duration(`How long the query may take (default ${DEFAULT_PROVIDER_TIMEOUT}).`, {
    positive: true,
  }).prefault(DEFAULT_PROVIDER_TIMEOUT),
}).describe('A PromQL query against a Prometheus-compatible API.');

const webProvider = strict({
  url: z
    .string()
    .superRefine(problemCheck((value: string) => urlProblem(value, { placeholders: true })))
    .describe('URL to GET; {{args.NAME}} is replaced by the argument, URL-encoded.'),
  jsonPath: z
    .string()
    .superRefine(
      problemCheck((value: string) => {
        try {
          parseJsonPath(value);
          return undefined;
        } catch (error) {
          return errorMessage(error);
        }
      }),
    )
    .optional()
    .describe(
      'Where the result is in the JSON answer: $.data.ok, data.items[0] or $["a b"]; default: all of it.',
    ),
  headers: z
    .record(
      z
        .string()
        .regex(HEADER_NAME, { error: (issue) => `${JSON.stringify(issue.input)} is not a header name` }),
      z.string(),
    )
    .superRefine((headers, ctx) => {
      for (const [name, value] of Object.entries(headers)) {
        const message = headerValueProblem(name, value);
        if (message !== undefined) ctx.addIssue({ code: 'custom', path: [name], message, input: '' });
      }
    })
    .prefault({})
    .describe('Request headers; a value may be a secret reference, env:NAME or file:/absolute/path.'),
  timeout: duration(`How long the request may take (default ${DEFAULT_PROVIDER_TIMEOUT}).`, {
    positive: true,
  }).prefault(DEFAULT_PROVIDER_TIMEOUT),
}).describe('An HTTP GET whose JSON answer (or a part of it) is the result.');

const PROVIDER_KINDS = ['builtin', 'prometheus', 'web'] as const;

const provider = strict({
  builtin: builtinProvider.optional(),
  prometheus: prometheusProvider.optional(),
  web: webProvider.optional(),
})
  .superRefine((spec, ctx) => {
    const given = PROVIDER_KINDS.filter((key) => spec[key] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          given.length === 0
            ? 'needs one of builtin, prometheus or web'
            : `a metric has one provider; choose one of ${given.join(' and ')}`,
        input: spec,
      });
    }
  })
  .transform((spec): ProviderSpec => {
    if (spec.builtin !== undefined) return { builtin: spec.builtin };
    if (spec.prometheus !== undefined) return { prometheus: spec.prometheus };
    return { web: spec.web! };
  })
  .meta({
    description: 'Where measurements come from: builtin, prometheus or web (exactly one).',
    minProperties: 1,
    maxProperties: 1,
  });

// ---------------------------------------------------------------------------
// Metrics and the spec.

const condition = (description: string) => z.string().min(1).describe(description);
const limit = (description: string, fallback: number) =>
  z.number().int().min(0).default(fallback).describe(description);

const metric = strict({
  name: label('Metric name: lowercase letters, digits and "-", e.g. error-rate.'),
  interval: duration('Time between the end of one measurement and the start of the next.', {
    positive: true,
  }).optional(),
  count: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      'Measurements to take (errors do not count). Default: 1 without interval; until stopped with one.',
    ),
  initialDelay: duration('Wait before the first measurement (default 0s).').prefault('0s'),
  successCondition: condition('A measurement succeeds when this is true, e.g. result < 0.05.').optional(),
  failureCondition: condition('A measurement fails when this is true, e.g. result >= 0.2.').optional(),
  failureLimit: limit('Failed measurements tolerated; one more fails the metric (default 0).', 0),
  inconclusiveLimit: limit(
    'Inconclusive measurements tolerated; one more makes the metric inconclusive (default 0).',
    0,
  ),
  consecutiveErrorLimit: limit(
    `Measurement errors in a row tolerated; one more makes the metric Error (default ${DEFAULT_CONSECUTIVE_ERROR_LIMIT}).`,
    DEFAULT_CONSECUTIVE_ERROR_LIMIT,
  ),
  provider,
})
  .superRefine((spec, ctx) => {
    if (spec.count !== undefined && spec.count > 1 && spec.interval === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['interval'],
        message: `is required when count is more than 1: how long between the ${spec.count} measurements, e.g. 30s`,
        input: undefined,
      });
    }
    for (const key of ['failureLimit', 'inconclusiveLimit'] as const) {
      if (spec.count !== undefined && spec[key] > spec.count) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `must be at most count (${spec.count}); with ${spec[key]} the limit can never be exceeded`,
          input: spec[key],
        });
      }
    }
  })
  .describe('One measured quantity, its conditions and limits.');

const arg = strict({
  name: z
    .string()
    .regex(ARG_NAME, {
      error: (issue) =>
        `${JSON.stringify(issue.input)} is not an argument name: use letters, digits and _, not starting with a digit (it is written args.NAME)`,
    })
    .describe('Argument name, used as args.NAME in conditions and {{args.NAME}} in queries and URLs.'),
  value: text
    .optional()
    .describe('Default value; an analysis step may give another. Without it, the step must.'),
}).describe('An argument of the template.');

function read(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Object.hasOwn(value, key)
      ? (value as Record<string, unknown>)[key]
      : undefined
    : undefined;
}

/** Names a template may use as args.NAME: its declared args and Gantry's built-ins. Tolerates unparsed input. */
function usableArgNames(args: unknown): string[] {
  const declared = Array.isArray(args)
    ? args.map((item) => read(item, 'name')).filter((name): name is string => typeof name === 'string')
    : [];
  return [...declared, ...BUILTIN_ARGS];
}

function conditionIssue(error: ExpressionError): string {
  return `column ${error.column}: ${error.detail}`;
}

/** The spec of an AnalysisTemplate document: `args` and `metrics`. */
export const analysisTemplateSpecSchema = strict({
  args: z
    .array(arg)
    .default([])
    .describe(`Arguments of the template; Gantry always provides ${BUILTIN_ARGS.join(', ')} as well.`),
  metrics: z.array(metric).min(1).describe('What to measure; the analysis passes when every metric does.'),
})
  .superRefine(
    (spec, ctx) => {
      // Runs even when parts failed to parse, so every problem is reported at once.
      const raw = spec as unknown;
      const args = read(raw, 'args');
      const argNames = usableArgNames(args);
      const seenArgs = new Set<string>();
      (Array.isArray(args) ? args : []).forEach((item, index) => {
        const name = read(item, 'name');
        if (typeof name !== 'string') return;
        if ((BUILTIN_ARGS as readonly string[]).includes(name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['args', index, 'name'],
            message: `${name} is provided by Gantry (as are ${BUILTIN_ARGS.join(', ')}); use it without declaring it, or choose another name`,
            input: name,
          });
        } else if (seenArgs.has(name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['args', index, 'name'],
            message: `${name} is declared twice`,
            input: name,
          });
        }
        seenArgs.add(name);
      });
      const metrics = read(raw, 'metrics');
      const seenMetrics = new Set<string>();
      (Array.isArray(metrics) ? metrics : []).forEach((item, index) => {
        const name = read(item, 'name');
        if (typeof name === 'string') {
          if (seenMetrics.has(name)) {
            ctx.addIssue({
              code: 'custom',
              path: ['metrics', index, 'name'],
              message: `another metric is already named ${name}`,
              input: name,
            });
          }
          seenMetrics.add(name);
        }
        for (const key of ['successCondition', 'failureCondition'] as const) {
          const source = read(item, key);
          if (typeof source !== 'string' || source === '') continue;
          try {
            parseExpression(source, { argNames });
          } catch (error) {
            if (!(error instanceof ExpressionError)) throw error;
            ctx.addIssue({
              code: 'custom',
              path: ['metrics', index, key],
              message: conditionIssue(error),
              input: source,
            });
          }
        }
        const providerSpec = read(item, 'provider');
        const templated: [string, string][] = [
          ['prometheus', 'query'],
          ['web', 'url'],
        ];
        for (const [kind, field] of templated) {
          const value = read(read(providerSpec, kind), field);
          if (typeof value !== 'string') continue;
          for (const problem of placeholderProblems(value, argNames)) {
            ctx.addIssue({
              code: 'custom',
              path: ['metrics', index, 'provider', kind, field],
              message: `column ${problem.position + 1}: ${problem.message}`,
              input: value,
            });
          }
        }
      });
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  )
  .describe('What an analysis measures and how it judges the measurements.');

const analysisTemplateDocument = strict({
  apiVersion: z.literal(PIPELINE_API_VERSION).describe('Version of the document format.'),
  kind: z.literal(ANALYSIS_TEMPLATE_KIND),
  metadata: strict({
    name: label('Template name, as analysis steps refer to it (templateName).'),
  }),
  spec: analysisTemplateSpecSchema,
});

/** A whole AnalysisTemplate document: apiVersion, kind, metadata.name and spec. */
export const analysisTemplateSchema = analysisTemplateDocument.transform((document): AnalysisTemplate => ({
  apiVersion: document.apiVersion,
  kind: document.kind,
  name: document.metadata.name,
  spec: document.spec,
}));

// ---------------------------------------------------------------------------
// Checking, compiling, arguments.

export interface TemplateIssue {
  /** Path in the document as written: ['spec', 'metrics', 0, 'successCondition']. */
  path: (string | number)[];
  message: string;
  /** The issue is about the key itself (an unknown key), not its value. */
  atKey: boolean;
}

export type TemplateCheck =
  { success: true; template: AnalysisTemplate } | { success: false; issues: TemplateIssue[] };

export function checkAnalysisTemplate(value: unknown): TemplateCheck {
  const result = analysisTemplateSchema.safeParse(value, { error: pipelineIssueMessage, reportInput: true });
  if (result.success) return { success: true, template: result.data };
  return { success: false, issues: flattenIssues(result.error.issues, []) };
}

/** Parses one AnalysisTemplate document, or throws a ValidationError listing every problem. */
export function parseAnalysisTemplate(value: unknown): AnalysisTemplate {
  const result = checkAnalysisTemplate(value);
  if (result.success) return result.template;
  const issues = result.issues.map((issue) => ({ path: displayPath(issue.path), message: issue.message }));
  const listed = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
  throw new ValidationError(`Invalid analysis template: ${listed.join('; ')}`, { issues });
}

/**
 * Parses the conditions of a validated spec and settles each metric's count.
 * Throws a ValidationError when a condition does not parse, which happens only
 * for a spec that did not go through analysisTemplateSpecSchema.
 */
export function compileAnalysisTemplate(spec: AnalysisTemplateSpec): CompiledAnalysisTemplate {
  const argNames = [...spec.args.map((item) => item.name), ...BUILTIN_ARGS];
  return {
    args: spec.args,
    metrics: spec.metrics.map((item, index) => compileMetric(item, argNames, index)),
  };
}

function compileMetric(metricSpec: MetricSpec, argNames: readonly string[], index: number): CompiledMetric {
  const compiled: CompiledMetric = { ...metricSpec };
  for (const [key, target] of [
    ['successCondition', 'successExpression'],
    ['failureCondition', 'failureExpression'],
  ] as const) {
    const source = metricSpec[key];
    if (source === undefined) continue;
    try {
      compiled[target] = parseExpression(source, { argNames });
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      throw new ValidationError(`metrics[${index}].${key}: ${conditionIssue(error)}`, {
        issues: [{ path: `metrics[${index}].${key}`, message: conditionIssue(error) }],
      });
    }
  }
  const effectiveCount = metricSpec.count ?? (metricSpec.interval === undefined ? 1 : undefined);
  if (effectiveCount !== undefined) compiled.effectiveCount = effectiveCount;
  return compiled;
}

/**
 * The value of every declared argument: the analysis step's value, else the
 * template's default. Arguments the step gives that the template does not
 * declare are ignored (a step may serve several templates). Throws a
 * ValidationError naming each argument left without a value.
 */
export function resolveTemplateArgs(
  spec: Pick<AnalysisTemplateSpec, 'args'>,
  supplied: readonly { name: string; value: string }[],
  templateName = 'the template',
): Record<string, string> {
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const declared of spec.args) {
    const given = supplied.find((item) => item.name === declared.name)?.value ?? declared.value;
    if (given === undefined) missing.push(declared.name);
    else values[declared.name] = given;
  }
  if (missing.length > 0) {
    const unused = supplied
      .map((item) => item.name)
      .filter((name) => !spec.args.some((a) => a.name === name));
    const hints = missing.flatMap((name) => {
      const given = closestMatch(name, unused);
      return given === undefined ? [] : [`; the step gives ${given}: is it ${name}?`];
    });
    throw new ValidationError(
      `${templateName} needs a value for ${missing.map((name) => `args.${name}`).join(', ')}: give it in the analysis step's args${hints.join('')}`,
      { missing },
    );
  }
  return values;
}
