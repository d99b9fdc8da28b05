// The builtin provider: what Gantry's own proxy saw of a version's traffic
// over the last `window`, for stages on the local target. No Prometheus
// needed. The value is a number:
//
//   errorRate    errors / requests (5xx responses); NaN without requests
//   requestRate  requests / durationSeconds; NaN for a window of no time
//   latency      seconds at the quantile (default 0.99); NaN without requests
//
// NaN says "no data": a condition such as `result < 0.05` is false for it
// (IEEE 754), so a metric with only a successCondition fails on a canary that
// received no traffic. Write `isNaN(result) or result < 0.05` to let it pass,
// or `not isNaN(result) and result < 0.05` to make the absence explicit.

import { DEFAULT_LATENCY_QUANTILE, type CompiledMetric } from '../analysis-template-spec.js';
import type { TrafficSelector, TrafficWindowSource } from '../../local-target/proxy/traffic-metrics.js';
import { MetricProviderError, type MeasureContext, type MetricProvider } from './metric-provider.js';

// What it reads is defined by the proxy that counts it (local-target/proxy/traffic-metrics.ts).
export type {
  TrafficSelector,
  TrafficWindow,
  TrafficWindowSource,
} from '../../local-target/proxy/traffic-metrics.js';

export class BuiltinProvider implements MetricProvider {
  constructor(private readonly source: TrafficWindowSource) {}

  measure(metric: CompiledMetric, context: MeasureContext): Promise<number> {
    try {
      return Promise.resolve(this.measureNow(metric, context));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private measureNow(metric: CompiledMetric, context: MeasureContext): number {
    if (!('builtin' in metric.provider))
      throw new MetricProviderError(`${metric.name} is not measured by builtin`);
    const spec = metric.provider.builtin;
    const version = spec.role === 'canary' ? context.canaryVersion : context.stableVersion;
    if (version === undefined) {
      throw new MetricProviderError(
        spec.role === 'canary'
          ? `builtin ${spec.metric}: this promotion has no canary version to measure`
          : `builtin ${spec.metric}: ${context.service} has no stable version in ${context.stage} yet to measure`,
      );
    }
    const selector: TrafficSelector = {
      service: context.service,
      stage: context.stage,
      version,
      role: spec.role,
    };
    const window = this.source.window(selector, spec.window.ms);
    switch (spec.metric) {
      case 'errorRate':
        return window.requests > 0 ? window.errors / window.requests : NaN;
      case 'requestRate':
        return window.durationSeconds > 0 ? window.requests / window.durationSeconds : NaN;
      case 'latency':
        return window.latencyQuantile(spec.quantile ?? DEFAULT_LATENCY_QUANTILE) ?? NaN;
    }
  }
}
