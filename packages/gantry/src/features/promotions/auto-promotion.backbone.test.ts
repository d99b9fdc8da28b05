import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../../testing/test-backends.js';
import { createConfigRepository, type ConfigRepository } from '../../testing/git-fixture.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { waitFor } from '../../testing/wait-for.js';
import { queryRows } from '../../platform/database/database.js';
import { sql } from 'drizzle-orm';
import type { ReleaseDto } from '../releases/releases.dto.js';
import type { PromotionDto, PromotionPageDto, StatusDto, WhyDto } from './promotions.dto.js';

// Promotions Gantry starts by itself, on a real database and config
// repository: a soak gate that a durable timer re-checks, the hold a person
// sets by promoting an older release by hand, a waiting promotion superseded
// by a newer release, and aborting promotions.

const TERMINAL = ['Succeeded', 'Failed', 'Aborted', 'Rejected', 'RolledBack'];

const JUNIT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="unit" tests="2" failures="0" errors="0" time="0.4">
  <testsuite name="ledger" tests="2" failures="0" errors="0" skipped="0" time="0.4">
    <testcase classname="ledger" name="posts" time="0.2"/>
    <testcase classname="ledger" name="balances" time="0.2"/>
  </testsuite>
</testsuites>
`;

const kustomization = (service: string, stage: string) => `# ${service} ${stage} overlay
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
images:
  - name: ghcr.io/acme/${service}
    newTag: "0.0.0"
`;

interface StageSpec {
  name: string;
  promotion: 'auto' | 'manual';
  extra?: string;
}

function service(name: string, repo: string, stages: StageSpec[]): string {
  return `apiVersion: gantry.dev/v1alpha1
kind: Service
metadata:
  name: ${name}
