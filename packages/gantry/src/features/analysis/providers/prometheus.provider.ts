// The prometheus provider: one instant query against the Prometheus HTTP API
// (GET /api/v1/query), at the measurement's time. What conditions see:
//
//   vector  → a list of numbers, in the order Prometheus returns the series,
//             also for a single series (so conditions say result[0]) and empty
//             when nothing matched (so `len(result) == 0` tests for no data);
//   scalar  → a number;
//   string  → the text.
//
// Sample values arrive as text ("0.05", "NaN", "+Inf") and are read as
// numbers. A range vector (matrix) or native histogram samples are refused
// with a hint. Placeholders ({{args.NAME}}) inside a PromQL string literal are
// escaped for that literal (its quote, backslash, control characters); outside
// a string literal a value may only be a plain token (a number, a duration, a
// name), so no argument can change the shape of the query.

import { redactUrl } from '../../../shared/redact.js';
import { substitutePlaceholders, type CompiledMetric } from '../analysis-template-spec.js';
import { parseNumericText } from '../expression/expression-evaluator.js';
import {
  argumentValues,
  httpGet,
  MetricProviderError,
  type HttpAnswer,
  type MeasureContext,
  type MetricProvider,
} from './metric-provider.js';

export interface PrometheusProviderOptions {
  fetch?: typeof fetch;
  /** Largest answer accepted; default 1 MiB. */
  maxBytes?: number;
}

export type PrometheusResult = number | number[] | string;

export class PrometheusProvider implements MetricProvider {
  constructor(private readonly options: PrometheusProviderOptions = {}) {}

  async measure(
    metric: CompiledMetric,
    context: MeasureContext,
    signal?: AbortSignal,
  ): Promise<PrometheusResult> {
    if (!('prometheus' in metric.provider)) {
      throw new MetricProviderError(`${metric.name} is not measured by prometheus`);
    }
    const spec = metric.provider.prometheus;
    const query = renderPromQL(spec.query, argumentValues(context));
    const what = `prometheus at ${redactUrl(spec.address)}`;
    const answer = await httpGet(prometheusQueryUrl(spec.address, query, context.now), {
      headers: { Accept: 'application/json' },
      timeoutMs: spec.timeout.ms,
      signal,
      what,
      maxBytes: this.options.maxBytes,
      fetch: this.options.fetch,
    });
    return prometheusResult(answer, what);
  }
}

/** The instant-query URL: `${address}/api/v1/query?query=…&time=<unix seconds>`. */
export function prometheusQueryUrl(address: string, query: string, time: Date): string {
  const params = new URLSearchParams({ query, time: (time.getTime() / 1000).toFixed(3) });
  return `${address.replace(/\/+$/, '')}/api/v1/query?${params.toString()}`;
}

type Quote = '"' | "'" | '`';

/** Which string literal (if any) each offset of a PromQL text is inside. */
function quoteAt(query: string, offset: number): Quote | undefined {
  let open: Quote | undefined;
  for (let index = 0; index < offset; index++) {
    const char = query[index];
    if (open === undefined) {
      if (char === '"' || char === "'" || char === '`') open = char;
      else if (char === '#') {
        // A comment runs to the end of the line; quotes in it open nothing.
        const newline = query.indexOf('\n', index);
        if (newline === -1 || newline >= offset) return undefined;
        index = newline;
      }
    } else if (char === '\\' && open !== '`') {
      index++;
    } else if (char === open) {
      open = undefined;
    }
  }
  return open;
}

const PLAIN_TOKEN = /^[A-Za-z0-9_.:+-]*$/;

/** The query with its placeholders replaced, each value escaped for where it stands. */
export function renderPromQL(query: string, values: Readonly<Record<string, string | undefined>>): string {
  try {
    return substitutePlaceholders(query, values, (value, name, position) => {
      const quote = quoteAt(query, position);
      if (quote === undefined) {
        if (!PLAIN_TOKEN.test(value)) {
          throw new Error(
            `{{args.${name}}} stands outside a PromQL string, so its value may only hold letters, digits and _ . : + -; put the placeholder in quotes`,
          );
        }
        return value;
      }
      if (quote === '`') {
        if (value.includes('`')) {
          throw new Error(
            `the value of {{args.${name}}} contains a backtick, which a raw string cannot hold`,
          );
        }
        return value;
      }
      return escapePromqlString(value, quote);
    });
  } catch (error) {
    throw new MetricProviderError(`query: ${(error as Error).message}`);
  }
}

