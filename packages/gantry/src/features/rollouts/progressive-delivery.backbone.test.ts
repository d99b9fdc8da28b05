import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../testing/free-port.js';
import { getOnce, registerHelloRelease, type HelloAnswer } from '../../testing/hello-releases.js';
import { helloServiceTarget } from '../../testing/hello-service.js';
import { databaseKinds } from '../../testing/test-backends.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { waitFor } from '../../testing/wait-for.js';
import { eq } from 'drizzle-orm';
import { findLocalStage } from '../local-target/local-stages.repository.js';
import type { PromotionDto } from '../promotions/promotions.dto.js';
import { rollouts } from './rollouts.tables.js';

// Promotions into `local` stages on a real database: the example service runs
// as real processes behind Gantry's proxy, real requests flow through it, and
// the built-in analysis reads what the proxy measured. Each release's
// behaviour (error rate, a crash) comes from a file named after its commit,
// the way a local stage would run the build of that commit.

// The faulty releases fail every request, and the windows are long: a
// measurement that saw only a few requests of a release failing half of them,
// or none at all (a loaded machine), could meet neither condition, and an
// inconclusive analysis rightly pauses the rollout for a person. (The strict
// template's release fails 40% of its requests: inconclusive by design.)
const ERROR_RATE_TEMPLATE = `apiVersion: gantry.dev/v1alpha1
kind: AnalysisTemplate
metadata: { name: error-rate }
spec:
  args: [{ name: limit, value: "0.1" }]
  metrics:
    - name: error-rate
      interval: 500ms
      count: 3
      initialDelay: 500ms
      successCondition: result < args.limit
      failureCondition: result >= 0.25
      provider:
        builtin: { metric: errorRate, window: 5s }
`;

interface Ports {
  canary: number;
  blueGreen: number;
  preview: number;
  crash: number;
  inconclusive: number;
  manual: number;
  background: number;
  handOver: number;
  handOverPreview: number;
  taken: number;
  hanging: number;
}

const STRICT_TEMPLATE = `apiVersion: gantry.dev/v1alpha1
kind: AnalysisTemplate
metadata: { name: strict-error-rate }
spec:
  metrics:
    - name: error-rate
      initialDelay: 1s
      successCondition: result < 0.05
      failureCondition: result > 0.8
      provider:
        builtin: { metric: errorRate, window: 5s }
`;

/** A Service document with one auto-promoted local stage, prod. */
function localService(name: string, port: number, behaviourDir: string, strategy = ''): string {
  return `apiVersion: gantry.dev/v1alpha1
kind: Service
metadata: { name: ${name} }
spec:
  team: web
  image: ghcr.io/acme/${name}
  source: { repo: https://github.com/acme/${name} }
  stages:
    - name: prod
      promotion: auto
      target: ${helloServiceTarget({ port, behaviourDir })}
${strategy}`;
}

function pipeline(behaviourDir: string, ports: Ports): string {
  return [
    ERROR_RATE_TEMPLATE,
    STRICT_TEMPLATE,
    localService(
      'shop',
      ports.canary,
      behaviourDir,
      `      strategy:
        type: canary
        steps:
          - setWeight: 25
          - pause: { duration: 500ms }
          - analysis: { templates: [{ templateName: error-rate }] }
          - setWeight: 60
`,
    ),
    localService(
      'cart',
      ports.blueGreen,
      behaviourDir,
      `      strategy:
        type: blueGreen
        previewPort: ${ports.preview}
        postPromotionAnalysis: { templates: [{ templateName: error-rate }] }
        scaleDownDelay: 1s
`,
    ),
    localService('crashy', ports.crash, behaviourDir),
    localService(
      'billing',
      ports.background,
      behaviourDir,
      `      strategy:
        type: canary
        backgroundAnalysis: { templates: [{ templateName: error-rate }] }
        steps:
          - setWeight: 40
          - pause: { duration: 20s }
`,
    ),
    localService(
      'catalog',
      ports.handOver,
      behaviourDir,
      `      strategy:
        type: blueGreen
        previewPort: ${ports.handOverPreview}
        autoPromote: false
`,
    ),
    localService('occupied', ports.taken, behaviourDir),
    localService(
      'inventory',
      ports.inconclusive,
      behaviourDir,
      `      strategy:
        type: canary
        steps:
          - setWeight: 50
          - analysis: { templates: [{ templateName: strict-error-rate }] }
          - setWeight: 80
`,
    ),
    localService(
      'search',
      ports.manual,
      behaviourDir,
      `      strategy:
        type: canary
        stickiness: { header: X-User }
        steps:
          - setWeight: 30
          - pause: {}
          - setWeight: 60
`,
    ),
    localService(
      'slowpoke',
      ports.hanging,
      behaviourDir,
      `      strategy:
        type: canary
        steps:
          - setWeight: 50
          - pause: {}
`,
    ),
  ].join('---\n');
}