spec:
  team: platform
  image: ghcr.io/acme/${name}
  source: { repo: https://github.com/acme/${name} }
  stages:
${stages
  .map(
    (stage) => `    - name: ${stage.name}
      promotion: ${stage.promotion}
${stage.extra ?? ''}      target: { type: gitops, repository: ${repo}, path: apps/${name}/${stage.name}/kustomization.yaml, format: kustomize }
`,
  )
  .join('')}`;
}

const PIPELINES: Record<string, StageSpec[]> = {
  // develop (auto) → staging (auto, after 1s in develop) → prod (manual)
  soaker: [
    { name: 'develop', promotion: 'auto' },
    { name: 'staging', promotion: 'auto', extra: '      gates: { soak: 1s }\n' },
    { name: 'prod', promotion: 'manual' },
  ],
  holder: [
    { name: 'develop', promotion: 'auto' },
    { name: 'prod', promotion: 'manual' },
  ],
  superseder: [
    { name: 'develop', promotion: 'auto' },
    { name: 'staging', promotion: 'auto', extra: '      gates: { tests: passed }\n' },
    { name: 'prod', promotion: 'manual' },
  ],
  burst: [
    { name: 'develop', promotion: 'auto' },
    { name: 'staging', promotion: 'auto' },
  ],
  billing: [
    { name: 'develop', promotion: 'auto' },
    { name: 'prod', promotion: 'manual', extra: '      approvals: { required: 1 }\n' },
  ],
};

const digest = () => `sha256:${randomBytes(32).toString('hex')}`;
const commit = () => randomBytes(20).toString('hex');

describe.each(databaseKinds())('auto-promotion on %s', (database) => {
  let gantry: TestServer;
  let repo: ConfigRepository;
  let ci: string;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    const files: Record<string, string> = {};
    for (const [name, stages] of Object.entries(PIPELINES))
      for (const stage of stages)
        files[`apps/${name}/${stage.name}/kustomization.yaml`] = kustomization(name, stage.name);
    repo = await createConfigRepository(files);
    gantry = await startTestServer({ database });
    ci = await gantry.token('ci', 'deployer');
    alice = await gantry.token('alice', 'approver');
    bob = await gantry.token('bob', 'deployer');
    const content = Object.entries(PIPELINES)
      .map(([name, stages]) => service(name, repo.bare, stages))
      .join('---\n');
    const applied = await gantry.api('PUT', '/api/v1/pipelines', {
      body: { fileName: 'gantry.yaml', content },
    });
    expect(applied.status).toBe(200);
  });

  afterAll(async () => {
    await gantry?.stop();
  });

  async function createRelease(name: string, extra: Record<string, unknown> = {}): Promise<ReleaseDto> {
    const response = await gantry.api<ReleaseDto>('POST', '/api/v1/releases', {
      token: ci,
      body: { service: name, image: `ghcr.io/acme/${name}`, digest: digest(), commit: commit(), ...extra },
    });
    expect(response.status).toBe(201);
    return response.body;
  }

  async function cells(name: string): Promise<StatusDto['items'][number]['stages']> {
    const { body } = await gantry.api<StatusDto>('GET', `/api/v1/status?service=${name}`);
    return body.items[0]!.stages;
  }

  async function current(name: string): Promise<Record<string, string | null>> {
    return Object.fromEntries((await cells(name)).map((cell) => [cell.stage, cell.currentVersion]));
  }

  async function runs(name: string, stage: string, version: string): Promise<void> {
    await waitFor(async () => (await current(name))[stage] === version, {
      what: `${stage} of ${name} to run ${version}`,
    });
  }

  async function promotionsIn(name: string, stage: string): Promise<PromotionDto[]> {
    const { body } = await gantry.api<PromotionPageDto>(
      'GET',
      `/api/v1/promotions?service=${name}&stage=${stage}&limit=500`,
    );
    return body.items;
  }

  async function promotion(id: string): Promise<PromotionDto> {
    return (await gantry.api<PromotionDto>('GET', `/api/v1/promotions/${id}`)).body;
  }

  async function inPhase(id: string, phases: string[]): Promise<PromotionDto> {
    return waitFor(
      async () => {
        const found = await promotion(id);
        return phases.includes(found.phase) ? found : undefined;
      },
      { what: `promotion ${id} to reach ${phases.join(' or ')}` },
    );
  }

  async function why(name: string, version: string, stage: string): Promise<WhyDto> {
    const response = await gantry.api<WhyDto>(
      'GET',
      `/api/v1/releases/${name}/${version}/why?stage=${stage}`,
    );
    expect(response.status).toBe(200);
    return response.body;
  }

  it('promotes into staging only once the release has soaked in develop, on a durable timer', async () => {
    const release = await createRelease('soaker');
    const soakChecks: string[] = [];
    const stagingMessages: string[] = [];
    await waitFor(
      async () => {
        const report = await why('soaker', release.version, 'staging');
        const soak = report.items.find((item) => item.name === 'soak');
        if (soak) soakChecks.push(`${soak.state}: ${soak.reason}`);
        const waiting = (await promotionsIn('soaker', 'staging')).find(
          (item) => item.version === release.version && item.phase === 'WaitingForGates',
        );
        if (waiting?.message) stagingMessages.push(waiting.message);
        return (await current('soaker')).staging === release.version;
      },
      { intervalMs: 10, what: 'staging to run the release' },
    );

    const soaking = soakChecks.findIndex((check) =>
      /^pending: soaking in develop: \d+s of 1s, 1s to go$/.test(check),
    );
    expect(soaking, soakChecks.join('\n')).toBeGreaterThanOrEqual(0);
    expect(soakChecks.slice(0, soaking).every((check) => check.startsWith('pending:'))).toBe(true);
    expect(stagingMessages).toContainEqual(expect.stringMatching(/^pending: soaking in develop: /));

    const [develop] = (await promotionsIn('soaker', 'develop')).filter(
      (item) => item.version === release.version,
    );
    const [staging] = (await promotionsIn('soaker', 'staging')).filter(
      (item) => item.version === release.version,
    );
    expect(develop!.phase).toBe('Succeeded');
    const detail = await promotion(staging!.id);
    expect(detail).toMatchObject({
      phase: 'Succeeded',
      trigger: 'auto',
      requestedBy: 'system:auto-promotion',
    });
    expect(detail.transitions!.map((transition) => transition.to)).toEqual([
      'Pending',
      'WaitingForGates',
      'Applying',
      'Verifying',
      'Succeeded',
    ]);
    // The promotion waited at the gates until the re-check the engine scheduled for the end of the soak.
    const passed = detail.transitions!.find((transition) => transition.to === 'Applying')!;
    expect(passed.actor).toBe('system:promotion-engine');
    expect(passed.reason).toMatch(/^gates passed: .*soaked in develop for \d+s \(≥ 1s\)/);
    expect(new Date(passed.at).getTime()).toBeGreaterThanOrEqual(
      new Date(develop!.finishedAt!).getTime() + 1000,
    );

    const after = await why('soaker', release.version, 'staging');
    expect(after.items.find((item) => item.name === 'soak')).toMatchObject({
      state: 'passed',
      stage: 'develop',
    });
    expect((await current('soaker')).prod).toBeNull();
    expect(await repo.show('apps/soaker/staging/kustomization.yaml')).toContain(
      `newTag: "${release.version}"`,
    );
  });

  /** Waits until the promotion engine has handled a release's registration (held or not). */
  async function handledByEngine(releaseId: string): Promise<void> {
    await waitFor(
      async () => {
        const rows = await queryRows<{ handled: number }>(
          gantry.server.database.db,
          sql`select count(*)::int as handled from processed_events p join outbox o on o.event_id = p.event_id
              where p.consumer_group = 'promotion-engine' and o.type = 'release.registered'
                and o.payload->>'releaseId' = ${releaseId}`,
        );
        return (rows[0]?.handled ?? 0) > 0;
      },
      { what: `the promotion engine to handle release ${releaseId}` },
    );
  }

  it('catches up with releases that arrived while a stage was busy', async () => {
    // Releases in quick succession: later ones arrive while the stage is still
    // applying an earlier one, and get their turn when it finishes.
    const releases: ReleaseDto[] = [];
    for (let index = 0; index < 4; index++) releases.push(await createRelease('burst'));
    const newest = releases.at(-1)!.version;
    await waitFor(
      async () => {
        const now = await current('burst');
        return now.develop === newest && now.staging === newest;
      },
      { what: `develop and staging to run ${newest}` },
    );
  });

  it('holds auto-promotion of a stage after an older release was promoted there by hand', async () => {
    const first = await createRelease('holder');
    await runs('holder', 'develop', first.version);
    const second = await createRelease('holder');
    await runs('holder', 'develop', second.version);

    const byHand = await gantry.api<PromotionDto>('POST', '/api/v1/promotions', {
      token: alice,
      body: {
        service: 'holder',
        version: first.version,
        stage: 'develop',
        reason: `${second.version} breaks login`,
      },
    });
    expect(byHand.status).toBe(202);
    expect((await inPhase(byHand.body.id, TERMINAL)).phase).toBe('Succeeded');
    expect((await current('holder')).develop).toBe(first.version);

    const hold = { version: first.version, actor: 'alice', at: expect.any(String) as unknown };
    expect((await why('holder', second.version, 'develop')).autoHold).toEqual(hold);
    expect((await cells('holder')).find((cell) => cell.stage === 'develop')!.autoHold).toEqual(hold);
    expect((await cells('holder')).find((cell) => cell.stage === 'prod')!.autoHold).toBeNull();

    // While the stage is held, no release enters it by itself, older or newer.
    const older = await createRelease('holder', { version: '2000.01.1' });
    const third = await createRelease('holder');
    await handledByEngine(older.id);
    await handledByEngine(third.id);
    const developPromotions = await promotionsIn('holder', 'develop');
    expect(developPromotions.filter((item) => item.version === older.version)).toEqual([]);
    expect(developPromotions.filter((item) => item.version === third.version)).toEqual([]);
    expect((await current('holder')).develop).toBe(first.version);
    expect((await why('holder', third.version, 'develop')).autoHold).toEqual(hold);

    // Promoting the held release by hand again keeps the hold; promoting a
    // release newer than the held one by hand lifts it.
    const back = await gantry.api<PromotionDto>('POST', '/api/v1/promotions', {
      token: alice,
      body: { service: 'holder', version: first.version, stage: 'develop' },
    });
    expect((await inPhase(back.body.id, TERMINAL)).phase).toBe('Succeeded');
    expect((await why('holder', first.version, 'develop')).autoHold).toEqual(hold);
    const forward = await gantry.api<PromotionDto>('POST', '/api/v1/promotions', {
      token: bob,
      body: { service: 'holder', version: second.version, stage: 'develop' },
    });
    expect(forward.status).toBe(202);
    expect((await why('holder', second.version, 'develop')).autoHold).toBeNull();
    expect((await inPhase(forward.body.id, TERMINAL)).phase).toBe('Succeeded');
    expect((await cells('holder')).find((cell) => cell.stage === 'develop')).toMatchObject({
      currentVersion: second.version,
      autoHold: null,
    });
  });

  it('aborts a waiting auto-promotion when a newer release succeeds upstream, and starts the newer one', async () => {
    const older = await createRelease('superseder');
    const waiting = await waitFor(
      async () =>
        (await promotionsIn('superseder', 'staging')).find(
          (item) => item.version === older.version && item.phase === 'WaitingForGates',
        ),
      { what: 'the older release to wait at the staging gates' },
    );
    expect(waiting).toMatchObject({ trigger: 'auto', message: 'pending: no test report attached yet' });
    const report = await why('superseder', older.version, 'staging');
    expect(report).toMatchObject({ verdict: 'pending', promotionId: waiting.id, phase: 'WaitingForGates' });
    expect(report.items.find((item) => item.name === 'tests')).toMatchObject({
      state: 'pending',
      reason: 'no test report attached yet',
    });

    const newer = await createRelease('superseder');
    const aborted = await inPhase(waiting.id, TERMINAL);
    expect(aborted.phase).toBe('Aborted');
    expect(aborted.transitions!.at(-1)).toMatchObject({
      from: 'WaitingForGates',
      to: 'Aborted',
      actor: 'system:auto-promotion',
      reason: `superseded by ${newer.version}`,
    });
    const [newerInDevelop] = (await promotionsIn('superseder', 'develop')).filter(
      (item) => item.version === newer.version,
    );
    expect(newerInDevelop!.phase).toBe('Succeeded');
    expect(new Date(aborted.finishedAt!).getTime()).toBeGreaterThanOrEqual(
      new Date(newerInDevelop!.finishedAt!).getTime(),
    );

    const started = await waitFor(
      async () =>
        (await promotionsIn('superseder', 'staging')).find(
          (item) => item.version === newer.version && item.phase === 'WaitingForGates',
        ),
      { what: 'the newer release to wait at the staging gates' },
    );
    expect(started.trigger).toBe('auto');
    const attached = await gantry.api('POST', `/api/v1/releases/superseder/${newer.version}/evidence`, {
      token: ci,
      body: { junit: { fileName: 'junit.xml', content: JUNIT } },
    });
    expect(attached.status).toBe(200);
    expect((await inPhase(started.id, TERMINAL)).phase).toBe('Succeeded');
    expect((await current('superseder')).staging).toBe(newer.version);
    expect((await promotion(waiting.id)).phase).toBe('Aborted');
  });

  it('aborts a promotion waiting for approval, recording who and why, and refuses to abort a finished one', async () => {
    const release = await createRelease('billing');
    await runs('billing', 'develop', release.version);
    const requested = await gantry.api<PromotionDto>('POST', '/api/v1/promotions', {
      token: ci,
      body: { service: 'billing', version: release.version, stage: 'prod' },
    });
    expect(requested.status).toBe(202);
    await inPhase(requested.body.id, ['WaitingForApproval']);

    const aborted = await gantry.api<PromotionDto>('POST', `/api/v1/promotions/${requested.body.id}/abort`, {
      token: alice,
      body: { reason: 'wrong release for the month end' },
    });
    expect(aborted.status).toBe(200);
    expect(aborted.body.phase).toBe('Aborted');
    const detail = await promotion(requested.body.id);
    expect(detail.finishedAt).not.toBeNull();
    expect(detail.transitions!.at(-1)).toMatchObject({
      from: 'WaitingForApproval',
      to: 'Aborted',
      actor: 'alice',
      reason: 'aborted by alice: wrong release for the month end',
    });
    const audit = await gantry.api<{
      items: Array<{ actor: string; action: string; reason: string | null }>;
    }>('GET', `/api/v1/audit?target=promotion/${requested.body.id}`);
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({
        actor: 'alice',
        action: 'promotion.abort',
        reason: 'wrong release for the month end',
      }),
    );
    expect((await cells('billing')).find((cell) => cell.stage === 'prod')).toMatchObject({
      currentVersion: null,
      activePromotion: null,
    });

    const [succeeded] = (await promotionsIn('billing', 'develop')).filter(
      (item) => item.version === release.version,
    );
    const refused = await gantry.api<{ detail: string; code: string }>(
      'POST',
      `/api/v1/promotions/${succeeded!.id}/abort`,
      { token: alice, body: { reason: 'too late' } },
    );
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({
      code: 'illegal_transition',
      detail: 'promotion is Succeeded (finished); it cannot be aborted',
    });
    expect((await promotion(succeeded!.id)).phase).toBe('Succeeded');

    const again = await gantry.api<{ detail: string }>(
      'POST',
      `/api/v1/promotions/${requested.body.id}/abort`,
      {
        token: alice,
        body: {},
      },
    );
    expect(again.status).toBe(409);
    expect(again.body.detail).toBe('promotion is Aborted (finished); it cannot be aborted');
  });
});
