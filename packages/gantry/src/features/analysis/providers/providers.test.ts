import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  analysisTemplateSpecSchema,
  compileAnalysisTemplate,
  type CompiledMetric,
} from '../analysis-template-spec.js';
import { measurementPhase } from '../analysis-semantics.js';
import { BuiltinProvider, type TrafficSelector, type TrafficWindow } from './builtin.provider.js';
import {
  argumentValues,
  conditionArgs,
  MetricProviderError,
  MetricProviders,
  type MeasureContext,
} from './metric-provider.js';
import { escapePromqlString, PrometheusProvider, renderPromQL } from './prometheus.provider.js';
import { readJsonPath, WebProvider } from './web.provider.js';

function metric(
  provider: unknown,
  fields: Record<string, unknown> = {},
  args: unknown[] = [],
): CompiledMetric {
  const spec = analysisTemplateSpecSchema.parse({ args, metrics: [{ name: 'm', provider, ...fields }] });
  return compileAnalysisTemplate(spec).metrics[0]!;
}

const context: MeasureContext = {
  args: { region: "eu-west'1" },
  service: 'checkout',
  stage: 'prod',
  canaryVersion: '2026.03.7',
  stableVersion: '2026.03.6',
  now: new Date('2026-03-01T10:00:00.000Z'),
};

async function failure(promise: Promise<unknown>): Promise<MetricProviderError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MetricProviderError) return error;
    throw error;
  }
  throw new Error('expected the measurement to fail');
}

type Handler = (request: IncomingMessage, response: ServerResponse, url: URL) => void;