/** Sends requests to a port until stopped; counts answers by version and status. */
class Traffic {
  private stopped = false;
  private readonly loops: Promise<void>[] = [];
  readonly seen = new Map<string, { ok: number; failed: number }>();
  dropped = 0;

  constructor(
    private readonly port: number,
    concurrency = 4,
  ) {
    for (let index = 0; index < concurrency; index++) this.loops.push(this.loop());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const answer = await get(this.port, '/').catch(() => undefined);
      if (!answer) {
        this.dropped += 1;
        await new Promise((done) => setTimeout(done, 20));
        continue;
      }
      const version = answer.headers['x-gantry-version'] ?? 'none';
      const counts = this.seen.get(String(version)) ?? { ok: 0, failed: 0 };
      if (answer.status < 500) counts.ok += 1;
      else counts.failed += 1;
      this.seen.set(String(version), counts);
    }
  }
}

/** The last lines of a log. */
class LogTail {
  private readonly kept: string[] = [];

  constructor(private readonly limit: number) {}

  push(line: string): void {
    this.kept.push(line);
    if (this.kept.length > this.limit) this.kept.shift();
  }

  lines(): readonly string[] {
    return this.kept;
  }
}

/** One request to a stage's port on 127.0.0.1. */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<HelloAnswer> {
  return getOnce(`http://127.0.0.1:${port}${path}`, headers);
}

