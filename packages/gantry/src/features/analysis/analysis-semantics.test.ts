import { describe, expect, it } from 'vitest';
import {
  ERROR_RETRY_INTERVAL_MS,
  errorMeasurement,
  explainMetric,
  explainRun,
  formatValue,
  isCompleted,
  measurementOf,
  measurementPhase,
  metricPhase,
  nextMeasurementDue,
  runPhase,
  storableValue,
  tallyMeasurements,
  worsePhase,
  type AnalysisPhase,
  type Measurement,
  type MeasurementPhase,
} from './analysis-semantics.js';
import {
  analysisTemplateSpecSchema,
  compileAnalysisTemplate,
  type CompiledMetric,
} from './analysis-template-spec.js';

function compiled(fields: Record<string, unknown> = {}, args: unknown[] = []): CompiledMetric {
  const spec = analysisTemplateSpecSchema.parse({
    args,
    metrics: [{ name: 'error-rate', provider: { builtin: { metric: 'errorRate' } }, ...fields }],
  });
  return compileAnalysisTemplate(spec).metrics[0]!;
}

const start = new Date('2026-03-01T10:00:00.000Z');

/** Measurements one per `spacing` seconds from the start, with the given phases and values. */
function measured(phases: MeasurementPhase[], values: unknown[] = [], spacing = 10): Measurement[] {
  return phases.map((phase, index) => {
    const startedAt = new Date(start.getTime() + index * spacing * 1000);
    const finishedAt = new Date(startedAt.getTime() + 1000);
    const measurement: Measurement = {
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      phase,
    };
    if (phase === 'Error') measurement.message = 'prometheus at http://prom:9090 did not answer within 5s';
    else measurement.value = values[index] ?? 0.01;
    return measurement;
  });
}

describe('measurement phase (Argo Rollouts rules)', () => {
  const both = compiled({ successCondition: 'result < 0.05', failureCondition: 'result >= 0.2' });
  const onlySuccess = compiled({ successCondition: 'result < 0.05' });
  const onlyFailure = compiled({ failureCondition: 'result >= 0.2' });
  const none = compiled();

  const table: [string, CompiledMetric, unknown, MeasurementPhase][] = [
    ['both, success true', both, 0.01, 'Successful'],
    ['both, failure true', both, 0.3, 'Failed'],
    ['both, neither', both, 0.1, 'Inconclusive'],
    ['only success, true', onlySuccess, 0.01, 'Successful'],
    ['only success, false', onlySuccess, 0.1, 'Failed'],
    ['only failure, true', onlyFailure, 0.3, 'Failed'],
    ['only failure, false', onlyFailure, 0.1, 'Successful'],
    ['no conditions', none, 123, 'Successful'],
    ['only success, NaN', onlySuccess, NaN, 'Failed'],
    ['only failure, NaN', onlyFailure, NaN, 'Successful'],
    ['both, NaN', both, NaN, 'Inconclusive'],
    ['condition cannot be evaluated', onlySuccess, [0.01], 'Error'],
  ];
  for (const [name, metric, value, phase] of table) {
    it(name, () => {
      expect(measurementPhase(metric, value).phase).toBe(phase);
    });
  }

  it('failure wins when both conditions are true', () => {
    const overlapping = compiled({ successCondition: 'result < 1', failureCondition: 'result > 0.5' });
    expect(measurementPhase(overlapping, 0.7)).toEqual({
      phase: 'Failed',
      message: '0.7 meets the failure condition result > 0.5',
    });
  });

  it('says why', () => {
    expect(measurementPhase(onlySuccess, 0.01).message).toBe('0.01 meets result < 0.05');
    expect(measurementPhase(onlySuccess, 0.31).message).toBe('0.31 does not meet result < 0.05');
    expect(measurementPhase(onlyFailure, 0.1).message).toBe(
      '0.1 does not meet the failure condition result >= 0.2',
    );
    expect(measurementPhase(both, 0.1).message).toBe(
      '0.1 meets neither result < 0.05 nor the failure condition result >= 0.2',
    );
    expect(measurementPhase(none, 5).message).toBe(
      '5 (no conditions: a measurement without an error succeeds)',
    );
    expect(measurementPhase(onlySuccess, NaN).message).toBe(
      'NaN does not meet result < 0.05; the value is NaN (no data): write isNaN(...) in a condition to say what no data means',
    );
    expect(measurementPhase(onlySuccess, [0.01]).message).toBe(
      '[0.01]: cannot compare result (a list of 1 item) with 0.05 using <; compare an item, e.g. result[0] at column 1 of "result < 0.05"',
    );
  });

  it('passes args to conditions', () => {
    const metric = compiled({ successCondition: 'result < args.threshold' }, [{ name: 'threshold' }]);
    expect(measurementPhase(metric, 0.1, { threshold: '0.2' }).phase).toBe('Successful');
    expect(measurementPhase(metric, 0.1, { threshold: '0.05' }).phase).toBe('Failed');
    expect(measurementPhase(metric, 0.1, {}).phase).toBe('Error');
  });

  it('lets isNaN decide what no data means', () => {
    const lenient = compiled({ successCondition: 'isNaN(result) or result < 0.05' });
    expect(measurementPhase(lenient, NaN).phase).toBe('Successful');
    const vector = compiled({ successCondition: 'len(result) == 0 or result[0] < 0.05' });
    expect(measurementPhase(vector, []).phase).toBe('Successful');
    expect(measurementPhase(vector, [0.5]).phase).toBe('Failed');
  });
});

