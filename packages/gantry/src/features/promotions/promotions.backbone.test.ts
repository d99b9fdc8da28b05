import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../../testing/test-backends.js';
import { createConfigRepository, type ConfigRepository } from '../../testing/git-fixture.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { waitFor } from '../../testing/wait-for.js';
import type { ReleaseDto } from '../releases/releases.dto.js';
import type { PromotionDto, StatusDto, WhyDto } from './promotions.dto.js';

// The central path of Gantry on a real database and a real git repository:
// a release from CI is promoted automatically through develop and staging
// (gates on its evidence), by hand into prod with four-eyes approval, through
// a freeze window with an override, and rolled back, each promotion a commit
// in the config repository.

const KUSTOMIZATION = (stage: string) => `# ${stage} overlay, edited by Gantry
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
images:
  - name: ghcr.io/acme/checkout
    newTag: "0.0.0" # replaced on promotion
`;

const VALUES = `# production values
replicas: 3
image:
  repository: ghcr.io/acme/checkout
  tag: "0.0.0"
`;

function pipeline(repo: string, extraProd = ''): string {
  return `apiVersion: gantry.dev/v1alpha1
kind: Service
metadata:
  name: checkout
spec:
  team: payments
  image: ghcr.io/acme/checkout
  source: { repo: https://github.com/acme/shop }
  stages:
    - name: develop
      promotion: auto
      target: { type: gitops, repository: ${repo}, path: apps/checkout/overlays/develop/kustomization.yaml, format: kustomize }
    - name: staging
      promotion: auto
      gates: { tests: passed, coverage: { min: 80 } }
      target: { type: gitops, repository: ${repo}, path: apps/checkout/overlays/staging/kustomization.yaml, format: kustomize }
    - name: prod
      promotion: manual
      approvals: { required: 1, fourEyes: true }
${extraProd}      target: { type: gitops, repository: ${repo}, path: apps/checkout/values-prod.yaml, format: helm, key: image.tag }
`;
}

const JUNIT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="jest tests" tests="3" failures="0" errors="0" time="1.2">
  <testsuite name="cart" tests="3" failures="0" errors="0" skipped="0" time="1.2">
    <testcase classname="cart" name="adds" time="0.1"/>
    <testcase classname="cart" name="removes" time="0.1"/>
    <testcase classname="cart" name="totals" time="0.1"/>
  </testsuite>
