import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ValidationError } from '../../shared/errors.js';
import {
  analysisTemplateSpecSchema,
  checkAnalysisTemplate,
  compileAnalysisTemplate,
  parseAnalysisTemplate,
  parseJsonPath,
  placeholderProblems,
  resolveTemplateArgs,
  substitutePlaceholders,
  type AnalysisTemplateSpec,
  type TemplateIssue,
} from './analysis-template-spec.js';

const prometheus = {
  prometheus: {
    address: 'http://prometheus:9090',
    query: "sum(rate(http_requests_total{service='{{args.service}}',code=~'5..'}[1m]))",
  },
};

function document(spec: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: 'gantry.dev/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'error-rate' },
    spec,
  };
}

function metric(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'error-rate', successCondition: 'result < 0.05', provider: prometheus, ...fields };
}

function parse(spec: Record<string, unknown>): AnalysisTemplateSpec {
  return parseAnalysisTemplate(document(spec)).spec;
}

/** The problems found, without where they point (atKey is checked by the file reader's tests). */
function issues(spec: Record<string, unknown>): Omit<TemplateIssue, 'atKey'>[] {
  const result = checkAnalysisTemplate(document(spec));
  if (result.success) throw new Error('expected the template to be refused');
  return result.issues.map(({ path, message }) => ({ path, message }));
}

