import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ApiClient } from '../cli/api-client.js';
import { loadConfig } from '../config/config.js';
import type { RunningServer } from '../app/start-server.js';
import { systemActor } from '../features/access/actor.js';
import { TokensService } from '../features/access/tokens.service.js';
import type { PromotionDto, PromotionPageDto } from '../features/promotions/promotions.dto.js';
import type { ReleaseDto } from '../features/releases/releases.dto.js';
import { errorMessage } from '../shared/errors.js';

// The story `npm start` and `npm run demo` tell on one machine: Gantry starts
// with its embedded defaults, declares examples/demo/gantry.yaml (three local
// stages), sends steady traffic to every stage, carries a good release from
// develop to prod (a rolling update, a smoke-tested blue-green switch, an
// approved canary), then a faulty one (half its requests fail) whose prod canary fails its
// analysis and is rolled back by itself. Everything goes through the public
// API, as a CI system and two people would drive it.

export interface DemoOptions {
  /** The pipeline file to declare (examples/demo/gantry.yaml). */
  pipelineFile: string;
  /** Wiped at start: the demo's database, builds and logs. */
  dataDir: string;
  /** Keep serving after the story (npm start); otherwise stop and report (npm run demo). */
  keepServing: boolean;
  /** The whole story must end within this (npm run demo). */
  timeoutMs: number;
  /**
   * Leave the prod approvals of the good and the faulty release to a person
   * in the dashboard (the end-to-end test does this) instead of demo-approver.
   */
  approveInDashboard?: boolean;
  print: (line: string) => void;
}

export interface DemoOutcome {
  ok: boolean;
  /** What did not happen as expected, in words. */
  problems: string[];
  server: RunningServer;
}

const SERVICE = 'hello';
const STAGE_PORTS = { develop: 8081, staging: 8082, prod: 8083 } as const;
const PREVIEW_PORT = 8182;
const FINAL = ['Succeeded', 'Failed', 'Aborted', 'Rejected', 'RolledBack'];