async function listen(handler: Handler): Promise<{ server: Server; base: string }> {
  const server = createServer((request, response) => {
    handler(request, response, new URL(request.url ?? '/', 'http://localhost'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, base: `http://127.0.0.1:${port}` };
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
}

describe('prometheus provider', () => {
  // Answers as the Prometheus HTTP API does (https://prometheus.io/docs/prometheus/latest/querying/api/).
  const answers: Record<string, [number, unknown]> = {
    'up{job="node"}': [
      200,
      {
        status: 'success',
        data: {
          resultType: 'vector',
          result: [
            {
              metric: { __name__: 'up', job: 'node', instance: 'localhost:9100' },
              value: [1435781451.781, '1'],
            },
            {
              metric: { __name__: 'up', job: 'node', instance: 'localhost:9101' },
              value: [1435781451.781, '0'],
            },
          ],
        },
      },
    ],
    error_ratio: [
      200,
      {
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [1435781451.781, '0.031'] }] },
      },
    ],
    no_traffic: [
      200,
      {
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [1435781451.781, 'NaN'] }] },
      },
    ],
    absent_series: [200, { status: 'success', data: { resultType: 'vector', result: [] } }],
    'scalar(1.5)': [
      200,
      { status: 'success', data: { resultType: 'scalar', result: [1435781451.781, '1.5'] } },
    ],
    '"hello"': [
      200,
      { status: 'success', data: { resultType: 'string', result: [1435781451.781, 'hello'] } },
    ],
    'up[5m]': [
      200,
      {
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            {
              metric: { __name__: 'up' },
              values: [
                [1435781430.781, '1'],
                [1435781445.781, '1'],
              ],
            },
          ],
        },
      },
    ],
    'sum(': [
      400,
      {
        status: 'error',
        errorType: 'bad_data',
        error: 'invalid parameter "query": 1:5: parse error: unclosed left parenthesis',
      },
    ],
    slow_aggregation: [
      422,
      {
        status: 'error',
        errorType: 'execution',
        error: 'query processing would load too many samples into memory',
      },
    ],
  };

  let server: Server;
  let base: string;
  const seen: URL[] = [];

  beforeAll(async () => {
    ({ server, base } = await listen((request, response, url) => {
      seen.push(url);
      if (url.pathname === '/prefix/api/v1/query' || url.pathname === '/api/v1/query') {
        const query = url.searchParams.get('query') ?? '';
        if (query === 'hang') return; // never answers
        if (query === 'html') {
          response.writeHead(502, { 'Content-Type': 'text/html' });
          response.end('<html>Bad Gateway</html>');
          return;
        }
        const answer = answers[query];
        if (answer !== undefined) return json(response, answer[0], answer[1]);
        return json(response, 200, { status: 'success', data: { resultType: 'vector', result: [] } });
      }
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      response.end('404 page not found');
    }));
  });
  afterAll(() => close(server));
  afterEach(() => {
    seen.length = 0;
  });

  const provider = new PrometheusProvider();
  const measure = (query: string, fields: Record<string, unknown> = {}, address = base) =>
    provider.measure(metric({ prometheus: { address, query, ...fields } }), context);

  it('queries /api/v1/query at the measurement time', async () => {
    await measure('error_ratio');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.pathname).toBe('/api/v1/query');
    expect(seen[0]!.searchParams.get('query')).toBe('error_ratio');
    expect(seen[0]!.searchParams.get('time')).toBe('1772359200.000');
    await measure('error_ratio', {}, `${base}/prefix/`);
    expect(seen[1]!.pathname).toBe('/prefix/api/v1/query');
  });

  it('turns a vector into a list of numbers', async () => {
    await expect(measure('up{job="node"}')).resolves.toEqual([1, 0]);
    await expect(measure('error_ratio')).resolves.toEqual([0.031]);
    await expect(measure('absent_series')).resolves.toEqual([]);
    const noTraffic = (await measure('no_traffic')) as number[];
    expect(noTraffic).toHaveLength(1);
    expect(noTraffic[0]).toBeNaN();
  });

  it('turns a scalar into a number and a string into text', async () => {
    await expect(measure('scalar(1.5)')).resolves.toBe(1.5);
    await expect(measure('"hello"')).resolves.toBe('hello');
  });

  it('feeds conditions as documented', async () => {
    const judged = metric(
      { prometheus: { address: base, query: 'error_ratio' } },
      { successCondition: 'result[0] < 0.05' },
    );
    const value = await provider.measure(judged, context);
    expect(measurementPhase(judged, value).phase).toBe('Successful');
  });

  it("reports Prometheus' errorType and error", async () => {
    expect((await failure(measure('sum('))).message).toBe(
      `prometheus at ${base}/ refused the query (HTTP 400, bad_data): invalid parameter "query": 1:5: parse error: unclosed left parenthesis`,
    );
    expect((await failure(measure('slow_aggregation'))).message).toContain('(HTTP 422, execution)');
  });

  it('refuses range vectors, non-JSON answers and wrong addresses', async () => {
    expect((await failure(measure('up[5m]'))).message).toContain('returned a range vector (matrix)');
    expect((await failure(measure('html'))).message).toBe(
      `prometheus at ${base}/ answered HTTP 502 Bad Gateway`,
    );
    expect((await failure(measure('up', {}, `${base}/nothing`))).message).toBe(
      `prometheus at ${base}/nothing answered HTTP 404 Not Found`,
    );
  });

  it('gives up after the timeout', async () => {
    const started = Date.now();
    expect((await failure(measure('hang', { timeout: '200ms' }))).message).toBe(
      `prometheus at ${base}/ did not answer within 200ms`,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = provider.measure(
      metric({ prometheus: { address: base, query: 'hang' } }),
      context,
      controller.signal,
    );
    setTimeout(() => controller.abort(), 50);
    expect((await failure(pending)).message).toBe(`prometheus at ${base}/: the measurement was stopped`);
  });

  it('says when Prometheus cannot be reached, without credentials', async () => {
    const closed = await listen(() => undefined);
    await close(closed.server);
    expect((await failure(measure('up', {}, closed.base))).message).toBe(
      `cannot reach prometheus at ${closed.base}/: ECONNREFUSED`,
    );
    // The schema refuses credentials in the address; a hand-made spec shows they are redacted anyway.
    const unreachable = metric({ prometheus: { address: closed.base, query: 'up' } });
    const spec = (unreachable.provider as { prometheus: { address: string } }).prometheus;
    spec.address = closed.base.replace('http://', 'http://user:s3cret@');
    const error = await failure(provider.measure(unreachable, context));
    expect(error.message.startsWith('cannot reach prometheus at http://user:***@127.0.0.1:')).toBe(true);
    expect(error.message).not.toContain('s3cret');
  });

  it('substitutes arguments escaped for a PromQL string', async () => {
    const templated = metric(
      {
        prometheus: {
          address: base,
          query: `sum(rate(x{service="{{args.service}}",version='{{args.version}}',region="{{args.region}}"}[{{args.window}}]))`,
        },
      },
      {},
      [{ name: 'region' }, { name: 'window' }],
    );
    await provider.measure(templated, { ...context, args: { region: 'eu"west\\1\n', window: '5m' } });
    expect(seen[0]!.searchParams.get('query')).toBe(
      `sum(rate(x{service="checkout",version='2026.03.7',region="eu\\"west\\\\1\\n"}[5m]))`,
    );
  });

  it('refuses values that would change the shape of the query', () => {
    const values = { x: 'a"} or up{b="' };
    expect(renderPromQL('up{a="{{args.x}}"}', values)).toBe('up{a="a\\"} or up{b=\\""}');
    expect(renderPromQL("up{a='{{args.x}}'}", values)).toBe(`up{a='a"} or up{b="'}`);
    expect(() => renderPromQL('up[{{args.x}}]', values)).toThrow(
      'query: {{args.x}} stands outside a PromQL string, so its value may only hold letters, digits and _ . : + -; put the placeholder in quotes',
    );
    expect(renderPromQL('up[{{args.w}}]', { w: '5m' })).toBe('up[5m]');
    expect(() => renderPromQL('up{a=`{{args.x}}`}', { x: 'a`b' })).toThrow('contains a backtick');
    expect(renderPromQL('up{a=`{{args.x}}`}', { x: 'a\\b' })).toBe('up{a=`a\\b`}');
    // Quotes inside a string and in comments do not confuse the scan.
    expect(renderPromQL('up{a="x\\"y", b="{{args.x}}"}', { x: '"' })).toBe('up{a="x\\"y", b="\\""}');
    expect(renderPromQL('# it\'s\nup{b="{{args.x}}"}', { x: '"' })).toBe('# it\'s\nup{b="\\""}');
    expect(() =>
      renderPromQL(
        'up{a="{{args.stableVersion}}"}',
        argumentValues({ ...context, stableVersion: undefined }),
      ),
    ).toThrow('query: {{args.stableVersion}} has no value');
  });

  it('escapes for either quote', () => {
    expect(escapePromqlString(`a"b'c\\d\te\u0001`)).toBe(`a\\"b'c\\\\d\\te\\x01`);
    expect(escapePromqlString(`a"b'c`, "'")).toBe(`a"b\\'c`);
  });
});

