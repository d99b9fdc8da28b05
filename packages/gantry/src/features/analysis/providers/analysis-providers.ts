import { BuiltinProvider, type TrafficWindowSource } from './builtin.provider.js';
import { MetricProviders } from './metric-provider.js';
import { PrometheusProvider } from './prometheus.provider.js';
import { WebProvider } from './web.provider.js';

/** Every provider Gantry has: builtin reads the stage proxies' traffic, the others ask over HTTP. */
export function analysisProviders(traffic: TrafficWindowSource): MetricProviders {
  return new MetricProviders({
    builtin: new BuiltinProvider(traffic),
    prometheus: new PrometheusProvider(),
    web: new WebProvider(),
  });
}