export async function runDemo(options: DemoOptions): Promise<DemoOutcome> {
  const { print } = options;
  const started = Date.now();
  const stamp = () => {
    const seconds = Math.floor((Date.now() - started) / 1000);
    return `[${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}]`;
  };
  const say = (line: string) => print(`${stamp()} ${line}`);

  await assertPortsFree([...Object.values(STAGE_PORTS), PREVIEW_PORT]);
  rmSync(options.dataDir, { recursive: true, force: true });
  const builds = join(options.dataDir, 'builds');
  mkdirSync(builds, { recursive: true });

  const config = loadConfig({
    // The demo prints its own progress; the server's log would only interleave with it.
    GANTRY_LOG_LEVEL: 'error',
    ...process.env,
    GANTRY_DATA_DIR: join(options.dataDir, 'data'),
  });
  const { startServer } = await import('../app/start-server.js');
  const server = await startServer(config, { handleSignals: options.keepServing });
  const tokens = server.app.get(TokensService);
  const ci = (await tokens.create(systemActor('demo'), { name: 'demo-ci', role: 'deployer', stages: null }))
    .secret;
  const approver = (
    await tokens.create(systemActor('demo'), { name: 'demo-approver', role: 'approver', stages: null })
  ).secret;
  const asCi = new ApiClient({ baseUrl: server.url, token: ci });
  const asApprover = new ApiClient({ baseUrl: server.url, token: approver });
  say(`Gantry is up at ${server.url} (embedded PGlite in ${config.database.dataDir}, in-process broker)`);
  say(
    `dashboard: ${server.url}/ (sign in with the token in ${server.adminTokenFile ?? 'the admin-token file'})`,
  );

  // Declaring pipelines is an admin's job: the token the first start wrote.
  const asAdmin = new ApiClient({
    baseUrl: server.url,
    token: readFileSync(server.adminTokenFile!, 'utf8').trim(),
  });
  try {
    await asAdmin.put('api/v1/pipelines', {
      fileName: 'gantry.yaml',
      content: withBuildsDirectory(readFileSync(options.pipelineFile, 'utf8'), builds),
    });
  } catch (error) {
    return { ok: false, problems: [errorMessage(error)], server };
  }
  say(`declared ${options.pipelineFile}: ${SERVICE} develop → staging → prod`);

  const traffic = Object.values(STAGE_PORTS).map((port) => new SteadyTraffic(port));
  say(`sending steady traffic to http://127.0.0.1:{${Object.values(STAGE_PORTS).join(',')}}`);
  const progress = new ProgressPrinter(asCi, say);
  progress.start();

  const problems: string[] = [];
  const deadline = started + options.timeoutMs;
  const release = async (behaviour: { errorRate: number }, what: string): Promise<ReleaseDto> => {
    const commit = randomBytes(20).toString('hex');
    writeFileSync(join(builds, `${commit}.json`), JSON.stringify(behaviour));
    const created = await asCi.post<ReleaseDto>('api/v1/releases', {
      service: SERVICE,
      image: 'ghcr.io/gantry-demo/hello',
      digest: `sha256:${randomBytes(32).toString('hex')}`,
      commit,
    });
    say(`CI registered release ${created.version} (${what}, commit ${commit.slice(0, 7)})`);
    return created;
  };
  const promotionInto = async (stage: string, version: string): Promise<PromotionDto> =>
    waitUntil(deadline, `${version} to finish in ${stage}`, async () => {
      const page = await asCi.get<PromotionPageDto>('api/v1/promotions', {
        service: SERVICE,
        stage,
        limit: 5,
      });
      const promotion = page.items.find((item) => item.version === version);
      return promotion && FINAL.includes(promotion.phase) ? promotion : undefined;
    });
  const toProd = async (version: string, byPerson: boolean): Promise<PromotionDto> => {
    const requested = await asCi.post<PromotionDto>('api/v1/promotions', {
      service: SERVICE,
      version,
      stage: 'prod',
      reason: 'demo: ready for prod',
    });
    say(`demo-ci asked to promote ${version} into prod; prod needs one approval from someone else`);
    await waitUntil(deadline, 'the approval request', async () => {
      const promotion = await asCi.get<PromotionDto>(`api/v1/promotions/${requested.id}`);
      return promotion.phase === 'WaitingForApproval' || FINAL.includes(promotion.phase);
    });
    if (byPerson) {
      say(`waiting for someone to approve ${version} for prod: ${server.url}/promotions/${requested.id}`);
    } else {
      await asApprover.post(`api/v1/promotions/${requested.id}/approve`, {
        comment: 'demo: looks good',
      });
      say(`demo-approver approved ${version} for prod`);
    }
    return promotionInto('prod', version);
  };
  const expect = (condition: boolean, problem: string) => {
    if (!condition) problems.push(problem);
  };

  /** Carries a release through develop and staging by themselves, then into prod by request and approval. */
  const allTheWay = async (
    version: string,
    prodOutcome: string,
    byPerson = options.approveInDashboard ?? false,
  ): Promise<PromotionDto> => {
    for (const stage of ['develop', 'staging'] as const) {
      const done = await promotionInto(stage, version);
      expect(done.phase === 'Succeeded', `${version} ended ${done.phase} in ${stage}: ${done.message}`);
    }
    const prod = await toProd(version, byPerson);
    expect(
      prod.phase === prodOutcome,
      `${version} should have ended ${prodOutcome} in prod, but ended ${prod.phase}: ${prod.message}`,
    );
    return prod;
  };

  try {
    say('first, the version that ran before: the first release of each stage goes straight in');
    const before = await release({ errorRate: 0 }, 'what ran before');
    await allTheWay(before.version, 'Succeeded', false);
    say(
      'now a good release: a rolling update in develop, a smoke-tested blue-green switch in staging, a canary in prod',
    );
    const good = await release({ errorRate: 0 }, 'a good build');
    await allTheWay(good.version, 'Succeeded');
    say('and a faulty one: it passes develop and staging, and its prod canary meets the error-rate analysis');
    // Half, not fewer: the canary's 10% sees about 20 requests in the analysis window, and at 30% one
    // measurement in fifty saw a single failure (0.059 < 0.1) and paused as inconclusive; at 50%, about
    // one in seven thousand.
    const faulty = await release({ errorRate: 0.5 }, 'a faulty build: half of its requests fail');
    await allTheWay(faulty.version, 'RolledBack');
    const served = await versionAt(STAGE_PORTS.prod);
    expect(served === good.version, `prod should serve ${good.version} again, but serves ${served}`);
    await progress.flush();
    say(
      problems.length === 0
        ? `done: ${good.version} runs everywhere; the faulty ${faulty.version} reached prod as a 10% canary, failed its analysis and was rolled back automatically`
        : `done, with problems`,
    );
  } catch (error) {
    problems.push(errorMessage(error));
  } finally {
    progress.stop();
    const dropped = traffic.reduce((sum, flow) => sum + flow.failedConnections, 0);
    // npm start keeps the traffic flowing, so the stages stay busy for whoever looks.
    if (!options.keepServing) {
      await Promise.all(traffic.map((flow) => flow.stop()));
      say(`traffic: ${traffic.reduce((sum, flow) => sum + flow.sent, 0)} requests, ${dropped} not answered`);
    }
  }

  if (options.keepServing) {
    print(`
Gantry keeps running. Look around:
  curl http://127.0.0.1:${STAGE_PORTS.prod}/            prod, through Gantry's proxy
  export GANTRY_URL=${server.url} GANTRY_TOKEN=$(cat ${join(config.database.dataDir, 'admin-token')})
  npx gantry status                                    which release runs where
  npx gantry promotion list --service ${SERVICE}         every promotion; then: npx gantry promotion show ID
  npx gantry logs ${SERVICE} --stage prod --follow         the prod replicas' logs
  curl ${server.url}/metrics | grep gantry_proxy         per-version traffic
Ctrl-C stops Gantry and its replicas.`);
  }
  return { ok: problems.length === 0, problems, server };
}