describe('storing measurements', () => {
  it('judges and stamps a value', () => {
    const metric = compiled({ successCondition: 'result < 0.05' });
    expect(
      measurementOf(metric, 0.01, {}, { startedAt: start, finishedAt: new Date(start.getTime() + 250) }),
    ).toEqual({
      startedAt: '2026-03-01T10:00:00.000Z',
      finishedAt: '2026-03-01T10:00:00.250Z',
      value: 0.01,
      phase: 'Successful',
      message: '0.01 meets result < 0.05',
    });
  });

  it('keeps NaN and infinities through JSON, readable by conditions again', () => {
    const metric = compiled({ successCondition: 'isNaN(result[0]) and result[1] > 1' });
    const measurement = measurementOf(metric, [NaN, Infinity], {}, { startedAt: start, finishedAt: start });
    expect(measurement.value).toEqual(['NaN', '+Inf']);
    const stored = JSON.parse(JSON.stringify(measurement)) as Measurement;
    expect(measurementPhase(metric, stored.value).phase).toBe('Successful');
    expect(storableValue({ a: -Infinity, b: [1] })).toEqual({ a: '-Inf', b: [1] });
    expect(storableValue('x'.repeat(5000))).toBe(
      'the text "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..." (too large to keep)',
    );
  });

  it('records a provider error with its message, credentials redacted', () => {
    expect(
      errorMeasurement(new Error('cannot reach http://user:hunter2@prom:9090: ECONNREFUSED'), {
        startedAt: start,
        finishedAt: start,
      }),
    ).toEqual({
      startedAt: start.toISOString(),
      finishedAt: start.toISOString(),
      phase: 'Error',
      message: 'cannot reach http://user:***@prom:9090: ECONNREFUSED',
    });
  });
});

describe('metric phase', () => {
  it('is Pending before the first measurement', () => {
    expect(metricPhase(compiled(), [])).toBe('Pending');
    expect(metricPhase(compiled(), [], { stopped: true })).toBe('Successful');
  });

  it('succeeds once the count is reached, errors not counting', () => {
    const metric = compiled({ interval: '10s', count: 3 });
    expect(metricPhase(metric, measured(['Successful', 'Successful']))).toBe('Running');
    expect(metricPhase(metric, measured(['Successful', 'Error', 'Successful']))).toBe('Running');
    expect(metricPhase(metric, measured(['Successful', 'Error', 'Successful', 'Successful']))).toBe(
      'Successful',
    );
    expect(metricPhase(compiled(), measured(['Successful']))).toBe('Successful');
    expect(metricPhase(compiled(), measured(['Error']))).toBe('Running');
  });

  it('fails when failures exceed failureLimit', () => {
    expect(metricPhase(compiled({ interval: '10s', count: 3 }), measured(['Failed']))).toBe('Failed');
    const tolerant = compiled({ interval: '10s', count: 3, failureLimit: 1 });
    expect(metricPhase(tolerant, measured(['Failed', 'Successful']))).toBe('Running');
    expect(metricPhase(tolerant, measured(['Failed', 'Successful', 'Successful']))).toBe('Successful');
    expect(metricPhase(tolerant, measured(['Failed', 'Successful', 'Failed']))).toBe('Failed');
  });

  it('is inconclusive when inconclusive measurements exceed inconclusiveLimit', () => {
    expect(metricPhase(compiled({ interval: '10s', count: 3 }), measured(['Inconclusive']))).toBe(
      'Inconclusive',
    );
    const tolerant = compiled({ interval: '10s', count: 3, inconclusiveLimit: 1 });
    expect(metricPhase(tolerant, measured(['Inconclusive', 'Successful']))).toBe('Running');
  });

  it('errors when errors in a row exceed consecutiveErrorLimit', () => {
    const metric = compiled({ interval: '10s', count: 3 });
    expect(metricPhase(metric, measured(['Error', 'Error', 'Error', 'Error']))).toBe('Running');
    expect(metricPhase(metric, measured(['Error', 'Error', 'Error', 'Error', 'Error']))).toBe('Error');
    // A measurement in between resets the run of errors.
    expect(metricPhase(metric, measured(['Error', 'Error', 'Error', 'Successful', 'Error', 'Error']))).toBe(
      'Running',
    );
    expect(metricPhase(compiled({ consecutiveErrorLimit: 0 }), measured(['Error']))).toBe('Error');
  });

  it('checks failures before inconclusive before errors, and all before the count', () => {
    const metric = compiled({ interval: '10s', count: 2, consecutiveErrorLimit: 0 });
    expect(metricPhase(metric, measured(['Inconclusive', 'Failed']))).toBe('Failed');
    expect(metricPhase(metric, measured(['Inconclusive', 'Error']))).toBe('Inconclusive');
    expect(metricPhase(metric, measured(['Successful', 'Successful', 'Error']))).toBe('Error');
  });

  it('runs until stopped without a count', () => {
    const metric = compiled({ interval: '10s' });
    expect(metricPhase(metric, measured(Array<MeasurementPhase>(50).fill('Successful')))).toBe('Running');
    expect(metricPhase(metric, measured(['Successful']), { stopped: true })).toBe('Successful');
    expect(metricPhase(metric, measured(['Failed']), { stopped: true })).toBe('Failed');
  });

  it('tallies', () => {
    expect(
      tallyMeasurements(measured(['Successful', 'Failed', 'Error', 'Inconclusive', 'Error', 'Error'])),
    ).toEqual({
      taken: 3,
      successful: 1,
      failed: 1,
      inconclusive: 1,
      errors: 3,
      consecutiveErrors: 2,
    });
  });
});