/** `value` escaped for a PromQL string literal delimited by `quote` (" by default). */
export function escapePromqlString(value: string, quote: '"' | "'" = '"'): string {
  let escaped = '';
  for (const char of value) {
    if (char === '\\') escaped += '\\\\';
    else if (char === quote) escaped += `\\${quote}`;
    else if (char === '\n') escaped += '\\n';
    else if (char === '\r') escaped += '\\r';
    else if (char === '\t') escaped += '\\t';
    else if (char < ' ' || char === '\u007f')
      escaped += `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else escaped += char;
  }
  return escaped;
}

interface PrometheusEnvelope {
  status?: unknown;
  data?: { resultType?: unknown; result?: unknown };
  errorType?: unknown;
  error?: unknown;
}

/** The value conditions see, from an answer of /api/v1/query; throws MetricProviderError. */
export function prometheusResult(answer: HttpAnswer, what = 'prometheus'): PrometheusResult {
  let envelope: PrometheusEnvelope;
  try {
    envelope = JSON.parse(answer.body) as PrometheusEnvelope;
  } catch {
    throw new MetricProviderError(
      answer.status >= 200 && answer.status < 300
        ? `${what} answered with something that is not JSON; is the address the Prometheus HTTP API?`
        : `${what} answered HTTP ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''}`,
    );
  }
  if (typeof envelope !== 'object' || envelope === null) {
    throw new MetricProviderError(`${what} answered with JSON that is not a Prometheus API response`);
  }
  if (envelope.status === 'error') {
    const type = typeof envelope.errorType === 'string' ? envelope.errorType : 'error';
    const message = typeof envelope.error === 'string' ? envelope.error : 'no message';
    throw new MetricProviderError(`${what} refused the query (HTTP ${answer.status}, ${type}): ${message}`);
  }
  if (answer.status < 200 || answer.status >= 300 || envelope.status !== 'success') {
    throw new MetricProviderError(`${what} answered HTTP ${answer.status} without a result`);
  }
  const resultType = envelope.data?.resultType;
  const result = envelope.data?.result;
  switch (resultType) {
    case 'vector':
      if (!Array.isArray(result)) break;
      return result.map((series, index) => vectorSample(series, index, what));
    case 'scalar':
      return sampleNumber(result, what);
    case 'string': {
      const text = Array.isArray(result) ? (result[1] as unknown) : undefined;
      if (typeof text === 'string') return text;
      break;
    }
    case 'matrix':
      throw new MetricProviderError(
        `${what} returned a range vector (matrix); make the query an instant vector, e.g. rate(x[5m]) or avg_over_time(x[5m]) instead of x[5m]`,
      );
  }
  throw new MetricProviderError(
    `${what} answered with a result Gantry cannot read (resultType ${String(resultType)})`,
  );
}

function vectorSample(series: unknown, index: number, what: string): number {
  const sample = series as { value?: unknown; histogram?: unknown } | null;
  if (
    sample !== null &&
    typeof sample === 'object' &&
    sample.value === undefined &&
    sample.histogram !== undefined
  ) {
    throw new MetricProviderError(
      `${what} returned native histogram samples; query a number from them, e.g. with histogram_quantile(0.99, ...)`,
    );
  }
  return sampleNumber(sample?.value, what, index);
}

/** A sample is [<unix time>, "<value>"]; the value is text. */
function sampleNumber(sample: unknown, what: string, index?: number): number {
  const text = Array.isArray(sample) ? (sample[1] as unknown) : undefined;
  const value = typeof text === 'string' ? parseNumericText(text) : undefined;
  if (value === undefined) {
    const where = index === undefined ? 'the scalar' : `series ${index}`;
    throw new MetricProviderError(`${what} answered with a sample Gantry cannot read as a number (${where})`);
  }
  return value;
}