/**
 * The pipeline as declared: its replicas read each release's behaviour from
 * .gantry/demo/builds, the default --data-dir's; another --data-dir moves the
 * builds, so the path follows them (otherwise the faulty build would behave).
 */
export function withBuildsDirectory(pipeline: string, builds: string): string {
  return pipeline.replaceAll('.gantry/demo/builds/', `${builds}/`);
}

/** The version a stage answers with right now. */
async function versionAt(port: number): Promise<string> {
  const answer = await get(port, '/version');
  return (JSON.parse(answer.body) as { version?: string }).version ?? answer.body;
}

async function waitUntil<T>(
  deadline: number,
  what: string,
  check: () => Promise<T>,
): Promise<NonNullable<T>> {
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function assertPortsFree(ports: readonly number[]): Promise<void> {
  for (const port of ports) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (!free) {
      throw new Error(
        `port ${port} is in use; the demo's stages answer on ${Object.values(STAGE_PORTS).join(', ')} and ${PREVIEW_PORT}. Stop what uses it (another demo?) and start again`,
      );
    }
  }
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, timeout: 5_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    request.end();
  });
}

/** About 40 requests a second to one stage, as long as the demo runs; a stage not up yet is skipped. */
class SteadyTraffic {
  sent = 0;
  failedConnections = 0;
  private stopped = false;
  private readonly loops: Promise<void>[];

  constructor(private readonly port: number) {
    this.loops = [this.loop(), this.loop()];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const answered = await get(this.port, '/').then(
        () => true,
        () => false,
      );
      if (answered) this.sent += 1;
      else this.failedConnections += this.sent > 0 ? 1 : 0;
      await new Promise((resolve) => setTimeout(resolve, answered ? 50 : 500));
    }
  }
}

/** Prints each change of the service's promotions: phase, rollout step and weight, new measurements. */
class ProgressPrinter {
  private readonly seen = new Map<string, string>();
  private readonly measured = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly api: ApiClient,
    private readonly say: (line: string) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.poll()).catch(() => undefined);
    }, 300);
  }

  async flush(): Promise<void> {
    await this.running;
    await this.poll().catch(() => undefined);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async poll(): Promise<void> {
    const page = await this.api.get<PromotionPageDto>('api/v1/promotions', { service: SERVICE, limit: 6 });
    for (const listed of [...page.items].reverse()) {
      const promotion = await this.api.get<PromotionDto>(`api/v1/promotions/${listed.id}`);
      const rollout = promotion.rollout;
      const where =
        rollout && promotion.phase === 'Verifying'
          ? ` · ${rollout.strategy} step ${Math.min(rollout.step, rollout.steps.length)}/${rollout.steps.length}: ${rollout.steps[rollout.step - 1] ?? 'promoting'} · ${rollout.weight}% of requests`
          : '';
      const line = `${promotion.stage.padEnd(8)} ${promotion.version.padEnd(10)} ${promotion.phase.padEnd(18)}${where}${promotion.message ? ` — ${promotion.message}` : ''}`;
      if (this.seen.get(promotion.id) !== line) {
        this.seen.set(promotion.id, line);
        this.say(line);
      }
      for (const run of rollout?.analysis ?? []) {
        const printed = this.measured.get(run.id) ?? 0;
        for (const measurement of run.measurements.slice(printed)) {
          const value =
            typeof measurement.value === 'number'
              ? measurement.value.toFixed(3)
              : JSON.stringify(measurement.value);
          this.say(
            `${' '.repeat(28)}${run.label} analysis: ${measurement.metric} = ${value} → ${measurement.phase}`,
          );
        }
        this.measured.set(run.id, run.measurements.length);
      }
    }
  }
}