describe('run phase', () => {
  const table: [AnalysisPhase[], AnalysisPhase][] = [
    [[], 'Pending'],
    [['Pending', 'Pending'], 'Pending'],
    [['Pending', 'Running'], 'Running'],
    [['Successful', 'Pending'], 'Running'],
    [['Successful', 'Running'], 'Running'],
    [['Successful', 'Successful'], 'Successful'],
    [['Successful', 'Inconclusive'], 'Inconclusive'],
    [['Running', 'Inconclusive'], 'Inconclusive'],
    [['Inconclusive', 'Error'], 'Error'],
    [['Error', 'Failed', 'Inconclusive'], 'Failed'],
    [['Running', 'Failed'], 'Failed'],
  ];
  for (const [phases, expected] of table) {
    it(`${phases.join(', ') || 'no metrics'} → ${expected}`, () => {
      expect(runPhase(phases)).toBe(expected);
    });
  }

  it('orders phases as Argo Rollouts does', () => {
    expect(worsePhase('Successful', 'Running')).toBe('Running');
    expect(worsePhase('Pending', 'Running')).toBe('Pending');
    expect(worsePhase('Failed', 'Error')).toBe('Failed');
    expect(worsePhase('Inconclusive', 'Error')).toBe('Error');
    expect(isCompleted('Running')).toBe(false);
    expect(isCompleted('Pending')).toBe(false);
    expect(isCompleted('Inconclusive')).toBe(true);
  });
});

describe('next measurement due', () => {
  const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);

  it('waits the initial delay before the first', () => {
    expect(nextMeasurementDue(compiled(), [], start)).toEqual(start);
    expect(nextMeasurementDue(compiled({ initialDelay: '30s' }), [], start)).toEqual(at(30));
  });

  it('measures an interval after the previous one finished', () => {
    const metric = compiled({ interval: '10s', count: 3 });
    // The first finished at 1s, the second at 11s.
    expect(nextMeasurementDue(metric, measured(['Successful']), start)).toEqual(at(11));
    expect(nextMeasurementDue(metric, measured(['Successful', 'Successful']), start)).toEqual(at(21));
    expect(
      nextMeasurementDue(metric, measured(['Successful', 'Successful', 'Successful']), start),
    ).toBeUndefined();
  });

  it('retries an error without an interval after 10s', () => {
    expect(ERROR_RETRY_INTERVAL_MS).toBe(10_000);
    expect(nextMeasurementDue(compiled(), measured(['Error']), start)).toEqual(at(11));
    expect(nextMeasurementDue(compiled(), measured(['Successful']), start)).toBeUndefined();
    expect(nextMeasurementDue(compiled({ interval: '1m', count: 2 }), measured(['Error']), start)).toEqual(
      at(61),
    );
  });

  it('is undefined once the metric is decided or stopped', () => {
    expect(
      nextMeasurementDue(compiled({ interval: '10s', count: 3 }), measured(['Failed']), start),
    ).toBeUndefined();
    expect(
      nextMeasurementDue(compiled({ interval: '10s' }), measured(['Successful']), start, { stopped: true }),
    ).toBeUndefined();
    expect(nextMeasurementDue(compiled({ interval: '10s' }), measured(['Successful']), start)).toEqual(
      at(11),
    );
  });
});