describe('analysis template spec', () => {
  it('parses the documented example with defaults filled in', () => {
    const template = parseAnalysisTemplate(
      document({
        args: [{ name: 'threshold', value: '0.05' }, { name: 'region' }],
        metrics: [
          {
            name: 'error-rate',
            interval: '5s',
            count: 3,
            successCondition: 'result[0] < args.threshold',
            failureCondition: 'result[0] >= 0.2',
            provider: prometheus,
          },
          { name: 'canary-errors', provider: { builtin: { metric: 'errorRate', window: '30s' } } },
          { name: 'p99', provider: { builtin: { metric: 'latency' } }, successCondition: 'result < 0.5' },
          {
            name: 'health',
            successCondition: 'result == true',
            provider: {
              web: {
                url: 'https://status.example.com/{{args.service}}/{{ args.region }}',
                jsonPath: '$.data.ok',
                headers: { Authorization: 'env:STATUS_TOKEN', 'X-Team': 'payments' },
              },
            },
          },
        ],
      }),
    );
    expect(template.name).toBe('error-rate');
    expect(template.kind).toBe('AnalysisTemplate');
    const [first, builtin, latency, web] = template.spec.metrics;
    expect(template.spec.args).toEqual([{ name: 'threshold', value: '0.05' }, { name: 'region' }]);
    expect(first).toEqual({
      name: 'error-rate',
      interval: { text: '5s', ms: 5000 },
      count: 3,
      initialDelay: { text: '0s', ms: 0 },
      successCondition: 'result[0] < args.threshold',
      failureCondition: 'result[0] >= 0.2',
      failureLimit: 0,
      inconclusiveLimit: 0,
      consecutiveErrorLimit: 4,
      provider: { prometheus: { ...prometheus.prometheus, timeout: { text: '10s', ms: 10_000 } } },
    });
    expect(builtin!.provider).toEqual({
      builtin: { metric: 'errorRate', window: { text: '30s', ms: 30_000 }, role: 'canary' },
    });
    expect(latency!.provider).toEqual({
      builtin: { metric: 'latency', window: { text: '1m', ms: 60_000 }, role: 'canary', quantile: 0.99 },
    });
    expect(web!.provider).toEqual({
      web: {
        url: 'https://status.example.com/{{args.service}}/{{ args.region }}',
        jsonPath: '$.data.ok',
        headers: { Authorization: 'env:STATUS_TOKEN', 'X-Team': 'payments' },
        timeout: { text: '10s', ms: 10_000 },
      },
    });
  });

  it('exposes the spec schema on its own', () => {
    const spec = analysisTemplateSpecSchema.parse({ metrics: [metric()] });
    expect(spec.args).toEqual([]);
    expect(spec.metrics[0]!.name).toBe('error-rate');
  });

  it('reports condition errors at their path with the column', () => {
    expect(issues({ metrics: [metric({ successCondition: 'reslt < 0.05' })] })).toEqual([
      {
        path: ['spec', 'metrics', 0, 'successCondition'],
        message: 'column 1: unknown name "reslt"; did you mean result?',
      },
    ]);
    expect(issues({ metrics: [metric({ failureCondition: 'result >= (0.2' })] })).toEqual([
      {
        path: ['spec', 'metrics', 0, 'failureCondition'],
        message: 'column 15: the condition ends too early; close the parenthesis with )',
      },
    ]);
    expect(issues({ metrics: [metric({ successCondition: 'result.constructor' })] })[0]!.message).toBe(
      'column 8: "constructor" cannot be read; only fields of the measured data can be read',
    );
  });

  it('checks args.NAME against the declared args and the built-ins', () => {
    expect(
      issues({
        args: [{ name: 'threshold' }],
        metrics: [
          metric({ successCondition: 'result < args.treshold', failureCondition: 'args.version == "x"' }),
        ],
      }),
    ).toEqual([
      {
        path: ['spec', 'metrics', 0, 'successCondition'],
        message: 'column 10: unknown argument args.treshold; did you mean args.threshold?',
      },
    ]);
    expect(() =>
      parse({ metrics: [metric({ successCondition: 'args.stage == "prod" and args.canaryVersion != ""' })] }),
    ).not.toThrow();
  });

  it('checks placeholders in queries and URLs', () => {
    const query = (text: string) => ({
      metrics: [metric({ provider: { prometheus: { address: 'http://prom:9090', query: text } } })],
    });
    expect(() =>
      parse(query('up{service="{{args.service}}", version="{{args.stableVersion}}"}')),
    ).not.toThrow();
    expect(issues(query('up{service="{{args.servce}}"}'))).toEqual([
      {
        path: ['spec', 'metrics', 0, 'provider', 'prometheus', 'query'],
        message: 'column 13: unknown argument {{args.servce}}; did you mean {{args.service}}?',
      },
    ]);
    expect(issues(query('up{a="{{service}}"}'))[0]!.message).toBe(
      'column 7: {{service}} is not a placeholder; write {{args.NAME}}',
    );
    expect(issues(query('up{a="{{args.service"}'))[0]!.message).toBe(
      'column 7: unbalanced {{ or }}; write {{args.NAME}}',
    );
    expect(
      issues({
        metrics: [metric({ provider: { web: { url: 'https://x.example/{{args.nope}}' } } })],
      }),
    ).toEqual([
      {
        path: ['spec', 'metrics', 0, 'provider', 'web', 'url'],
        message: 'column 19: unknown argument {{args.nope}}; declare it under args',
      },
    ]);
  });

  it('applies the count, interval and limit rules', () => {
    expect(issues({ metrics: [metric({ count: 3 })] })).toEqual([
      {
        path: ['spec', 'metrics', 0, 'interval'],
        message: 'is required when count is more than 1: how long between the 3 measurements, e.g. 30s',
      },
    ]);
    expect(issues({ metrics: [metric({ count: 2, interval: '10s', failureLimit: 3 })] })).toEqual([
      {
        path: ['spec', 'metrics', 0, 'failureLimit'],
        message: 'must be at most count (2); with 3 the limit can never be exceeded',
      },
    ]);
    expect(issues({ metrics: [metric({ interval: '0s' })] })).toEqual([
      { path: ['spec', 'metrics', 0, 'interval'], message: 'must be longer than 0' },
    ]);
    expect(issues({ metrics: [metric({ initialDelay: 'soon' })] })[0]!.path).toEqual([
      'spec',
      'metrics',
      0,
      'initialDelay',
    ]);
    expect(issues({ metrics: [metric({ failureLimit: -1 })] })).toEqual([
      { path: ['spec', 'metrics', 0, 'failureLimit'], message: 'must be at least 0' },
    ]);
    expect(issues({ metrics: [metric({ count: 0 })] })).toEqual([
      { path: ['spec', 'metrics', 0, 'count'], message: 'must be at least 1' },
    ]);
  });

  it('refuses unknown keys, duplicate names and built-in arg names', () => {
    expect(issues({ metrics: [metric({ sucessCondition: 'result < 1' })] })).toEqual([
      {
        path: ['spec', 'metrics', 0, 'sucessCondition'],
        message: 'unknown key; did you mean "successCondition"?',
      },
    ]);
    expect(issues({ metrics: [metric(), metric()] })).toEqual([
      { path: ['spec', 'metrics', 1, 'name'], message: 'another metric is already named error-rate' },
    ]);
    expect(issues({ args: [{ name: 'x' }, { name: 'x' }], metrics: [metric()] })).toEqual([
      { path: ['spec', 'args', 1, 'name'], message: 'x is declared twice' },
    ]);
    expect(issues({ args: [{ name: 'service' }], metrics: [metric()] })[0]!.message).toContain(
      'service is provided by Gantry',
    );
    expect(issues({ args: [{ name: 'my-arg' }], metrics: [metric()] })[0]!.message).toContain(
      'is not an argument name',
    );
    expect(issues({ metrics: [] })).toEqual([
      { path: ['spec', 'metrics'], message: 'must list at least 1 item' },
    ]);
    expect(issues({ metrics: [metric({ name: 'Error Rate' })] })[0]!.message).toContain(
      'is not a valid name',
    );
  });

  it('reports every problem at once', () => {
    const found = issues({
      metrics: [
        metric({ count: 'three', successCondition: 'reslt < 1' }),
        metric({ name: 'x', provider: {} }),
      ],
    });
    expect(found.map((issue) => issue.path.join('.'))).toEqual([
      'spec.metrics.0.count',
      'spec.metrics.1.provider',
      'spec.metrics.0.successCondition',
    ]);
  });

  it('checks providers', () => {
    expect(issues({ metrics: [metric({ provider: {} })] })).toEqual([
      { path: ['spec', 'metrics', 0, 'provider'], message: 'needs one of builtin, prometheus or web' },
    ]);
    expect(
      issues({
        metrics: [metric({ provider: { ...prometheus, builtin: { metric: 'errorRate' } } })],
      }),
    ).toEqual([
      {
        path: ['spec', 'metrics', 0, 'provider'],
        message: 'a metric has one provider; choose one of builtin and prometheus',
      },
    ]);
    expect(issues({ metrics: [metric({ provider: { builtin: { metric: 'errorate' } } })] })).toEqual([
      {
        path: ['spec', 'metrics', 0, 'provider', 'builtin', 'metric'],
        message: '"errorate" is not one of errorRate, requestRate, latency; did you mean "errorRate"?',
      },
    ]);
    expect(
      issues({ metrics: [metric({ provider: { builtin: { metric: 'errorRate', quantile: 0.9 } } })] }),
    ).toEqual([
      {
        path: ['spec', 'metrics', 0, 'provider', 'builtin', 'quantile'],
        message: 'applies to metric latency only',
      },
    ]);
    expect(
      issues({ metrics: [metric({ provider: { builtin: { metric: 'latency', quantile: 1.5 } } })] })[0]!
        .message,
    ).toBe('must be at most 1');
    expect(
      issues({ metrics: [metric({ provider: { prometheus: { address: 'prom:9090', query: 'up' } } })] })[0]!
        .message,
    ).toContain('is not a URL');
    expect(
      issues({
        metrics: [
          metric({ provider: { prometheus: { address: 'http://u:secret@prom:9090', query: 'up' } } }),
        ],
      })[0]!.message,
    ).toContain('must not contain credentials');
    expect(
      issues({ metrics: [metric({ provider: { web: { url: 'ftp://x.example/a' } } })] })[0]!.message,
    ).toBe('ftp:// is not supported; use http or https');
    expect(
      issues({
        metrics: [metric({ provider: { web: { url: 'https://x.example', jsonPath: '$.a..b' } } })],
      })[0]!.message,
    ).toBe('unexpected "..b"; use .name, [0] or ["name"] at column 4 of "$.a..b"');
  });

  it('keeps secrets out of web headers', () => {
    const headers = (value: Record<string, string>) =>
      issues({ metrics: [metric({ provider: { web: { url: 'https://x.example', headers: value } } })] });
    const refused = headers({ Authorization: 'Bearer abc123' });
    expect(refused).toEqual([
      {
        path: ['spec', 'metrics', 0, 'provider', 'web', 'headers', 'Authorization'],
        message:
          'Authorization carries a secret; write a reference such as env:METRICS_TOKEN or file:/run/secrets/metrics-token, never the secret itself',
      },
    ]);
    expect(JSON.stringify(refused)).not.toContain('abc123');
    expect(headers({ 'X-Api-Key': 'file:relative' })[0]!.message).toContain('absolute path');
    expect(headers({ 'Bad Header': 'x' })[0]!.message).toBe('"Bad Header" is not a header name');
    expect(headers({ 'X-A': 'a\r\nInjected: 1' })[0]!.message).toBe('must be one line');
  });

  it('throws a ValidationError listing the problems', () => {
    expect(() => parse({ metrics: [metric({ successCondition: 'reslt < 1' })] })).toThrow(ValidationError);
    expect(() => parse({ metrics: [metric({ successCondition: 'reslt < 1' })] })).toThrow(
      'Invalid analysis template: metrics[0].successCondition: column 1: unknown name "reslt"; did you mean result?',
    );
  });
});