describe('web provider', () => {
  let server: Server;
  let base: string;
  const requests: IncomingMessage[] = [];

  beforeAll(async () => {
    ({ server, base } = await listen((request, response, url) => {
      requests.push(request);
      switch (url.pathname) {
        case '/status':
          return json(response, 200, { data: { ok: true, items: [{ value: 0.2 }], 'error-rate': 0.01 } });
        case '/echo':
          return json(response, 200, {
            path: url.pathname,
            query: url.search,
            auth: request.headers.authorization ?? null,
          });
        case '/proto':
          response.writeHead(200, { 'Content-Type': 'application/json' });
          response.end('{"__proto__": {"polluted": true}, "plain": 1}');
          return;
        case '/down':
          return json(response, 503, { error: 'maintenance' });
        case '/html':
          response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
          response.end('<html></html>');
          return;
        case '/big':
          response.writeHead(200, { 'Content-Type': 'application/json' });
          response.end(JSON.stringify({ blob: 'x'.repeat(2048) }));
          return;
        case '/hang':
          return;
        default:
          if (url.pathname.startsWith('/service/')) {
            return json(response, 200, { raw: url.pathname });
          }
          response.writeHead(404);
          response.end();
      }
    }));
  });
  afterAll(() => close(server));
  afterEach(() => {
    requests.length = 0;
  });

  const secrets = new Map([['env:STATUS_TOKEN', 'Bearer t0ken']]);
  const provider = new WebProvider({
    resolveSecret: (reference) => {
      const value = secrets.get(reference);
      return value === undefined
        ? Promise.reject(new Error(`${reference}: the environment variable is not set`))
        : Promise.resolve(value);
    },
  });
  const measure = (web: Record<string, unknown>) => provider.measure(metric({ web }), context);

  it('reads the whole answer or the value at jsonPath', async () => {
    await expect(measure({ url: `${base}/status`, jsonPath: '$.data.ok' })).resolves.toBe(true);
    await expect(measure({ url: `${base}/status`, jsonPath: 'data.items[0].value' })).resolves.toBe(0.2);
    await expect(measure({ url: `${base}/status`, jsonPath: '$.data.error-rate' })).resolves.toBe(0.01);
    await expect(measure({ url: `${base}/status` })).resolves.toEqual({
      data: { ok: true, items: [{ value: 0.2 }], 'error-rate': 0.01 },
    });
    expect(requests[0]!.headers.accept).toBe('application/json');
  });

  it('says which step of the path is missing', async () => {
    expect((await failure(measure({ url: `${base}/status`, jsonPath: '$.data.missing' }))).message).toBe(
      `GET ${base}/status: $.data.missing: $.data has no field "missing"`,
    );
    expect((await failure(measure({ url: `${base}/status`, jsonPath: '$.data.items[3]' }))).message).toBe(
      `GET ${base}/status: $.data.items[3]: $.data.items has 1 items, so no [3]`,
    );
    expect((await failure(measure({ url: `${base}/status`, jsonPath: '$.data.ok.x' }))).message).toBe(
      `GET ${base}/status: $.data.ok.x: $.data.ok is not a mapping, so it has no .x`,
    );
    expect((await failure(measure({ url: `${base}/status`, jsonPath: '$.data[0]' }))).message).toContain(
      '$.data is not a list',
    );
  });

  it('reads own properties only', async () => {
    await expect(measure({ url: `${base}/status`, jsonPath: '$.data.constructor' })).rejects.toThrow(
      'has no field "constructor"',
    );
    await expect(measure({ url: `${base}/status`, jsonPath: '$.data.toString' })).rejects.toThrow(
      'has no field',
    );
    // A "__proto__" key in JSON is plain data, not a prototype.
    await expect(measure({ url: `${base}/proto`, jsonPath: '$["__proto__"].polluted' })).resolves.toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(readJsonPath([1, 2], [1], '$[1]')).toBe(2);
  });

  it('substitutes URL-encoded arguments', async () => {
    const templated = metric(
      { web: { url: `${base}/service/{{args.service}}/{{args.region}}?v={{args.version}}` } },
      {},
      [{ name: 'region' }],
    );
    await expect(
      provider.measure(templated, { ...context, args: { region: 'eu west/1&x' } }),
    ).resolves.toEqual({
      raw: '/service/checkout/eu%20west%2F1%26x',
    });
    expect(requests[0]!.url).toBe('/service/checkout/eu%20west%2F1%26x?v=2026.03.7');
  });

  it('resolves secret headers at each measurement and never shows them', async () => {
    const value = await measure({
      url: `${base}/echo`,
      headers: { Authorization: 'env:STATUS_TOKEN', 'X-Team': 'payments' },
    });
    expect(value).toMatchObject({ auth: 'Bearer t0ken' });
    expect(requests[0]!.headers['x-team']).toBe('payments');
    const missing = await failure(
      measure({ url: `${base}/echo`, headers: { Authorization: 'env:OTHER_TOKEN' } }),
    );
    expect(missing.message).toBe('env:OTHER_TOKEN: the environment variable is not set');
  });

  it('uses resolveSecretReference by default', async () => {
    const name = 'GANTRY_TEST_WEB_PROVIDER_TOKEN';
    process.env[name] = 'Bearer from-env';
    try {
      const value = await new WebProvider().measure(
        metric({ web: { url: `${base}/echo`, headers: { Authorization: `env:${name}` } } }),
        context,
      );
      expect(value).toMatchObject({ auth: 'Bearer from-env' });
    } finally {
      delete process.env[name];
    }
    const error = await failure(
      new WebProvider().measure(
        metric({ web: { url: `${base}/echo`, headers: { Authorization: `env:${name}` } } }),
        context,
      ),
    );
    expect(error.message).toBe(
      `header Authorization env:${name}: the environment variable ${name} is not set`,
    );
  });

  it('reports non-2xx, non-JSON, oversized and slow answers', async () => {
    expect((await failure(measure({ url: `${base}/down` }))).message).toBe(
      `GET ${base}/down answered HTTP 503 Service Unavailable`,
    );
    expect((await failure(measure({ url: `${base}/html` }))).message).toBe(
      `GET ${base}/html answered with something that is not JSON (text/html)`,
    );
    const small = new WebProvider({ maxBytes: 1024 });
    expect(
      (await failure(small.measure(metric({ web: { url: `${base}/big` } }), context))).message,
    ).toContain('more than the 1024 bytes accepted');
    expect((await failure(measure({ url: `${base}/hang`, timeout: '150ms' }))).message).toBe(
      `GET ${base}/hang did not answer within 150ms`,
    );
  });

  it('redacts secrets in the URL from messages', async () => {
    const error = await failure(measure({ url: `${base}/down?token=abc123` }));
    expect(error.message).toBe(`GET ${base}/down?token=*** answered HTTP 503 Service Unavailable`);
    expect(error.message).not.toContain('abc123');
  });
});

