import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../../testing/test-backends.js';
import { createConfigRepository, type ConfigRepository } from '../../testing/git-fixture.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import type { WhyDto } from '../promotions/promotions.dto.js';
import type { ReleaseDto, ReleasePageDto } from './releases.dto.js';

// Releases through the HTTP API on a real database: CalVer numbering under
// concurrency, immutability, input that is refused with a reason, evidence
// (parsed whole before anything is stored, signatures verified against the
// service's key), roles and Idempotency-Key replays.

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  issues?: unknown;
}

const KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
`;

const JUNIT = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="unit" tests="2" failures="0" errors="0" time="0.4">
  <testsuite name="cart" tests="2" failures="0" errors="0" skipped="0" time="0.4">
    <testcase classname="cart" name="adds" time="0.2"/>
    <testcase classname="cart" name="removes" time="0.2"/>
  </testsuite>
</testsuites>
`;

const HTML_PAGE = `<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title></head>
<body><h1>Bad Gateway</h1><p>The artifact server is down.</p></body></html>
`;

const COVERAGE = JSON.stringify({
  total: {
    lines: { total: 1000, covered: 870, skipped: 0, pct: 87 },
    statements: { total: 1000, covered: 870, skipped: 0, pct: 87 },
    functions: { total: 100, covered: 87, skipped: 0, pct: 87 },
    branches: { total: 100, covered: 87, skipped: 0, pct: 87 },
  },
});

const digest = () => `sha256:${randomBytes(32).toString('hex')}`;
const commit = () => randomBytes(20).toString('hex');

