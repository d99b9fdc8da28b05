import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PromotionDto, StatusDto } from '../features/promotions/promotions.dto.js';
import type { ReleaseDto } from '../features/releases/releases.dto.js';
import { createConfigRepository, type ConfigRepository } from '../testing/git-fixture.js';
import { databaseKinds } from '../testing/test-backends.js';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { waitFor } from '../testing/wait-for.js';

// The built `gantry` command against a running server, the way CI and people
// use it: validate and apply a gantry.yaml, register a release with its
// evidence, watch it move, ask why, promote to prod with another person's
// approval, follow the timeline, roll back, and the exit codes scripts rely on.

const GANTRY_BIN = fileURLToPath(new URL('../../bin/gantry.js', import.meta.url));

const KUSTOMIZATION = (stage: string) => `# ${stage} overlay
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
images:
  - name: ghcr.io/acme/shop
    newTag: "0.0.0"
`;

const VALUES = `replicas: 2
image:
  repository: ghcr.io/acme/shop
  tag: "0.0.0"
`;

const pipeline = (repo: string) => `apiVersion: gantry.dev/v1alpha1
kind: Service
metadata:
  name: shop
spec:
  team: storefront
  image: ghcr.io/acme/shop
  source: { repo: https://github.com/acme/shop }
  stages:
    - name: develop
      promotion: auto
      target: { type: gitops, repository: ${repo}, path: apps/shop/develop/kustomization.yaml, format: kustomize }
    - name: staging
      promotion: auto
      gates: { tests: passed, coverage: { min: 80 } }
      target: { type: gitops, repository: ${repo}, path: apps/shop/staging/kustomization.yaml, format: kustomize }
    - name: prod
      promotion: manual
      approvals: { required: 1, fourEyes: true }
      target: { type: gitops, repository: ${repo}, path: apps/shop/values-prod.yaml, format: helm, key: image.tag }
`;