</testsuites>
`;

const coverage = (pct: number) =>
  JSON.stringify({
    total: {
      lines: { total: 1000, covered: pct * 10, skipped: 0, pct },
      statements: { total: 1000, covered: pct * 10, skipped: 0, pct },
      functions: { total: 100, covered: pct, skipped: 0, pct },
      branches: { total: 100, covered: pct, skipped: 0, pct },
    },
  });

const digest = () => `sha256:${randomBytes(32).toString('hex')}`;
const commit = () => randomBytes(20).toString('hex');

describe.each(databaseKinds())('promotions on %s', (database) => {
  let gantry: TestServer;
  let repo: ConfigRepository;
  let ci: string;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    repo = await createConfigRepository({
      'apps/checkout/overlays/develop/kustomization.yaml': KUSTOMIZATION('develop'),
      'apps/checkout/overlays/staging/kustomization.yaml': KUSTOMIZATION('staging'),
      'apps/checkout/values-prod.yaml': VALUES,
    });
    gantry = await startTestServer({ database });
    ci = await gantry.token('ci', 'deployer');
    alice = await gantry.token('alice', 'approver');
    bob = await gantry.token('bob', 'approver');
    const applied = await gantry.api('PUT', '/api/v1/pipelines', {
      body: { fileName: 'gantry.yaml', content: pipeline(repo.bare) },
    });
    expect(applied.status).toBe(200);
  });

  afterAll(async () => {
    await gantry?.stop();
  });

  async function createRelease(coveragePct: number): Promise<ReleaseDto> {
    const response = await gantry.api<ReleaseDto>('POST', '/api/v1/releases', {
      token: ci,
      body: {
        service: 'checkout',
        image: 'ghcr.io/acme/checkout',
        digest: digest(),
        commit: commit(),
        evidence: {
          junit: { fileName: 'junit.xml', content: JUNIT },
          coverage: { fileName: 'coverage-summary.json', content: coverage(coveragePct) },
        },
      },
    });
    expect(response.status).toBe(201);
    return response.body;
  }

  async function status(): Promise<Record<string, string | null>> {
    const { body } = await gantry.api<StatusDto>('GET', '/api/v1/status?service=checkout');
    return Object.fromEntries(body.items[0]!.stages.map((cell) => [cell.stage, cell.currentVersion]));
  }

  async function finished(id: string): Promise<PromotionDto> {
    return waitFor(
      async () => {
        const { body } = await gantry.api<PromotionDto>('GET', `/api/v1/promotions/${id}`);
        return ['Succeeded', 'Failed', 'Aborted', 'Rejected', 'RolledBack'].includes(body.phase)
          ? body
          : undefined;
      },
      { what: `promotion ${id} to finish` },
    );
  }

  it('re-applying the same pipeline changes nothing', async () => {
    const again = await gantry.api<{ items: Array<{ outcome: string; revision: number }> }>(
      'PUT',
      '/api/v1/pipelines',
      {
        body: { fileName: 'gantry.yaml', content: pipeline(repo.bare) },
      },
    );
    expect(again.body.items).toEqual([{ service: 'checkout', revision: 1, outcome: 'unchanged' }]);
  });

  it('carries a release through develop and staging by itself, one commit per stage', async () => {
    const release = await createRelease(91);
    await waitFor(async () => (await status()).staging === release.version, {
      what: 'staging to run the release',
    });
    expect((await status()).develop).toBe(release.version);
    expect((await status()).prod).toBeNull();

    const staging = await repo.show('apps/checkout/overlays/staging/kustomization.yaml');
    expect(staging).toContain(`newTag: "${release.version}"`);
    expect(staging).toContain(`digest: ${release.digest}`);
    expect(staging).toContain('# staging overlay, edited by Gantry');

    const log = await repo.log();
    expect(log.map((entry) => entry.subject).slice(0, 2)).toEqual([
      `promote(checkout): staging → ${release.version}`,
      `promote(checkout): develop → ${release.version}`,
    ]);
    const trailers = await repo.trailers(log[0]!.sha);
    expect(trailers['Gantry-Release']).toBe(release.version);
    expect(trailers['Gantry-Digest']).toBe(release.digest);
    const { body: promotions } = await gantry.api<{ items: PromotionDto[] }>(
      'GET',
      '/api/v1/promotions?service=checkout&stage=staging',
    );
    expect(trailers['Gantry-Promotion']).toBe(promotions.items[0]!.id);
    expect(promotions.items[0]!.appliedRevision).toBe(log[0]!.sha);
    await expect(repo.git('fsck', '--strict')).resolves.toBeDefined();
  });

  it('keeps a release with too little coverage out of staging and says why', async () => {
    const release = await createRelease(71.2);
    await waitFor(async () => (await status()).develop === release.version, {
      what: 'develop to run the release',
    });
    const { body: why } = await gantry.api<WhyDto>(
      'GET',
      `/api/v1/releases/checkout/${release.version}/why?stage=staging`,
    );
    expect(why.verdict).toBe('blocked');
    const coverageCheck = why.items.find((item) => item.name === 'coverage');
    expect(coverageCheck?.state).toBe('blocked');
    expect(coverageCheck?.reason).toMatch(
      /^coverage 71\.2% < 80% \(coverage-summary\.json attached \d{4}-\d\d-\d\dT\d\d:\d\dZ\)$/,
    );
    expect((await status()).staging).not.toBe(release.version);

    const refused = await gantry.api<{
      detail: string;
      explanations: Array<{ name: string; state: string }>;
    }>('POST', '/api/v1/promotions', {
      token: ci,
      body: { service: 'checkout', version: release.version, stage: 'staging' },
    });
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body.detail).toContain('coverage 71.2% < 80%');
    expect(refused.body.explanations).toContainEqual(
      expect.objectContaining({ name: 'coverage', state: 'blocked' }),
    );
  });

  it('needs an approval from someone other than the requester for prod (four eyes)', async () => {
    const { body: current } = await gantry.api<StatusDto>('GET', '/api/v1/status?service=checkout');
    const version = current.items[0]!.stages.find((cell) => cell.stage === 'staging')!.currentVersion!;

    const byDeployer = await gantry.api<PromotionDto>('POST', '/api/v1/promotions', {
      token: alice,
      body: { service: 'checkout', version, stage: 'prod', reason: 'weekly release' },
    });
    expect(byDeployer.status).toBe(202);
    const id = byDeployer.body.id;
    await waitFor(
      async () =>
        (await gantry.api<PromotionDto>('GET', `/api/v1/promotions/${id}`)).body.phase ===
        'WaitingForApproval',
      { what: 'the prod promotion to wait for approval' },
    );

    const ownApproval = await gantry.api<{ detail: string }>('POST', `/api/v1/promotions/${id}/approve`, {
      token: alice,
      body: {},
    });
    expect(ownApproval.status).toBe(403);
    expect(ownApproval.body.detail).toContain('four eyes');

    const notAllowed = await gantry.api('POST', `/api/v1/promotions/${id}/approve`, { token: ci, body: {} });
    expect(notAllowed.status).toBe(403);

    const approved = await gantry.api<PromotionDto>('POST', `/api/v1/promotions/${id}/approve`, {
      token: bob,
      body: { comment: 'looks good' },
    });
    expect(approved.status).toBe(200);
    const done = await finished(id);
    expect(done.phase).toBe('Succeeded');
    expect(done.transitions!.map((transition) => transition.to)).toEqual([
      'Pending',
      'WaitingForGates',
      'WaitingForApproval',
      'Applying',
      'Verifying',
      'Succeeded',
    ]);
    expect(done.decisions).toEqual([
      expect.objectContaining({ actor: 'bob', decision: 'approved', comment: 'looks good' }),
    ]);
    const values = await repo.show('apps/checkout/values-prod.yaml');
    expect(values).toContain(`tag: "${version}"`);
    expect(values).toContain('# production values');

    const audit = await gantry.api<{ items: Array<{ actor: string; action: string; target: string }> }>(
      'GET',
      '/api/v1/audit?target=promotion/' + id,
    );
    expect(audit.body.items.map((entry) => `${entry.actor} ${entry.action}`)).toEqual(
      expect.arrayContaining(['alice promotion.request', 'bob promotion.approve']),
    );
  });

  it('admits exactly one of 50 concurrent promotions into a stage', async () => {
    const { body: current } = await gantry.api<StatusDto>('GET', '/api/v1/status?service=checkout');
    const version = current.items[0]!.stages.find((cell) => cell.stage === 'staging')!.currentVersion!;
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        gantry.api<PromotionDto & { detail?: string }>('POST', '/api/v1/promotions', {
          token: alice,
          body: { service: 'checkout', version, stage: 'prod' },
        }),
      ),
    );
    const accepted = responses.filter((response) => response.status === 202);
    const conflicts = responses.filter((response) => response.status === 409);
    expect(accepted).toHaveLength(1);
    expect(conflicts).toHaveLength(49);
    for (const conflict of conflicts) expect(conflict.body.detail).toContain(accepted[0]!.body.id);
    const aborted = await gantry.api<PromotionDto>(
      'POST',
      `/api/v1/promotions/${accepted[0]!.body.id}/abort`,
      {
        token: alice,
        body: { reason: 'only testing the lock' },
      },
    );
    expect(aborted.body.phase).toBe('Aborted');
  });

  it('refuses promotions into a frozen stage unless an approver overrides with a reason', async () => {
    const frozen = pipeline(
      repo.bare,
      '      freeze:\n        - { cron: "0 0 1 1 *", duration: 8784h, timeZone: Europe/Madrid, reason: year-end }\n',
    );
    const applied = await gantry.api<{ items: Array<{ outcome: string; revision: number }> }>(
      'PUT',
      '/api/v1/pipelines',
      {
        body: { fileName: 'gantry.yaml', content: frozen },
      },
    );
    expect(applied.body.items[0]).toMatchObject({ outcome: 'updated', revision: 2 });
    const { body: current } = await gantry.api<StatusDto>('GET', '/api/v1/status?service=checkout');
    const version = current.items[0]!.stages.find((cell) => cell.stage === 'staging')!.currentVersion!;
    // The status matrix marks the frozen stage, with the window's reason and end.
    const prodCell = current.items[0]!.stages.find((cell) => cell.stage === 'prod')!;
    expect(prodCell.freeze).toMatchObject({ reason: 'year-end' });
    expect(Date.parse(prodCell.freeze!.until)).toBeGreaterThan(Date.now());
    expect(current.items[0]!.stages.find((cell) => cell.stage === 'staging')!.freeze).toBeNull();

    const refused = await gantry.api<{ detail: string }>('POST', '/api/v1/promotions', {
      token: alice,
      body: { service: 'checkout', version, stage: 'prod' },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/frozen until/);

    const deployerOverride = await gantry.api('POST', '/api/v1/promotions', {
      token: ci,
      body: { service: 'checkout', version, stage: 'prod', override: true, reason: 'hotfix' },
    });
    expect(deployerOverride.status).toBe(403);

    const overridden = await gantry.api<PromotionDto>('POST', '/api/v1/promotions', {
      token: alice,
      body: { service: 'checkout', version, stage: 'prod', override: true, reason: 'hotfix for INC-42' },
    });
    expect(overridden.status).toBe(202);
    expect(overridden.body.freezeOverride).toEqual({ actor: 'alice', reason: 'hotfix for INC-42' });
    await waitFor(
      async () =>
        (await gantry.api<PromotionDto>('GET', `/api/v1/promotions/${overridden.body.id}`)).body.phase ===
        'WaitingForApproval',
      { what: 'the overridden promotion to wait for approval' },
    );
    const { body: why } = await gantry.api<WhyDto>(
      'GET',
      `/api/v1/releases/checkout/${version}/why?stage=prod`,
    );
    expect(why.items.find((item) => item.kind === 'freeze')?.reason).toBe(
      'freeze overridden by alice: hotfix for INC-42',
    );
    await gantry.api('POST', `/api/v1/promotions/${overridden.body.id}/approve`, { token: bob, body: {} });
    expect((await finished(overridden.body.id)).phase).toBe('Succeeded');
    const audit = await gantry.api<{ items: Array<{ action: string; reason: string | null }> }>(
      'GET',
      `/api/v1/audit?target=promotion/${overridden.body.id}`,
    );
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({ action: 'promotion.request.override-freeze', reason: 'hotfix for INC-42' }),
    );
    // Lift the freeze for the tests that follow.
    await gantry.api('PUT', '/api/v1/pipelines', {
      body: { fileName: 'gantry.yaml', content: pipeline(repo.bare) },
    });
  });

  it('rolls back to the release that ran before, through the same engine', async () => {
    const previous = (await status()).prod!;
    const next = await createRelease(93);
    await waitFor(async () => (await status()).staging === next.version, {
      what: 'staging to run the release',
    });
    const toProd = await gantry.api<PromotionDto>('POST', '/api/v1/promotions', {
      token: ci,
      body: { service: 'checkout', version: next.version, stage: 'prod' },
    });
    await waitFor(
      async () =>
        (await gantry.api<PromotionDto>('GET', `/api/v1/promotions/${toProd.body.id}`)).body.phase ===
        'WaitingForApproval',
      { what: 'prod to wait for approval' },
    );
    await gantry.api('POST', `/api/v1/promotions/${toProd.body.id}/approve`, { token: bob, body: {} });
    expect((await finished(toProd.body.id)).phase).toBe('Succeeded');
    expect((await status()).prod).toBe(next.version);

    const rollback = await gantry.api<PromotionDto>('POST', '/api/v1/rollbacks', {
      token: ci,
      body: { service: 'checkout', stage: 'prod', reason: 'errors after deploy' },
    });
    expect(rollback.status).toBe(202);
    expect(rollback.body).toMatchObject({ trigger: 'rollback', version: previous });
    expect((await finished(rollback.body.id)).phase).toBe('Succeeded');
    expect((await status()).prod).toBe(previous);
    const [head] = await repo.log();
    expect(head!.subject).toBe(`rollback(checkout): prod → ${previous}`);
  });

  it('lands two promotions into two stages of one config repository at the same moment', async () => {
    const one = await createRelease(95);
    await waitFor(async () => (await status()).staging === one.version, {
      what: 'staging to run the release',
    });
    const two = await createRelease(96);
    await waitFor(async () => (await status()).staging === two.version, {
      what: 'staging to run the next release',
    });
    const [toDevelop, toProd] = await Promise.all([
      gantry.api<PromotionDto>('POST', '/api/v1/rollbacks', {
        token: ci,
        body: { service: 'checkout', stage: 'develop', version: one.version },
      }),
      gantry.api<PromotionDto>('POST', '/api/v1/promotions', {
        token: ci,
        body: { service: 'checkout', version: two.version, stage: 'prod' },
      }),
    ]);
    expect(toDevelop.status).toBe(202);
    expect(toProd.status).toBe(202);
    await waitFor(
      async () =>
        (await gantry.api<PromotionDto>('GET', `/api/v1/promotions/${toProd.body.id}`)).body.phase ===
        'WaitingForApproval',
      { what: 'prod to wait for approval' },
    );
    await gantry.api('POST', `/api/v1/promotions/${toProd.body.id}/approve`, { token: bob, body: {} });
    expect((await finished(toDevelop.body.id)).phase).toBe('Succeeded');
    expect((await finished(toProd.body.id)).phase).toBe('Succeeded');
    const subjects = (await repo.log()).map((entry) => entry.subject);
    expect(subjects).toContain(`rollback(checkout): develop → ${one.version}`);
    expect(subjects).toContain(`promote(checkout): prod → ${two.version}`);
    await expect(repo.git('fsck', '--strict')).resolves.toBeDefined();
  });
});
