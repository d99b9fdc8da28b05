// The web provider: GET a URL, read the JSON answer, and take the value at
// jsonPath (the whole answer without one). Placeholders in the URL are
// URL-encoded; header values that are secret references (env:NAME,
// file:/path) are resolved at each measurement, so a rotated secret is used
// without a restart, and never appear in a message.

import { redactUrl } from '../../../shared/redact.js';
import { isSecretReference, resolveSecretReference } from '../../../shared/secret-reference.js';
import {
  parseJsonPath,
  substitutePlaceholders,
  type CompiledMetric,
  type JsonPath,
} from '../analysis-template-spec.js';
import {
  argumentValues,
  httpGet,
  MetricProviderError,
  type MeasureContext,
  type MetricProvider,
} from './metric-provider.js';

export interface WebProviderOptions {
  fetch?: typeof fetch;
  /** Largest answer accepted; default 1 MiB. */
  maxBytes?: number;
  /** Resolves a header's secret reference (tests); default resolveSecretReference. */
  resolveSecret?: (reference: string, what: string) => Promise<string>;
}

export class WebProvider implements MetricProvider {
  constructor(private readonly options: WebProviderOptions = {}) {}

  async measure(metric: CompiledMetric, context: MeasureContext, signal?: AbortSignal): Promise<unknown> {
    if (!('web' in metric.provider)) throw new MetricProviderError(`${metric.name} is not measured by web`);
    const spec = metric.provider.web;
    let url: string;
    try {
      url = substitutePlaceholders(spec.url, argumentValues(context), (value) => encodeURIComponent(value));
    } catch (error) {
      throw new MetricProviderError(`url: ${(error as Error).message}`);
    }
    const what = `GET ${redactUrl(url)}`;
    const headers = await this.headers(spec.headers);
    const answer = await httpGet(url, {
      headers,
      timeoutMs: spec.timeout.ms,
      signal,
      what,
      maxBytes: this.options.maxBytes,
      fetch: this.options.fetch,
    });
    if (answer.status < 200 || answer.status >= 300) {
      throw new MetricProviderError(
        `${what} answered HTTP ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''}`,
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      const type = answer.contentType ? ` (${answer.contentType.split(';')[0]})` : '';
      throw new MetricProviderError(`${what} answered with something that is not JSON${type}`);
    }
    if (spec.jsonPath === undefined) return body;
    return readJsonPath(body, parseJsonPath(spec.jsonPath), spec.jsonPath, what);
  }

  private async headers(written: Readonly<Record<string, string>>): Promise<Record<string, string>> {
    const resolve = this.options.resolveSecret ?? resolveSecretReference;
    const headers: Record<string, string> = { Accept: 'application/json' };
    for (const [name, value] of Object.entries(written)) {
      try {
        headers[name] = isSecretReference(value) ? await resolve(value, `header ${name}`) : value;
      } catch (error) {
        throw new MetricProviderError((error as Error).message);
      }
    }
    return headers;
  }
}

/**
 * The value at `path` in `data`, reading own properties of plain objects and
 * items of arrays only; throws MetricProviderError naming the first step that
 * is missing.
 */
export function readJsonPath(data: unknown, path: JsonPath, written: string, what = 'the answer'): unknown {
  let value = data;
  let reached = '$';
  for (const segment of path) {
    const step =
      typeof segment === 'number'
        ? `[${segment}]`
        : /^[A-Za-z0-9_-]+$/.test(segment)
          ? `.${segment}`
          : `[${JSON.stringify(segment)}]`;
    if (typeof segment === 'number') {
      if (!Array.isArray(value)) {
        throw new MetricProviderError(`${what}: ${written}: ${reached} is not a list, so it has no ${step}`);
      }
      if (segment >= value.length) {
        throw new MetricProviderError(
          `${what}: ${written}: ${reached} has ${value.length} items, so no ${step}`,
        );
      }
      value = value[segment] as unknown;
    } else {
      if (!isJsonObject(value)) {
        throw new MetricProviderError(
          `${what}: ${written}: ${reached} is not a mapping, so it has no ${step}`,
        );
      }
      if (!Object.hasOwn(value, segment)) {
        throw new MetricProviderError(
          `${what}: ${written}: ${reached} has no field ${JSON.stringify(segment)}`,
        );
      }
      value = value[segment];
    }
    reached += step;
  }
  return value;
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