describe('compiling a template', () => {
  it('parses conditions and settles the count', () => {
    const compiled = compileAnalysisTemplate(
      parse({
        args: [{ name: 'threshold', value: '0.05' }],
        metrics: [
          metric({ successCondition: 'result[0] < args.threshold', failureCondition: 'result[0] > 1' }),
          metric({ name: 'forever', interval: '30s' }),
          metric({ name: 'five', interval: '30s', count: 5 }),
          metric({ name: 'bare', successCondition: undefined }),
        ],
      }),
    );
    const [once, forever, five, bare] = compiled.metrics;
    expect(once!.effectiveCount).toBe(1);
    expect(once!.successExpression?.source).toBe('result[0] < args.threshold');
    expect(once!.successExpression?.argNames).toEqual(['threshold']);
    expect(once!.failureExpression?.source).toBe('result[0] > 1');
    expect(forever!.effectiveCount).toBeUndefined();
    expect(five!.effectiveCount).toBe(5);
    expect(bare!.successExpression).toBeUndefined();
    expect(compiled.args).toEqual([{ name: 'threshold', value: '0.05' }]);
  });

  it('refuses a spec that skipped validation', () => {
    const spec = parse({ metrics: [metric()] });
    spec.metrics[0]!.successCondition = 'result <';
    expect(() => compileAnalysisTemplate(spec)).toThrow(
      'metrics[0].successCondition: column 9: the condition ends too early; expected a value',
    );
  });
});