describe('builtin provider', () => {
  const windows: [TrafficSelector, number][] = [];
  const traffic = new Map<string, Omit<TrafficWindow, 'latencyQuantile'> & { latency?: number }>([
    ['2026.03.7/canary', { requests: 200, errors: 7, durationSeconds: 20, latency: 0.12 }],
    ['2026.03.6/stable', { requests: 1000, errors: 1, durationSeconds: 60, latency: 0.08 }],
    ['idle/canary', { requests: 0, errors: 0, durationSeconds: 0 }],
  ]);
  const provider = new BuiltinProvider({
    window(selector, windowMs) {
      windows.push([selector, windowMs]);
      const found = traffic.get(`${selector.version}/${selector.role}`) ?? {
        requests: 0,
        errors: 0,
        durationSeconds: 0,
      };
      return {
        ...found,
        latencyQuantile: (q) => (found.latency === undefined ? undefined : found.latency * q),
      };
    },
  });
  const builtin = (fields: Record<string, unknown>) => metric({ builtin: fields });

  afterEach(() => {
    windows.length = 0;
  });

  it('measures the canary by default over the window', async () => {
    await expect(provider.measure(builtin({ metric: 'errorRate', window: '30s' }), context)).resolves.toBe(
      0.035,
    );
    expect(windows).toEqual([
      [{ service: 'checkout', stage: 'prod', version: '2026.03.7', role: 'canary' }, 30_000],
    ]);
  });

  it('measures the stable version when asked', async () => {
    await expect(
      provider.measure(builtin({ metric: 'requestRate', role: 'stable' }), context),
    ).resolves.toBeCloseTo(1000 / 60);
    expect(windows[0]![0]).toEqual({
      service: 'checkout',
      stage: 'prod',
      version: '2026.03.6',
      role: 'stable',
    });
    expect(windows[0]![1]).toBe(60_000);
  });

  it('reads latency at the quantile, in seconds', async () => {
    await expect(provider.measure(builtin({ metric: 'latency' }), context)).resolves.toBeCloseTo(0.12 * 0.99);
    await expect(
      provider.measure(builtin({ metric: 'latency', quantile: 0.5 }), context),
    ).resolves.toBeCloseTo(0.06);
  });

  it('gives NaN without traffic', async () => {
    const idle = { ...context, canaryVersion: 'idle' };
    await expect(provider.measure(builtin({ metric: 'errorRate' }), idle)).resolves.toBeNaN();
    await expect(provider.measure(builtin({ metric: 'requestRate' }), idle)).resolves.toBeNaN();
    await expect(provider.measure(builtin({ metric: 'latency' }), idle)).resolves.toBeNaN();
    const judged = metric({ builtin: { metric: 'errorRate' } }, { successCondition: 'result < 0.05' });
    expect(measurementPhase(judged, await provider.measure(judged, idle)).phase).toBe('Failed');
  });

  it('says when there is no version to measure', async () => {
    const first = { ...context, stableVersion: undefined };
    expect(
      (await failure(provider.measure(builtin({ metric: 'errorRate', role: 'stable' }), first))).message,
    ).toBe('builtin errorRate: checkout has no stable version in prod yet to measure');
  });
});

