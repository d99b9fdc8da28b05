import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** examples/hello-service, the service the local-target tests and benchmarks run. */
export const HELLO_SERVICE = fileURLToPath(
  new URL('../../../../examples/hello-service/server.mjs', import.meta.url),
);

/**
 * A `local` target running hello-service, as one line of YAML (flow style, so
 * it fits anywhere). Each release behaves as `<behaviourDir>/<commit>.json`
 * says (see the service's BEHAVIOUR_FILE), so one stage runs good and faulty
 * releases side by side.
 */
export function helloServiceTarget(options: {
  /** Omitted for a preview stage, whose port Gantry picks per pull request. */
  port?: number;
  behaviourDir: string;
  replicas?: number;
}): string {
  const behaviour = JSON.stringify(join(options.behaviourDir, '{{release.commit}}.json'));
  return (
    `{ type: local, command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(HELLO_SERVICE)}], ` +
    `env: { VERSION: "{{release.version}}", BEHAVIOUR_FILE: ${behaviour} }, replicas: ${options.replicas ?? 2}, ` +
    `${options.port === undefined ? '' : `port: ${options.port}, `}healthCheck: { path: /healthz, interval: 100ms, timeout: 1s }, drainTimeout: 5s }`
  );
}