describe('template arguments', () => {
  const spec = { args: [{ name: 'threshold', value: '0.05' }, { name: 'region' }] };

  it('takes the step value, else the default', () => {
    expect(resolveTemplateArgs(spec, [{ name: 'region', value: 'eu' }])).toEqual({
      threshold: '0.05',
      region: 'eu',
    });
    expect(
      resolveTemplateArgs(spec, [
        { name: 'region', value: 'eu' },
        { name: 'threshold', value: '0.1' },
        { name: 'other', value: 'ignored' },
      ]),
    ).toEqual({ threshold: '0.1', region: 'eu' });
  });

  it('names the arguments without a value', () => {
    expect(() => resolveTemplateArgs(spec, [], 'the analysis template error-rate')).toThrow(
      "the analysis template error-rate needs a value for args.region: give it in the analysis step's args",
    );
    expect(() => resolveTemplateArgs(spec, [{ name: 'regoin', value: 'eu' }])).toThrow(
      'the step gives regoin: is it region?',
    );
  });
});

describe('placeholders', () => {
  it('substitutes with the given escaping', () => {
    expect(
      substitutePlaceholders('a {{args.x}} b {{ args.y }}', { x: '1 2', y: '&' }, (value) =>
        encodeURIComponent(value),
      ),
    ).toBe('a 1%202 b %26');
    expect(() => substitutePlaceholders('{{args.z}}', { z: undefined }, (value) => value)).toThrow(
      '{{args.z}} has no value',
    );
    expect(() => substitutePlaceholders('{{args.toString}}', {}, (value) => value)).toThrow('has no value');
  });

  it('lists problems with positions', () => {
    expect(placeholderProblems('{{args.a}} {{args.b}}', ['a'])).toEqual([
      { position: 11, message: 'unknown argument {{args.b}}; declare it under args' },
    ]);
    expect(placeholderProblems('no placeholders {a="b"}', [])).toEqual([]);
  });
});

describe('JSON paths', () => {
  it('reads the documented forms', () => {
    expect(parseJsonPath('$')).toEqual([]);
    expect(parseJsonPath('$.data.ok')).toEqual(['data', 'ok']);
    expect(parseJsonPath('data.ok')).toEqual(['data', 'ok']);
    expect(parseJsonPath('$.items[0].value')).toEqual(['items', 0, 'value']);
    expect(parseJsonPath('items[2]')).toEqual(['items', 2]);
    expect(parseJsonPath("$[\"a b\"]['c\\'d']")).toEqual(['a b', "c'd"]);
    expect(parseJsonPath('$.error-rate')).toEqual(['error-rate']);
    expect(parseJsonPath('{$.data.ok}')).toEqual(['data', 'ok']);
  });

  it('refuses anything else with the column', () => {
    expect(() => parseJsonPath('')).toThrow('a path starts with $ or a field name at column 1 of ""');
    expect(() => parseJsonPath('$.a[*]')).toThrow('unexpected "[*]"; use .name, [0] or ["name"] at column 4');
    expect(() => parseJsonPath('$..a')).toThrow('at column 2');
    expect(() => parseJsonPath('.a')).toThrow('a path starts with $ or a field name');
    expect(() => parseJsonPath('{$.a[x]}')).toThrow('at column 5 of "{$.a[x]}"');
  });
});

describe('docs/analysis.md', () => {
  it('shows a template that validates', () => {
    const text = readFileSync(new URL('../../../../../docs/analysis.md', import.meta.url), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(text)?.[1];
    expect(example).toBeDefined();
    const template = parseAnalysisTemplate(parseYaml(example!));
    const compiled = compileAnalysisTemplate(template.spec);
    expect(compiled.metrics.map((item) => item.name)).toEqual(['error-rate', 'p99-latency']);
    expect(compiled.metrics[0]!.effectiveCount).toBe(5);
  });
});