describe('metric providers', () => {
  it('hands each metric to the provider of its kind', async () => {
    const providers = new MetricProviders({
      builtin: { measure: () => Promise.resolve('from builtin') },
    });
    await expect(providers.measure(metric({ builtin: { metric: 'errorRate' } }), context)).resolves.toBe(
      'from builtin',
    );
    expect(
      (await failure(providers.measure(metric({ web: { url: 'https://x.example/' } }), context))).message,
    ).toBe('m: the web provider is not available in this Gantry');
  });

  it('provides the built-in arguments', () => {
    expect(argumentValues({ ...context, args: { service: 'ignored', threshold: '0.05' } })).toEqual({
      threshold: '0.05',
      service: 'checkout',
      stage: 'prod',
      version: '2026.03.7',
      canaryVersion: '2026.03.7',
      stableVersion: '2026.03.6',
    });
    expect(conditionArgs({ ...context, stableVersion: undefined, args: {} })).toEqual({
      service: 'checkout',
      stage: 'prod',
      version: '2026.03.7',
      canaryVersion: '2026.03.7',
    });
  });

  it('keeps credentials out of provider errors', () => {
    expect(new MetricProviderError('cannot reach http://a:b@host/').message).toBe(
      'cannot reach http://a:***@host/',
    );
  });
});
