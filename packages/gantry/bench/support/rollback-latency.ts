import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/testing/free-port.js';
import { helloServiceTarget } from '../../src/testing/hello-service.js';
import { sleep } from '../../src/shared/sleep.js';
import type { PromotionDto } from '../../src/features/promotions/promotions.dto.js';
import { startGantryServer, type GantryServer } from './gantry-server.js';
import { progress } from './report.js';

// Rollback latency of a canary in a local stage, end to end through the built
// `gantry server`: from the moment the failing measurement was taken (its
// finishedAt, stored by the server) to the last request the proxy still sent to
// the canary. Steady traffic runs the whole time; every answer records when its
// request was sent and which version answered (X-Gantry-Version). Both clocks
// are this machine's wall clock.

export interface RollbackSample {
  /**
   * An upper bound of the time from the failing measurement to 100% stable
   * traffic, ms: to the first request sent after it, and after the last
   * request that still went to the canary, which went to stable. The probe's
   * own spacing (probeGapMs) limits how small it can read.
   */
  latencyMs: number;
  /** The largest gap between two requests sent around that moment: the resolution of the figure. */
  probeGapMs: number;
  canaryRequests: number;
}

function pipeline(port: number, builds: string): string {
  return `apiVersion: gantry.dev/v1alpha1
kind: AnalysisTemplate
metadata: { name: error-rate }
spec:
  metrics:
    - name: error-rate
      initialDelay: 1s
      interval: 250ms
      count: 20
      successCondition: result < 0.2
      failureCondition: result >= 0.2
      provider: { builtin: { metric: errorRate, window: 1s } }
---
apiVersion: gantry.dev/v1alpha1
kind: Service
metadata: { name: bench }
spec:
  team: bench
  image: ghcr.io/acme/bench
  source: { repo: https://github.com/acme/bench }
  stages:
    - name: prod
      promotion: auto
      target: ${helloServiceTarget({ port, behaviourDir: builds })}
      strategy:
        type: canary
        steps:
          - setWeight: 50
          - analysis: { templates: [{ templateName: error-rate }] }
`;
}

interface Answer {
  sentAt: number;
  version: string;
}

/** Requests from `loops` keep-alive connections, one after another on each, until stopped. */
class Probe {
  readonly answers: Answer[] = [];
  private stopped = false;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  private readonly running: Promise<void>[];

  constructor(
    private readonly port: number,
    loops: number,
  ) {
    this.running = Array.from({ length: loops }, () => this.loop());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.running);
    this.agent.destroy();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const sentAt = Date.now();
      const version = await new Promise<string | undefined>((resolve) => {
        const request = http.get(
          { host: '127.0.0.1', port: this.port, path: '/', agent: this.agent },
          (response) => {
            response.resume();
            response.on('end', () => resolve(String(response.headers['x-gantry-version'] ?? '')));
          },
        );
        request.on('error', () => resolve(undefined));
      });
      if (version) this.answers.push({ sentAt, version });
      else await sleep(50);
    }
  }
}

/** Registers releases of `bench` and times `count` automatic rollbacks of a canary with 50% errors. */
export async function measureRollbackLatency(count: number): Promise<RollbackSample[]> {
  const builds = await mkdtemp(path.join(os.tmpdir(), 'gantry-bench-builds-'));
  const port = await freePort();
  let server: GantryServer | undefined;
  let probe: Probe | undefined;
  try {
    server = await startGantryServer({ env: { GANTRY_LOG_LEVEL: 'warn' } });
    const applied = await server.api('PUT', '/api/v1/pipelines', {
      fileName: 'gantry.yaml',
      content: pipeline(port, builds),
    });
    if (applied.status !== 200)
      throw new Error(`the bench pipeline was refused: ${JSON.stringify(applied.body)}`);
    const release = async (errorRate: number) => {
      const commit = randomBytes(20).toString('hex');
      await writeFile(path.join(builds, `${commit}.json`), JSON.stringify({ errorRate }));
      const created = await server!.api<{ version: string }>('POST', '/api/v1/releases', {
        service: 'bench',
        image: 'ghcr.io/acme/bench',
        digest: `sha256:${randomBytes(32).toString('hex')}`,
        commit,
      });
      if (created.status !== 201) throw new Error(`release refused: ${JSON.stringify(created.body)}`);
      return finished(server!, created.body.version);
    };
    const first = await release(0);
    if (first.phase !== 'Succeeded')
      throw new Error(`the stable release ended ${first.phase}: ${first.message}`);
    probe = new Probe(port, 4);
    const samples: RollbackSample[] = [];
    for (let index = 1; index <= count; index++) {
      progress(`rollback ${index} of ${count}`);
      const faulty = await release(0.5);
      if (faulty.phase !== 'RolledBack')
        throw new Error(`the faulty release ended ${faulty.phase}: ${faulty.message}`);
      const failed = faulty.rollout?.analysis
        .flatMap((run) => run.measurements)
        .find((measurement) => measurement.phase === 'Failed');
      if (!failed) throw new Error('the rolled back promotion has no failed measurement');
      await sleep(500); // answers to requests sent before the rollback are still arriving
      const failedAt = Date.parse(failed.finishedAt);
      const onCanary = probe.answers.filter((answer) => answer.version === faulty.version);
      const lastOnCanary = Math.max(...onCanary.map((answer) => answer.sentAt));
      const allStableFrom = Math.min(
        ...probe.answers
          .filter((answer) => answer.sentAt > Math.max(failedAt, lastOnCanary))
          .map((answer) => answer.sentAt),
      );
      const around = probe.answers
        .map((answer) => answer.sentAt)
        .filter((at) => at >= failedAt - 200 && at <= failedAt + 1_000)
        .sort((a, b) => a - b);
      const probeGapMs = around.slice(1).reduce((gap, at, i) => Math.max(gap, at - around[i]!), 0);
      samples.push({
        latencyMs: allStableFrom - failedAt,
        probeGapMs,
        canaryRequests: onCanary.length,
      });
    }
    return samples;
  } finally {
    await probe?.stop();
    await server?.stop();
    await rm(builds, { recursive: true, force: true });
  }
}

async function finished(server: GantryServer, version: string): Promise<PromotionDto> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const page = await server.api<{ items: PromotionDto[] }>(
      'GET',
      '/api/v1/promotions?service=bench&stage=prod',
    );
    const listed = page.body.items.find((item) => item.version === version);
    if (listed && ['Succeeded', 'Failed', 'RolledBack', 'Aborted'].includes(listed.phase)) {
      return (await server.api<PromotionDto>('GET', `/api/v1/promotions/${listed.id}`)).body;
    }
    if (Date.now() > deadline) throw new Error(`the promotion of ${version} did not finish in time`);
    await sleep(100);
  }
}