describe('explanations', () => {
  it('explains a failed metric with the values and the condition', () => {
    const metric = compiled({
      interval: '10s',
      count: 3,
      failureLimit: 1,
      successCondition: 'result < 0.05',
    });
    expect(explainMetric(metric, measured(['Failed', 'Successful', 'Failed'], [0.31, 0.01, 0.28]))).toBe(
      'error-rate failed: 2 of 3 measurements failed (limit 1): 0.31, 0.28 against result < 0.05',
    );
    const withFailure = compiled({ successCondition: 'result < 0.05', failureCondition: 'result >= 0.2' });
    expect(explainMetric(withFailure, measured(['Failed'], [0.31]))).toBe(
      'error-rate failed: 1 of 1 measurement failed (limit 0): 0.31 met the failure condition result >= 0.2',
    );
  });

  it('explains the other phases', () => {
    const both = compiled({
      interval: '10s',
      count: 3,
      successCondition: 'result < 0.05',
      failureCondition: 'result >= 0.2',
    });
    expect(explainMetric(both, measured(['Successful', 'Inconclusive'], [0.01, 0.1]))).toBe(
      'error-rate is inconclusive: 1 of 2 measurements met neither result < 0.05 nor result >= 0.2 (limit 0): 0.1',
    );
    expect(explainMetric(both, measured(['Error', 'Error', 'Error', 'Error', 'Error']))).toBe(
      'error-rate errored: 5 measurements in a row could not be taken (limit 4); the last: prometheus at http://prom:9090 did not answer within 5s',
    );
    expect(
      explainMetric(both, measured(['Successful', 'Successful', 'Successful'], [0.01, 0.02, 0.01])),
    ).toBe('error-rate passed: 3 of 3 measurements succeeded: 0.01, 0.02, 0.01 against result < 0.05');
    expect(explainMetric(both, measured(['Successful'], [0.01]))).toBe(
      'error-rate is running: 1 of 3 measurements taken; the last: 0.01 (successful)',
    );
    expect(explainMetric(both, measured(['Successful', 'Error'], [0.01]))).toBe(
      'error-rate is running: 1 of 3 measurements taken, 1 error in a row (limit 4); the last could not be taken: prometheus at http://prom:9090 did not answer within 5s',
    );
    expect(explainMetric(compiled({ interval: '10s' }), measured(['Successful', 'Successful'], [1, 2]))).toBe(
      'error-rate is running: 2 measurements taken, measuring until the analysis stops; the last: 2 (successful)',
    );
    expect(explainMetric(compiled({ initialDelay: '30s' }), [])).toBe(
      'error-rate has no measurement yet; the first is due 30s after the start',
    );
    const tolerant = compiled({
      interval: '10s',
      count: 2,
      failureLimit: 1,
      successCondition: 'result < 0.05',
    });
    expect(explainMetric(tolerant, measured(['Failed', 'Successful'], [0.3, 0.01]))).toBe(
      'error-rate passed: 1 of 2 measurements succeeded, 1 failed (limit 1): 0.01 against result < 0.05',
    );
  });

  it('explains a run by the metrics that decided it', () => {
    const errorRate = compiled({ successCondition: 'result < 0.05' });
    const latency = { ...compiled({ successCondition: 'result < 0.5' }), name: 'latency' };
    expect(
      explainRun([
        { metric: errorRate, measurements: measured(['Failed'], [0.3]) },
        { metric: latency, measurements: measured(['Successful'], [0.1]) },
      ]),
    ).toEqual({
      phase: 'Failed',
      message: 'error-rate failed: 1 of 1 measurement failed (limit 0): 0.3 against result < 0.05',
    });
    expect(
      explainRun([
        { metric: errorRate, measurements: measured(['Successful'], [0.01]) },
        { metric: latency, measurements: [] },
      ]).phase,
    ).toBe('Running');
  });

  it('formats values for people', () => {
    expect(formatValue(0.123456789)).toBe('0.123457');
    expect(formatValue(NaN)).toBe('NaN');
    expect(formatValue('+Inf')).toBe('+Inf');
    expect(formatValue([0.1, 'NaN'])).toBe('[0.1, NaN]');
    expect(formatValue([1, 2, 3, 4, 5, 6, 7])).toBe('[1, 2, 3, 4, 5, ... 7 items]');
    expect(formatValue('ok')).toBe('"ok"');
    expect(formatValue({ ok: true })).toBe('{"ok":true}');
    expect(formatValue(undefined)).toBe('no value');
  });
});