/** The CalVer prefix (`YYYY.MM`, UTC) of an instant. */
function prefixOf(iso: string): string {
  const date = new Date(iso);
  return `${date.getUTCFullYear()}.${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** A service whose stages are all manual, so registering releases starts no promotion. */
function service(
  name: string,
  repo: string,
  options: { publicKey?: string; developGates?: string } = {},
): string {
  const signing = options.publicKey
    ? `  signing:\n    publicKey: |\n${options.publicKey
        .trim()
        .split('\n')
        .map((line) => `      ${line}`)
        .join('\n')}\n`
    : '';
  const gates = options.developGates ? `      gates: ${options.developGates}\n` : '';
  return `apiVersion: gantry.dev/v1alpha1
kind: Service
metadata:
  name: ${name}
spec:
  team: payments
  image: ghcr.io/acme/${name}
  source: { repo: https://github.com/acme/${name} }
${signing}  stages:
    - name: develop
      promotion: manual
${gates}      target: { type: gitops, repository: ${repo}, path: apps/${name}/develop/kustomization.yaml, format: kustomize }
    - name: prod
      promotion: manual
      target: { type: gitops, repository: ${repo}, path: apps/${name}/prod/kustomization.yaml, format: kustomize }
`;
}

describe.each(databaseKinds())('releases on %s', (database) => {
  let gantry: TestServer;
  let repo: ConfigRepository;
  let ci: string;
  let viewer: string;
  const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const publicKeyPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

  beforeAll(async () => {
    const files: Record<string, string> = {};
    for (const name of ['numbers', 'checkout', 'evidence', 'signed'])
      for (const stage of ['develop', 'prod'])
        files[`apps/${name}/${stage}/kustomization.yaml`] = KUSTOMIZATION;
    repo = await createConfigRepository(files);
    gantry = await startTestServer({ database });
    ci = await gantry.token('ci', 'deployer');
    viewer = await gantry.token('dashboard', 'viewer');
    const content = [
      service('numbers', repo.bare),
      service('checkout', repo.bare),
      service('evidence', repo.bare),
      service('signed', repo.bare, { publicKey: publicKeyPem, developGates: '{ signature: required }' }),
    ].join('---\n');
    const applied = await gantry.api<{ items: Array<{ service: string; outcome: string }> }>(
      'PUT',
      '/api/v1/pipelines',
      { body: { fileName: 'gantry.yaml', content } },
    );
    expect(applied.status).toBe(200);
    expect(applied.body.items.map((item) => item.outcome)).toEqual([
      'created',
      'created',
      'created',
      'created',
    ]);
  });

  afterAll(async () => {
    await gantry?.stop();
  });

  function create<T = ReleaseDto>(body: Record<string, unknown>, headers?: Record<string, string>) {
    return gantry.api<T>('POST', '/api/v1/releases', { token: ci, body, headers });
  }

  function newRelease(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { service: name, image: `ghcr.io/acme/${name}`, digest: digest(), commit: commit(), ...extra };
  }

  async function releasesOf(name: string): Promise<ReleaseDto[]> {
    const { status, body } = await gantry.api<ReleasePageDto>(
      'GET',
      `/api/v1/releases?service=${name}&limit=500`,
    );
    expect(status).toBe(200);
    return body.items;
  }

  describe('CalVer numbering', () => {
    it('numbers the first release of the month YYYY.MM.1 (UTC) and the next .2', async () => {
      const first = await create(newRelease('numbers'));
      expect(first.status).toBe(201);
      expect(first.body.version).toBe(`${prefixOf(first.body.createdAt)}.1`);
      const second = await create(newRelease('numbers'));
      expect(second.status).toBe(201);
      expect(second.body.version).toBe(`${prefixOf(second.body.createdAt)}.2`);
      expect(second.body.id).not.toBe(first.body.id);
    });

    it('gives 20 concurrent releases 20 distinct consecutive versions', async () => {
      const before = await releasesOf('numbers');
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => create<ReleaseDto & Partial<Problem>>(newRelease('numbers'))),
      );
      for (const response of responses) expect(response.status, JSON.stringify(response.body)).toBe(201);
      const versions = responses.map((response) => response.body.version);
      expect(new Set(versions).size).toBe(20);
      const prefix = prefixOf(responses[0]!.body.createdAt);
      const numbers = versions
        .map((version) => {
          expect(version.startsWith(`${prefix}.`)).toBe(true);
          return Number(version.slice(prefix.length + 1));
        })
        .sort((a, b) => a - b);
      expect(numbers).toEqual(Array.from({ length: 20 }, (_, index) => before.length + 1 + index));
      expect(await releasesOf('numbers')).toHaveLength(before.length + 20);
    });
  });

  describe('immutability', () => {
    it('answers the same service and digest again with the existing release (200), not a new one', async () => {
      const body = newRelease('checkout');
      const first = await create(body);
      expect(first.status).toBe(201);
      const count = (await releasesOf('checkout')).length;

      const again = await create(body);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ id: first.body.id, version: first.body.version });
      const sameVersion = await create({ ...body, version: first.body.version });
      expect(sameVersion.status).toBe(200);
      expect(sameVersion.body.id).toBe(first.body.id);
      expect(await releasesOf('checkout')).toHaveLength(count);
    });

    it('refuses a version that already names another digest (409, naming the version)', async () => {
      const taken = await create(newRelease('checkout', { version: 'v1.4.0' }));
      expect(taken.status).toBe(201);
      expect(taken.body.version).toBe('v1.4.0');

      const other = newRelease('checkout', { version: 'v1.4.0' });
      const refused = await create<Problem>(other);
      expect(refused.status).toBe(409);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body.detail).toContain('version v1.4.0 of checkout is already release');
      expect(refused.body.detail).toContain(taken.body.digest);
      const stored = await gantry.api<ReleaseDto>('GET', '/api/v1/releases/checkout/v1.4.0');
      expect(stored.body.digest).toBe(taken.body.digest);
      expect((await releasesOf('checkout')).filter((release) => release.digest === other.digest)).toEqual([]);
    });

    it('refuses a second version for a digest (409)', async () => {
      const body = newRelease('checkout');
      const first = await create(body);
      expect(first.status).toBe(201);
      const refused = await create<Problem>({ ...body, version: 'v9.9.9' });
      expect(refused.status).toBe(409);
      expect(refused.body.detail).toBe(
        `digest ${body.digest as string} is already release ${first.body.version} of checkout; a digest cannot get a second version`,
      );
      const missing = await gantry.api<Problem>('GET', '/api/v1/releases/checkout/v9.9.9');
      expect(missing.status).toBe(404);
    });
  });

  describe('input that is refused', () => {
    it.each([
      ['a malformed digest', { digest: 'sha256:xyz' }, /digest "sha256:xyz" is not a sha256 digest/],
      ['an upper-case digest', { digest: `sha256:${'AB'.repeat(32)}` }, /64 lowercase hex characters/],
      ['a digest without algorithm', { digest: 'b'.repeat(64) }, /is not a sha256 digest/],
      ['an invalid version', { version: '-rc1' }, /version "-rc1" is not valid/],
    ])('refuses %s with 400 and says why', async (_what, override, message) => {
      const before = (await releasesOf('checkout')).length;
      const refused = await create<Problem>(newRelease('checkout', override));
      expect(refused.status).toBe(400);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body.detail).toMatch(message);
      expect(await releasesOf('checkout')).toHaveLength(before);
    });

    it.each(['service', 'image', 'digest', 'commit'])(
      'refuses a body without %s with 400 naming it',
      async (field) => {
        const body = newRelease('checkout');
        delete body[field];
        const refused = await create<Problem>(body);
        expect(refused.status).toBe(400);
        expect(refused.body.code).toBe('validation_failed');
        expect(refused.body.detail).toBe(`Invalid request body: ${field}: is required (a string)`);
        expect(refused.body.issues).toEqual([expect.objectContaining({ path: field })]);
      },
    );

    it('refuses text PostgreSQL cannot store with 400 naming where, not a 500', async () => {
      const before = (await releasesOf('checkout')).length;
      const refused = await create<Problem>({ ...newRelease('checkout'), image: 'ghcr.io/acme/a\u0000b' });
      expect(refused.status).toBe(400);
      expect(refused.body.detail).toBe(
        'request body holds text that cannot be stored at image: a NUL character or broken Unicode (a lone surrogate)',
      );
      expect(await releasesOf('checkout')).toHaveLength(before);
    });

    it('refuses an unknown service with 404 that says to declare it and run gantry apply', async () => {
      const refused = await create<Problem>(newRelease('payments'));
      expect(refused.status).toBe(404);
      expect(refused.body.detail).toBe(
        'service "payments" is not declared; declare it in gantry.yaml and run: gantry apply -f gantry.yaml',
      );
    });

    it('refuses an unknown field and a body that is not JSON', async () => {
      const unknown = await create<Problem>(newRelease('checkout', { tag: 'latest' }));
      expect(unknown.status).toBe(400);
      expect(unknown.body.detail).toContain('tag');
      const response = await fetch(`${gantry.server.url}/api/v1/releases`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ci}`, 'content-type': 'application/json' },
        body: '{"service": "checkout",',
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    });
  });

  describe('evidence', () => {
    it('refuses a release whose JUnit report is an HTML page, storing nothing', async () => {
      const before = await releasesOf('evidence');
      const body = newRelease('evidence', {
        evidence: {
          junit: { fileName: 'junit.xml', content: HTML_PAGE },
          coverage: { fileName: 'coverage-summary.json', content: COVERAGE },
        },
      });
      const refused = await create<Problem>(body);
      expect(refused.status).toBe(400);
      expect(refused.body.detail).toContain('junit.xml');
      expect(refused.body.detail).toMatch(/html/i);
      expect(await releasesOf('evidence')).toEqual(before);
      const audit = await gantry.api<{ items: Array<{ action: string; target: string }> }>(
        'GET',
        '/api/v1/audit?action=release.create&target=release/evidence/*&limit=500',
      );
      expect(audit.body.items).toHaveLength(before.length);

      // Nothing half-written: the same digest is a new release once the report is right.
      const retried = await create({
        ...body,
        evidence: { junit: { fileName: 'junit.xml', content: JUNIT } },
      });
      expect(retried.status).toBe(201);
      expect(retried.body.evidence!.map((item) => item.kind)).toEqual(['tests']);
    });

    it('shows evidence attached after the release was created', async () => {
      const created = await create(newRelease('evidence'));
      expect(created.status).toBe(201);
      expect(created.body.evidence).toEqual([]);
      const path = `/api/v1/releases/evidence/${created.body.version}`;

      const attached = await gantry.api<ReleaseDto>('POST', `${path}/evidence`, {
        token: ci,
        body: {
          junit: { fileName: 'junit.xml', content: JUNIT },
          coverage: { fileName: 'coverage-summary.json', content: COVERAGE },
          migrationCheck: 'passed',
        },
      });
      expect(attached.status).toBe(200);
      const shown = await gantry.api<ReleaseDto>('GET', path);
      expect(shown.status).toBe(200);
      const byKind = Object.fromEntries(shown.body.evidence!.map((item) => [item.kind, item]));
      expect(Object.keys(byKind).sort()).toEqual(['coverage', 'migrationCheck', 'tests']);
      expect(byKind.tests).toMatchObject({ source: 'junit.xml', attachedBy: 'ci' });
      expect(byKind.tests!.summary).toMatchObject({ total: 2, passed: 2, failures: 0 });
      expect(byKind.coverage!.summary).toMatchObject({ linePct: 87 });
      expect(byKind.migrationCheck!.summary).toMatchObject({ result: 'passed' });
      // The list carries each release's evidence too, the one without any as an empty list.
      const other = await create(newRelease('evidence'));
      const listed = await gantry.api<{ items: ReleaseDto[] }>('GET', '/api/v1/releases?service=evidence');
      const listedByVersion = new Map(listed.body.items.map((item) => [item.version, item]));
      expect(listedByVersion.get(created.body.version)?.evidence).toEqual(shown.body.evidence);
      expect(listedByVersion.get(other.body.version)?.evidence).toEqual([]);

      const broken = await gantry.api<Problem>('POST', `${path}/evidence`, {
        token: ci,
        body: { junit: { fileName: 'junit.xml', content: HTML_PAGE } },
      });
      expect(broken.status).toBe(400);
      const unchanged = await gantry.api<ReleaseDto>('GET', path);
      expect(unchanged.body.evidence).toEqual(shown.body.evidence);

      const empty = await gantry.api<Problem>('POST', `${path}/evidence`, { token: ci, body: {} });
      expect(empty.status).toBe(400);
      expect(empty.body.detail).toContain('no evidence given');
      const unknownRelease = await gantry.api<Problem>(
        'POST',
        '/api/v1/releases/evidence/1999.01.1/evidence',
        {
          token: ci,
          body: { migrationCheck: 'passed' },
        },
      );
      expect(unknownRelease.status).toBe(404);
    });

    it('verifies a signature over the digest with the service key', async () => {
      const body = newRelease('signed');
      const signature = sign('sha256', Buffer.from(body.digest as string), keys.privateKey).toString(
        'base64',
      );
      const created = await create({ ...body, evidence: { signature } });
      expect(created.status).toBe(201);
      const stored = created.body.evidence!.find((item) => item.kind === 'signature');
      expect(stored!.summary).toMatchObject({ verified: true, algorithm: 'ecdsa-p256' });
      const spki = keys.publicKey.export({ type: 'spki', format: 'der' });
      expect(stored!.summary.keyFingerprint).toBe(
        createHash('sha256').update(spki).digest('hex').slice(0, 16),
      );

      const { body: why } = await gantry.api<WhyDto>(
        'GET',
        `/api/v1/releases/signed/${created.body.version}/why?stage=develop`,
      );
      expect(why.verdict).toBe('pass');
      expect(why.items.find((item) => item.name === 'signature')).toMatchObject({
        state: 'passed',
        reason: 'signature verified (ecdsa-p256)',
      });
    });

    it('stores a signature over another digest as not verified, and the signature gate blocks with the reason', async () => {
      const body = newRelease('signed');
      const signature = sign('sha256', Buffer.from(digest()), keys.privateKey).toString('base64');
      const created = await create({ ...body, evidence: { signature } });
      expect(created.status).toBe(201);
      const stored = created.body.evidence!.find((item) => item.kind === 'signature');
      expect(stored!.summary.verified).toBe(false);
      expect(String(stored!.summary.reason)).toContain(`does not match digest ${body.digest as string}`);

      const shown = await gantry.api<ReleaseDto>('GET', `/api/v1/releases/signed/${created.body.version}`);
      expect(shown.body.evidence!.find((item) => item.kind === 'signature')!.summary.verified).toBe(false);

      const { body: why } = await gantry.api<WhyDto>(
        'GET',
        `/api/v1/releases/signed/${created.body.version}/why?stage=develop`,
      );
      expect(why.verdict).toBe('blocked');
      const check = why.items.find((item) => item.name === 'signature');
      expect(check?.state).toBe('blocked');
      expect(check?.reason).toMatch(
        /^signature \(unknown\) did not verify: signature: the signature does not match digest/,
      );

      const refused = await gantry.api<Problem & { explanations: Array<{ name: string; state: string }> }>(
        'POST',
        '/api/v1/promotions',
        { token: ci, body: { service: 'signed', version: created.body.version, stage: 'develop' } },
      );
      expect(refused.status).toBe(409);
      expect(refused.body.explanations).toContainEqual(
        expect.objectContaining({ name: 'signature', state: 'blocked' }),
      );

      // A good signature attached later replaces the bad one and opens the gate.
      const good = sign('sha256', Buffer.from(body.digest as string), keys.privateKey).toString('base64');
      const attached = await gantry.api<ReleaseDto>(
        'POST',
        `/api/v1/releases/signed/${created.body.version}/evidence`,
        { token: ci, body: { signature: good } },
      );
      expect(attached.status).toBe(200);
      const { body: after } = await gantry.api<WhyDto>(
        'GET',
        `/api/v1/releases/signed/${created.body.version}/why?stage=develop`,
      );
      expect(after.verdict).toBe('pass');
    });

    it('refuses a signature for a service without signing.publicKey (400), storing nothing', async () => {
      const before = (await releasesOf('checkout')).length;
      const body = newRelease('checkout');
      const signature = sign('sha256', Buffer.from(body.digest as string), keys.privateKey).toString(
        'base64',
      );
      const refused = await create<Problem>({ ...body, evidence: { signature } });
      expect(refused.status).toBe(400);
      expect(refused.body.detail).toBe(
        'service checkout has no signing.publicKey in its gantry.yaml, so its signatures cannot be verified; add one and apply it',
      );
      expect(await releasesOf('checkout')).toHaveLength(before);
    });
  });

  describe('access', () => {
    it('does not let a viewer token create releases (403)', async () => {
      const before = (await releasesOf('checkout')).length;
      const refused = await gantry.api<Problem>('POST', '/api/v1/releases', {
        token: viewer,
        body: newRelease('checkout'),
      });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body.detail).toMatch(/deployer/);
      expect(await releasesOf('checkout')).toHaveLength(before);
      const read = await gantry.api('GET', '/api/v1/releases?service=checkout', { token: viewer });
      expect(read.status).toBe(200);
    });

    it('answers a request without a token with 401 problem+json', async () => {
      const response = await fetch(`${gantry.server.url}/api/v1/releases`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(newRelease('checkout')),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.headers.get('www-authenticate')).toContain('Bearer');
      const problem = (await response.json()) as Problem;
      expect(problem).toMatchObject({ status: 401, code: 'unauthorized' });
      expect(problem.detail).toBeTruthy();
    });
  });

  describe('Idempotency-Key', () => {
    it('creates one release for the same POST sent twice with the same key, and replays the answer', async () => {
      const before = (await releasesOf('checkout')).length;
      const body = newRelease('checkout');
      const headers = { 'Idempotency-Key': `ci-job-${randomBytes(6).toString('hex')}` };
      const first = await create(body, headers);
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      const second = await create(body, headers);
      expect(second.status).toBe(201);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(second.body).toEqual(first.body);
      expect(await releasesOf('checkout')).toHaveLength(before + 1);

      const reused = await create<Problem>(newRelease('checkout'), headers);
      expect(reused.status).toBe(422);
      expect(reused.body.code).toBe('idempotency_key_reused');
      expect(await releasesOf('checkout')).toHaveLength(before + 1);
    });
  });
});
