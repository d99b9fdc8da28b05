// Where measurements come from. A provider takes one measurement of one metric
// and returns the value conditions see as `result`; it throws
// MetricProviderError when it cannot, and the runner records that as a
// measurement with phase Error (see analysis-semantics.ts).

import { redactText } from '../../../shared/redact.js';
import { providerKind, type CompiledMetric, type ProviderKind } from '../analysis-template-spec.js';

export interface MeasureContext {
  /** The template's arguments, resolved (see resolveTemplateArgs). */
  args: Record<string, string>;
  service: string;
  stage: string;
  /** The version being promoted. */
  canaryVersion?: string;
  /** The version it replaces; absent for the first release in a stage. */
  stableVersion?: string;
  now: Date;
}

export interface MetricProvider {
  /** The measured value (`result` in conditions); throws MetricProviderError. */
  measure(metric: CompiledMetric, context: MeasureContext, signal?: AbortSignal): Promise<unknown>;
}

/** A measurement could not be taken. The message is safe to store and show: it never holds a secret. */
export class MetricProviderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(redactText(message), options);
    this.name = 'MetricProviderError';
  }
}

/**
 * Every argument a provider may substitute: the template's, then Gantry's
 * built-ins from the context (service, stage, version, canaryVersion,
 * stableVersion), which win. A built-in without a value (no stable version
 * yet) is absent, so substituting it fails with a clear message.
 */
export function argumentValues(context: MeasureContext): Record<string, string | undefined> {
  return {
    ...context.args,
    service: context.service,
    stage: context.stage,
    version: context.canaryVersion,
    canaryVersion: context.canaryVersion,
    stableVersion: context.stableVersion,
  };
}

/** Arguments for conditions (args.NAME): those with a value. */
export function conditionArgs(context: MeasureContext): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(argumentValues(context))) {
    if (value !== undefined) values[name] = value;
  }
  return values;
}

/** One provider per kind; measure() hands each metric to the provider of its kind. */
export class MetricProviders implements MetricProvider {
  constructor(private readonly providers: Partial<Record<ProviderKind, MetricProvider>>) {}

  measure(metric: CompiledMetric, context: MeasureContext, signal?: AbortSignal): Promise<unknown> {
    const kind = providerKind(metric.provider);
    const provider = this.providers[kind];
    if (provider === undefined) {
      return Promise.reject(
        new MetricProviderError(`${metric.name}: the ${kind} provider is not available in this Gantry`),
      );
    }
    return provider.measure(metric, context, signal);
  }
}

export interface HttpAnswer {
  status: number;
  statusText: string;
  contentType: string;
  body: string;
}

export interface HttpGetOptions {
  headers?: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Names the server in messages, e.g. `prometheus at http://prometheus:9090`; never a secret. */
  what: string;
  /** A larger answer is refused; default 1 MiB. */
  maxBytes?: number;
  fetch?: typeof fetch;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;

/**
 * GET with the provider's timeout and the caller's signal, reading the whole
 * body under both. A timeout, an abort, a network failure and an oversized
 * answer each become a MetricProviderError that says which.
 */
export async function httpGet(url: string, options: HttpGetOptions): Promise<HttpAnswer> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const fetchImpl = options.fetch ?? fetch;
  try {
    const response = await fetchImpl(url, {
      method: 'GET',
      headers: options.headers,
      signal,
      redirect: 'follow',
    });
    const body = await readBody(response, maxBytes, options.what);
    return {
      status: response.status,
      statusText: response.statusText,
      contentType: response.headers.get('content-type') ?? '',
      body,
    };
  } catch (error) {
    if (error instanceof MetricProviderError) throw error;
    if (timeout.aborted) {
      throw new MetricProviderError(`${options.what} did not answer within ${formatMs(options.timeoutMs)}`, {
        cause: error,
      });
    }
    if (options.signal?.aborted) {
      throw new MetricProviderError(`${options.what}: the measurement was stopped`, { cause: error });
    }
    throw new MetricProviderError(`cannot reach ${options.what}: ${networkReason(error)}`, { cause: error });
  }
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

async function readBody(response: Response, maxBytes: number, what: string): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new MetricProviderError(
      `${what} answered with ${declared} bytes, more than the ${maxBytes} accepted`,
    );
  }
  if (response.body === null) return '';
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new MetricProviderError(`${what} answered with more than the ${maxBytes} bytes accepted`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