describe.each(databaseKinds())('progressive delivery into local stages on %s', (database) => {
  let gantry: TestServer;
  let behaviourDir: string;
  let ports: Ports;
  const serverLog = new LogTail(2_000);

  beforeAll(async () => {
    behaviourDir = mkdtempSync(join(tmpdir(), 'gantry-behaviour-'));
    ports = {
      canary: await freePort(),
      blueGreen: await freePort(),
      preview: await freePort(),
      crash: await freePort(),
      inconclusive: await freePort(),
      manual: await freePort(),
      background: await freePort(),
      handOver: await freePort(),
      handOverPreview: await freePort(),
      taken: await freePort(),
      hanging: await freePort(),
    };
    gantry = await startTestServer({
      database,
      // Kept in memory and shown when a promotion does not finish: how it got stuck.
      env: { GANTRY_LOG_LEVEL: process.env.GANTRY_TEST_LOG_LEVEL ?? 'info' },
      logDestination: { write: (line: string) => void serverLog.push(line) },
    });
    const applied = await gantry.api('PUT', '/api/v1/pipelines', {
      body: { fileName: 'gantry.yaml', content: pipeline(behaviourDir, ports) },
    });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
  });

  afterAll(async () => {
    await gantry?.stop();
    rmSync(behaviourDir, { recursive: true, force: true });
  });

  /** Registers a release whose processes behave as told; its promotion into prod starts by itself. */
  function release(
    service: string,
    behaviour: { errorRate?: number; crashAfterMs?: number; latencyMs?: number } = {},
  ) {
    return registerHelloRelease(gantry, { behaviourDir, service, behaviour });
  }

  async function promotionOf(service: string, version: string): Promise<PromotionDto> {
    return finished((await startedPromotion(service, version)).id);
  }

  async function startedPromotion(service: string, version: string): Promise<PromotionDto> {
    return waitFor(
      async () => {
        const { body } = await gantry.api<{ items: PromotionDto[] }>(
          'GET',
          `/api/v1/promotions?service=${service}&stage=prod`,
        );
        return body.items.find((item) => item.version === version);
      },
      { what: `the promotion of ${service} ${version}` },
    );
  }

  /** Waits until the promotion's rollout pauses for a person. */
  async function paused(id: string): Promise<PromotionDto> {
    return waitFor(
      async () => {
        const { body } = await gantry.api<PromotionDto>('GET', `/api/v1/promotions/${id}`);
        if (body.phase !== 'Verifying') throw new Error(`promotion is ${body.phase}: ${body.message}`);
        return body.rollout?.status === 'Paused' ? body : undefined;
      },
      { what: `promotion ${id} to pause`, timeoutMs: 60_000 },
    );
  }

  /** Waits until an aborted promotion's rollout has given its traffic back (status Aborted). */
  async function rolloutAborted(id: string, what: string): Promise<PromotionDto> {
    return waitFor(
      async () => {
        const { body } = await gantry.api<PromotionDto>('GET', `/api/v1/promotions/${id}`);
        return body.rollout?.status === 'Aborted' ? body : undefined;
      },
      { what },
    );
  }

  async function control(id: string, action: string, reason: string) {
    return gantry.api<PromotionDto>('POST', `/api/v1/promotions/${id}/${action}`, { body: { reason } });
  }

  async function finished(id: string): Promise<PromotionDto> {
    let last: PromotionDto | undefined;
    return waitFor(
      async () => {
        const { body } = await gantry.api<PromotionDto>('GET', `/api/v1/promotions/${id}`);
        last = body;
        return ['Succeeded', 'Failed', 'Aborted', 'Rejected', 'RolledBack'].includes(body.phase)
          ? body
          : undefined;
      },
      { what: `promotion ${id} to finish`, timeoutMs: 90_000 },
    ).catch((error: unknown) => {
      // Say where it stopped: the phase, the message and the rollout's step.
      const where = last && { phase: last.phase, message: last.message, rollout: last.rollout };
      const log = serverLog.lines().join('');
      throw new Error(
        `${(error as Error).message}; it stopped at ${JSON.stringify(where)}\nserver log:\n${log}`,
        {
          cause: error,
        },
      );
    });
  }

  async function versionServed(port: number): Promise<string> {
    const answer = await get(port, '/version');
    return answer.body.trim();
  }

  it('puts a first release straight in, then carries a healthy canary through its steps to every request', async () => {
    const first = await release('shop');
    const firstPromotion = await promotionOf('shop', first.version);
    expect(firstPromotion.phase, firstPromotion.message ?? '').toBe('Succeeded');
    expect(firstPromotion.rollout?.message).toContain('first release');
    expect(await versionServed(ports.canary)).toContain(first.version);

    const traffic = new Traffic(ports.canary);
    const second = await release('shop');
    const promotion = await promotionOf('shop', second.version);
    await traffic.stop();

    expect(promotion.phase, promotion.message ?? '').toBe('Succeeded');
    expect(promotion.rollout).toMatchObject({ strategy: 'canary', status: 'Completed' });
    const [analysis] = promotion.rollout!.analysis;
    expect(analysis).toMatchObject({ label: 'step 3', phase: 'Successful' });
    expect(analysis!.measurements.length).toBe(3);
    expect(analysis!.measurements.every((m) => m.phase === 'Successful')).toBe(true);
    // Both versions answered while the canary ran; nothing was dropped.
    expect(traffic.seen.get(first.version)?.ok).toBeGreaterThan(0);
    expect(traffic.seen.get(second.version)?.ok).toBeGreaterThan(0);
    expect(traffic.dropped).toBe(0);
    expect(await versionServed(ports.canary)).toContain(second.version);
  });

  it('rolls a canary that fails its analysis back to the stable version, with the measurements as the reason', async () => {
    const stable = await waitFor(async () => {
      const { body } = await gantry.api<{ items: { stages: { currentVersion: string | null }[] }[] }>(
        'GET',
        '/api/v1/status?service=shop',
      );
      return body.items[0]?.stages[0]?.currentVersion;
    });
    const traffic = new Traffic(ports.canary);
    const faulty = await release('shop', { errorRate: 1 });
    const promotion = await promotionOf('shop', faulty.version);
    await traffic.stop();

    expect(promotion.phase, promotion.message ?? '').toBe('RolledBack');
    expect(promotion.message).toContain('error-rate');
    expect(promotion.rollout).toMatchObject({ status: 'RolledBack', weight: 0 });
    const failed = promotion.rollout!.analysis[0]!;
    expect(failed.phase).toBe('Failed');
    expect(failed.measurements.some((m) => m.phase === 'Failed')).toBe(true);
    // Every request goes to the stable version again.
    for (let index = 0; index < 20; index++) expect(await versionServed(ports.canary)).toContain(stable);
    expect(traffic.dropped).toBe(0);
  });

  it('switches blue-green, and switches back at once when the post-promotion analysis fails', async () => {
    const blue = await release('cart');
    expect((await promotionOf('cart', blue.version)).phase).toBe('Succeeded');
    const traffic = new Traffic(ports.blueGreen);
    const green = await release('cart', { errorRate: 1 });
    const promotion = await promotionOf('cart', green.version);
    await traffic.stop();

    expect(promotion.phase, promotion.message ?? '').toBe('RolledBack');
    expect(promotion.rollout?.analysis[0]).toMatchObject({ label: 'post-promotion', phase: 'Failed' });
    // Green took the requests after the switch, then blue took them back.
    const answeredByGreen = traffic.seen.get(green.version);
    expect((answeredByGreen?.ok ?? 0) + (answeredByGreen?.failed ?? 0)).toBeGreaterThan(0);
    expect(traffic.dropped).toBe(0);
    for (let index = 0; index < 20; index++)
      expect(await versionServed(ports.blueGreen)).toContain(blue.version);
  });

  it('fails the promotion of a version that crashes at start, with its last log lines', async () => {
    const crashing = await release('crashy', { crashAfterMs: 0 });
    const promotion = await promotionOf('crashy', crashing.version);
    expect(promotion.phase).toBe('Failed');
    expect(promotion.message).toMatch(/did not start/);
    expect(promotion.message).toMatch(/exit/i);
  });

  it('pauses on an inconclusive analysis until someone resumes it', async () => {
    const stable = await release('inventory');
    expect((await promotionOf('inventory', stable.version)).phase).toBe('Succeeded');
    const traffic = new Traffic(ports.inconclusive);
    const flaky = await release('inventory', { errorRate: 0.4 });
    const started = await startedPromotion('inventory', flaky.version);
    const waiting = await paused(started.id);
    expect(waiting.message).toContain('inconclusive');
    expect(waiting.rollout).toMatchObject({ weight: 50, step: 2 });
    expect(waiting.rollout!.analysis[0]!.measurements[0]!.phase).toBe('Inconclusive');

    const resumed = await control(started.id, 'resume', 'errors are from a known flaky client');
    expect(resumed.status).toBe(200);
    const done = await finished(started.id);
    await traffic.stop();
    expect(done.phase, done.message ?? '').toBe('Succeeded');
    expect(await versionServed(ports.inconclusive)).toContain(flaky.version);
    const audit = await gantry.api<{ items: { action: string; reason: string | null }[] }>(
      'GET',
      '/api/v1/audit?action=promotion.resume',
    );
    expect(audit.body.items[0]).toMatchObject({ reason: 'errors are from a known flaky client' });
  });

  it('holds a manual pause; abort returns every request to stable, retry starts over and promote-full finishes it', async () => {
    const stable = await release('search');
    expect((await promotionOf('search', stable.version)).phase).toBe('Succeeded');
    const next = await release('search');
    const first = await paused((await startedPromotion('search', next.version)).id);
    expect(first.rollout).toMatchObject({ weight: 30, step: 2 });
    // Stickiness: one user stays on one side while the canary runs.
    const sides = new Set<string>();
    for (let index = 0; index < 10; index++) {
      const answer = await get(ports.manual, '/version', { 'x-user': 'ada' });
      sides.add(answer.body);
    }
    expect(sides.size).toBe(1);
    // A promotion still in flight cannot be retried.
    expect((await control(first.id, 'retry', 'too early')).status).toBe(409);

    expect((await control(first.id, 'abort', 'wrong build')).status).toBe(200);
    await rolloutAborted(first.id, 'the aborted rollout to give its traffic back');
    for (let index = 0; index < 20; index++)
      expect(await versionServed(ports.manual)).toContain(stable.version);

    const retried = await control(first.id, 'retry', 'rebuilt');
    expect(retried.status).toBe(202);
    expect(retried.body.reason).toContain(`retry of promotion ${first.id}`);
    const second = await paused(retried.body.id);
    expect((await control(second.id, 'promote-full', 'looks right')).status).toBe(200);
    const done = await finished(second.id);
    expect(done.phase, done.message ?? '').toBe('Succeeded');
    for (let index = 0; index < 20; index++)
      expect(await versionServed(ports.manual)).toContain(next.version);
  });

  it('aborts a canary whose requests hang: its replicas stop after the drain timeout and cut them', async () => {
    const stable = await release('slowpoke');
    expect((await promotionOf('slowpoke', stable.version)).phase).toBe('Succeeded');
    const stuck = await release('slowpoke', { latencyMs: 600_000 });
    const waiting = await paused((await startedPromotion('slowpoke', stuck.version)).id);
    // Requests the canary takes and never answers; draining would wait ten minutes for them.
    const hanging = Array.from({ length: 4 }, () =>
      get(ports.hanging, '/', { 'x-gantry-canary': 'always' }).then(
        (answer) => answer.status,
        () => 'cut',
      ),
    );
    await waitFor(
      () => gantry.server.delivery.localStages.inFlight('slowpoke', 'prod', stuck.version) === 4,
      {
        what: 'the canary to hold four requests',
      },
    );

    expect((await control(waiting.id, 'abort', 'it hangs')).status).toBe(200);
    await rolloutAborted(waiting.id, 'the aborted rollout to stop its hanging replicas');
    // Cut when the replicas stopped: the proxy answers 502, or the connection closes.
    for (const outcome of await Promise.all(hanging)) expect([502, 'cut']).toContain(outcome);
    for (let index = 0; index < 10; index++)
      expect(await versionServed(ports.hanging)).toContain(stable.version);
  });

  it('withdraws the candidate of a promotion aborted before its rollout was recorded', async () => {
    const candidate = await release('search');
    const waiting = await paused((await startedPromotion('search', candidate.version)).id);
    // The moment between the apply starting the candidate and the runner recording the rollout.
    const { db } = gantry.server.database;
    await db.delete(rollouts).where(eq(rollouts.id, waiting.id));
    expect((await control(waiting.id, 'abort', 'wrong build')).status).toBe(200);
    await waitFor(
      async () => {
        const stage = await findLocalStage(db, 'search', 'prod');
        return stage && stage.candidate === null ? stage : undefined;
      },
      { what: 'the candidate of the aborted promotion to be withdrawn' },
    );
    for (let index = 0; index < 20; index++) {
      expect(await versionServed(ports.manual)).not.toContain(candidate.version);
    }
  });

  it('rolls back from a background analysis in the middle of a long pause', async () => {
    await promotionOf('billing', (await release('billing')).version);
    const traffic = new Traffic(ports.background);
    const faulty = await release('billing', { errorRate: 1 });
    const promotion = await promotionOf('billing', faulty.version);
    await traffic.stop();
    expect(promotion.phase, promotion.message ?? '').toBe('RolledBack');
    expect(promotion.message).toContain('background analysis');
    // It did not wait for the 20 s pause to end: the rollout was still on its pause step.
    expect(promotion.rollout!.step).toBe(2);
  });

  it('holds a blue-green switch until someone promotes, with the new version on the preview port meanwhile', async () => {
    const blue = await release('catalog');
    expect((await promotionOf('catalog', blue.version)).phase).toBe('Succeeded');
    const green = await release('catalog');
    const waiting = await paused((await startedPromotion('catalog', green.version)).id);
    expect(await versionServed(ports.handOverPreview)).toContain(green.version);
    expect(await versionServed(ports.handOver)).toContain(blue.version);
    expect((await control(waiting.id, 'resume', 'checked the preview')).status).toBe(200);
    const done = await finished(waiting.id);
    expect(done.phase, done.message ?? '').toBe('Succeeded');
    expect(await versionServed(ports.handOver)).toContain(green.version);
    // The preview port closes with the switch.
    await expect(get(ports.handOverPreview, '/version')).rejects.toThrow();
  });

  it("shows the replicas' logs of a stage", async () => {
    const { status, body } = await gantry.api<{
      version: string;
      replicas: { replica: number; lines: string[] }[];
    }>('GET', '/api/v1/services/catalog/stages/prod/logs?lines=5');
    expect(status).toBe(200);
    expect(body.replicas.map((replica) => replica.replica)).toEqual([0, 1]);
    expect(body.replicas[0]!.lines.join('\n')).toContain(`${body.version} listening on`);
    const missing = await gantry.api('GET', '/api/v1/services/catalog/stages/prod/logs?version=1999.01.1');
    expect(missing.status).toBe(404);
  });

  it('fails a promotion into a stage whose port another process holds, saying so', async () => {
    const holder = createServer(() => undefined);
    await new Promise<void>((listening) => holder.listen(ports.taken, '127.0.0.1', listening));
    try {
      const blocked = await release('occupied');
      const promotion = await promotionOf('occupied', blocked.version);
      expect(promotion.phase).toBe('Failed');
      expect(promotion.message).toContain(`port ${ports.taken}`);
      expect(promotion.message).toContain('in use');
    } finally {
      await new Promise((closed) => holder.close(closed));
    }
  });
});