const JUNIT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="unit" tests="3" failures="0" errors="0" time="0.9">
  <testsuite name="basket" tests="3" failures="0" errors="0" skipped="0" time="0.9">
    <testcase classname="basket" name="adds" time="0.3"/>
    <testcase classname="basket" name="removes" time="0.3"/>
    <testcase classname="basket" name="totals" time="0.3"/>
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

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe.each(databaseKinds())('the gantry command against a server on %s', (database) => {
  let gantry: TestServer;
  let repo: ConfigRepository;
  let workdir: string;
  let ci: string;
  let alice: string;
  let bob: string;
  /** The first release, created in CI and carried to prod. */
  let first: ReleaseDto;
  let toProd: string;

  beforeAll(async () => {
    repo = await createConfigRepository({
      'apps/shop/develop/kustomization.yaml': KUSTOMIZATION('develop'),
      'apps/shop/staging/kustomization.yaml': KUSTOMIZATION('staging'),
      'apps/shop/values-prod.yaml': VALUES,
    });
    gantry = await startTestServer({ database });
    ci = await gantry.token('ci', 'deployer');
    alice = await gantry.token('alice', 'approver');
    bob = await gantry.token('bob', 'approver');
    workdir = mkdtempSync(join(tmpdir(), 'gantry-cli-e2e-'));
    writeFileSync(join(workdir, 'gantry.yaml'), pipeline(repo.bare));
    writeFileSync(
      join(workdir, 'broken.yaml'),
      pipeline(repo.bare).replace('promotion: manual', 'promotion: sometimes'),
    );
    writeFileSync(join(workdir, 'junit.xml'), JUNIT);
    writeFileSync(join(workdir, 'coverage-summary.json'), coverage(87));
    writeFileSync(join(workdir, 'coverage-low.json'), coverage(50));
  });

  afterAll(async () => {
    await gantry?.stop();
  });

  /** Runs the built CLI with GANTRY_URL and GANTRY_TOKEN, in the directory holding the files. */
  function cli(args: string[], token: string = ci): Promise<Run> {
    const child = spawn(process.execPath, [GANTRY_BIN, ...args], {
      cwd: workdir,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        GANTRY_URL: gantry.server.url,
        GANTRY_TOKEN: token,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  /** Runs the CLI and expects exit code 0. */
  async function ok(args: string[], token: string = ci): Promise<string> {
    const run = await cli(args, token);
    expect(run.code, `gantry ${args.join(' ')}\n${run.stderr}`).toBe(0);
    return run.stdout;
  }

  async function current(): Promise<Record<string, string | null>> {
    const { body } = await gantry.api<StatusDto>('GET', '/api/v1/status?service=shop');
    return Object.fromEntries(body.items[0]!.stages.map((cell) => [cell.stage, cell.currentVersion]));
  }

  async function runs(stage: string, version: string): Promise<void> {
    await waitFor(async () => (await current())[stage] === version, { what: `${stage} to run ${version}` });
  }

  async function reaches(id: string, phases: string[]): Promise<PromotionDto> {
    return waitFor(
      async () => {
        const { body } = await gantry.api<PromotionDto>('GET', `/api/v1/promotions/${id}`);
        return phases.includes(body.phase) ? body : undefined;
      },
      { what: `promotion ${id} to reach ${phases.join(' or ')}` },
    );
  }

  function releaseArgs(extra: string[] = [], coverageFile = 'coverage-summary.json'): string[] {
    return [
      'release',
      'create',
      '--service',
      'shop',
      '--image',
      'ghcr.io/acme/shop',
      '--digest',
      digest(),
      '--commit',
      commit(),
      '--junit',
      'junit.xml',
      '--coverage',
      coverageFile,
      ...extra,
    ];
  }

  /** `gantry promote … --to prod` by alice, approved by bob, until it succeeded; returns the promotion id. */
  async function promoteToProd(version: string): Promise<string> {
    const out = await ok(['promote', 'shop', version, '--to', 'prod', '--reason', 'weekly release'], alice);
    const id = /^promotion ([0-9a-f-]{36}): /.exec(out)![1]!;
    await reaches(id, ['WaitingForApproval']);
    await ok(['approve', id, '--comment', 'checked the dashboards'], bob);
    expect((await reaches(id, ['Succeeded', 'Failed', 'Aborted', 'Rejected'])).phase).toBe('Succeeded');
    return id;
  }

  it('validates a gantry.yaml without a server, and says where a broken one is wrong', async () => {
    expect(await ok(['validate', '-f', 'gantry.yaml'])).toBe('shop: develop → staging → prod (3 stages)\n');

    const broken = await cli(['validate', '-f', 'broken.yaml']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^gantry: broken\.yaml:\d+:\d+ /);
    expect(broken.stderr).toContain('sometimes');
    expect(broken.stdout).toBe('');
  });

  it('applies the gantry.yaml, as a table and as JSON', async () => {
    const deployer = await cli(['apply', '-f', 'gantry.yaml'], ci);
    expect(deployer.code).toBe(1);
    expect(deployer.stderr).toBe(
      'gantry: token "ci" (deployer) may not call PUT /api/v1/pipelines; it needs a token with role admin\n',
    );

    expect(await ok(['apply', '-f', 'gantry.yaml'], gantry.adminToken)).toBe('shop  revision 1  created\n');
    const again = JSON.parse(
      await ok(['apply', '-f', 'gantry.yaml', '--json'], gantry.adminToken),
    ) as unknown;
    expect(again).toEqual({ dryRun: false, items: [{ service: 'shop', revision: 1, outcome: 'unchanged' }] });
  }, 180_000);

  it('registers a release with its evidence, and finds the same digest again', async () => {
    const args = releaseArgs();
    first = JSON.parse(await ok([...args, '--json'])) as ReleaseDto;
    expect(first.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.version).toMatch(/^\d{4}\.\d{2}\.1$/);
    expect(first.createdBy).toBe('ci');
    expect(first.evidence!.map((item) => item.kind).sort()).toEqual(['coverage', 'tests']);

    expect(await ok(args)).toBe(`exists shop ${first.version}\n`);
    const shown = await ok(['release', 'show', 'shop', first.version]);
    expect(shown).toContain(`release shop ${first.version}`);
    expect(shown).toMatch(/tests\s+junit\.xml\s+3\/3 passed/);
  }, 180_000);

  it('shows the release in develop with gantry status, and explains staging with gantry why', async () => {
    await runs('develop', first.version);
    const status = await ok(['status']);
    const [header, row] = status.trimEnd().split('\n');
    expect(header).toMatch(/^SERVICE\s+DEVELOP\s+STAGING\s+PROD$/);
    expect(row).toMatch(new RegExp(`^shop\\s+${first.version.replace(/\./g, '\\.')}`));

    await runs('staging', first.version);
    const why = await ok(['why', 'shop', first.version, '--stage', 'staging']);
    const lines = why.trimEnd().split('\n');
    expect(lines[0]).toBe(`shop ${first.version} → staging: pass: nothing stands in the way`);
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}passed\s+tests\s+3 passed of 3 tests \(junit\.xml\)$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}passed\s+coverage\s+coverage 87\.0% ≥ 80% \(coverage-summary\.json\)$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}passed\s+upstream\s+promoted to develop /));

    const json = JSON.parse(await ok(['status', '--json'])) as StatusDto;
    expect(json.items[0]!.stages.map((cell) => cell.currentVersion)).toEqual([
      first.version,
      first.version,
      null,
    ]);
  }, 180_000);

  it('promotes to prod, which another person approves, and shows the timeline', async () => {
    const out = await ok(
      ['promote', 'shop', first.version, '--to', 'prod', '--reason', 'weekly release'],
      alice,
    );
    const match = /^promotion ([0-9a-f-]{36}): shop (\S+) → prod \(Pending\)$/m.exec(out);
    expect(match?.[2]).toBe(first.version);
    toProd = match![1]!;
    await reaches(toProd, ['WaitingForApproval']);

    // A deployer token cannot approve, and four eyes: whoever asked for the promotion cannot either.
    const deployer = await cli(['approve', toProd], ci);
    expect(deployer.code).toBe(1);
    expect(deployer.stderr).toBe(
      'gantry: token "ci" (deployer) may not call POST /api/v1/promotions/:id/approve; it needs a token with role approver or admin\n',
    );
    const own = await cli(['approve', toProd], alice);
    expect(own.code).toBe(1);
    expect(own.stderr).toBe(
      'gantry: alice requested this promotion; prod needs four eyes, so someone else must approve\n',
    );

    const approved = await ok(['approve', toProd, '--comment', 'checked the dashboards'], bob);
    expect(approved).toMatch(
      new RegExp(`^promotion ${toProd}: shop ${first.version.replace(/\./g, '\\.')} → prod `),
    );
    expect((await reaches(toProd, ['Succeeded', 'Failed', 'Aborted', 'Rejected'])).phase).toBe('Succeeded');
    expect(await repo.show('apps/shop/values-prod.yaml')).toContain(`tag: "${first.version}"`);

    const shown = await ok(['promotion', 'show', toProd]);
    const lines = shown.trimEnd().split('\n');
    expect(lines[0]).toBe(`promotion ${toProd}: shop ${first.version} → prod (Succeeded)`);
    expect(lines).toContain('  trigger    manual by alice: "weekly release"');
    const timeline = lines.slice(lines.indexOf('Timeline') + 1, lines.indexOf('Decisions') - 1);
    expect(timeline.map((line) => /(\S+) → (\S+)/.exec(line)!.slice(1).join(' → '))).toEqual([
      '- → Pending',
      'Pending → WaitingForGates',
      'WaitingForGates → WaitingForApproval',
      'WaitingForApproval → Applying',
      'Applying → Verifying',
      'Verifying → Succeeded',
    ]);
    expect(lines).toContainEqual(expect.stringMatching(/approved by bob: "checked the dashboards"$/));
  }, 180_000);

  it('rolls prod back to the release that ran before', async () => {
    const second = JSON.parse(await ok([...releaseArgs(), '--json'])) as ReleaseDto;
    await runs('staging', second.version);
    await promoteToProd(second.version);
    expect((await current()).prod).toBe(second.version);

    const out = await ok([
      'rollback',
      'shop',
      '--stage',
      'prod',
      '--reason',
      'checkout errors since the deploy',
    ]);
    const match = /^promotion ([0-9a-f-]{36}): shop (\S+) → prod \(Pending, rollback\)$/m.exec(out);
    expect(match?.[2]).toBe(first.version);
    expect((await reaches(match![1]!, ['Succeeded', 'Failed', 'Aborted'])).phase).toBe('Succeeded');
    expect((await current()).prod).toBe(first.version);
    const [head] = await repo.log();
    expect(head!.subject).toBe(`rollback(shop): prod → ${first.version}`);
  }, 180_000);

  it('exits 1 for a refusal, printing the explanations, and 2 for a usage error', async () => {
    const low = JSON.parse(await ok([...releaseArgs([], 'coverage-low.json'), '--json'])) as ReleaseDto;

    const refused = await cli(['promote', 'shop', low.version, '--to', 'staging']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    const lines = refused.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        `^gantry: ${low.version.replace(/\./g, '\\.')} cannot be promoted into staging: blocked: coverage 50\\.0% < 80%`,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}blocked\s+coverage: coverage 50\.0% < 80% \(coverage-low\.json attached .+\)$/,
      ),
    );

    const usage = await cli(['promote', 'shop', low.version]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("required option '--to <stage>' not specified");
    expect(usage.stderr).toContain('(run with --help for usage)');

    const unknown = await cli(['why', 'shop', '1999.01.1', '--stage', 'prod']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(
      'gantry: release 1999.01.1 of shop does not exist; see gantry release list --service shop\n',
    );

    const badToken = await cli(['status'], 'not-a-token');
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toMatch(/^gantry: /);
  }, 180_000);
});
