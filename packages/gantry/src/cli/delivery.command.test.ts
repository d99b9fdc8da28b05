import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PromotionDto, StatusDto, WhyDto } from '../features/promotions/promotions.dto.js';
import type { ReleaseDto } from '../features/releases/releases.dto.js';
import type { CliContext } from './command-support.js';
import { deliveryCommands } from './delivery-commands.js';
import { buildProgram } from './program.js';
import { runCli } from '../testing/cli-run.js';

// The delivery commands as a person runs them: parsed by commander, run by
// runCommand (which sets the exit code), talking to a fake API through fetch.

interface Request {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
}

interface Answer {
  status?: number;
  body?: unknown;
}

function fakeApi(handler: (request: Request) => Answer | Error) {
  const requests: Request[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const request: Request = {
      method: init?.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
    };
    requests.push(request);
    const answer = handler(request);
    if (answer instanceof Error) return Promise.reject(answer);
    const status = answer.status ?? 200;
    return Promise.resolve(
      new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
        status,
        headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' },
      }),
    );
  };
  return { fetch, requests };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function gantry(args: string[], context: CliContext = {}): Promise<Run> {
  return runCli(deliveryCommands({ sleep: () => Promise.resolve(), ...context }), args);
}

const ID = '01934f0e-5b7e-7cc3-9d1a-2f5c0e8b1a42';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function release(overrides: Partial<ReleaseDto> = {}): ReleaseDto {
  return {
    id: '01934f0e-0000-7000-8000-000000000001',
    service: 'checkout',
    version: '2026.11.3',
    image: 'ghcr.io/acme/checkout',
    digest: DIGEST,
    commit: '9f1c2ab',
    commitTime: null,
    createdBy: 'ci',
    createdAt: '2026-11-20T10:00:00.000Z',
    ...overrides,
  };
}

function promotion(overrides: Partial<PromotionDto> = {}): PromotionDto {
  return {
    id: ID,
    service: 'checkout',
    stage: 'prod',
    version: '2026.11.3',
    releaseId: '01934f0e-0000-7000-8000-000000000001',
    phase: 'Pending',
    trigger: 'manual',
    requestedBy: 'alice',
    reason: null,
    message: null,
    appliedRevision: null,
    pipelineRevision: 3,
    freezeOverride: null,
    createdAt: '2026-11-20T10:00:00.000Z',
    updatedAt: '2026-11-20T10:00:00.000Z',
    finishedAt: null,
    ...overrides,
  };
}

beforeEach(() => {
  vi.stubEnv('GANTRY_URL', 'http://gantry.test:7070');
  vi.stubEnv('GANTRY_TOKEN', 'gt_test_token');
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the command line', () => {
  it.each([
    [['promote', 'checkout', '2026.11.3'], "required option '--to <stage>' not specified"],
    [['reject', ID], "required option '--reason <text>' not specified"],
    [['release', 'create', '--service', 'checkout'], "required option '--image <repository>' not specified"],
    [['why', 'checkout', '2026.11.3'], "required option '--stage <stage>' not specified"],
    [['rollback', 'checkout'], "required option '--stage <stage>' not specified"],
    [['validate'], "required option '-f, --file <path>' not specified"],
    [['apply'], "required option '-f, --file <path>' not specified"],
    [['promote', 'checkout', '--to', 'prod'], "missing required argument 'version'"],
    [['status', '--watch', '--interval', 'fast'], 'expected a duration such as 2s, 500ms or 1m'],
    [['promotion', 'list', '--phase', 'Done'], "argument 'Done' is invalid"],
    [['release', 'create', '--migration-check', 'ok'], "argument 'ok' is invalid"],
  ])('%j is a usage error: exit 2, nothing sent', async (args, message) => {
    const api = fakeApi(() => ({ body: {} }));
    const run = await gantry(args, { fetch: api.fetch });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(api.requests).toEqual([]);
  });

  it.each([
    ['validate'],
    ['apply'],
    ['release', 'create'],
    ['release', 'evidence'],
    ['release', 'list'],
    ['release', 'show'],
    ['promote'],
    ['approve'],
    ['reject'],
    ['abort'],
    ['rollback'],
    ['promotion', 'list'],
    ['promotion', 'show'],
    ['why'],
    ['status'],
  ])('gantry %s --help shows examples and exits 0', async (...command) => {
    const run = await gantry([...command, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Examples:');
    expect(run.stdout).toContain(`$ gantry ${command.join(' ')} `);
  });

  it('registers every delivery command in the gantry program, with examples in its help', () => {
    const program = buildProgram();
    const names = program.commands.map((command) => command.name());
    for (const name of ['validate', 'apply', 'release', 'promote', 'approve', 'reject', 'abort', 'rollback'])
      expect(names).toContain(name);
    for (const name of ['promotion', 'why', 'status']) expect(names).toContain(name);
    let help = '';
    program.configureOutput({ writeOut: (text) => (help += text) });
    program.outputHelp();
    expect(help).toContain('$ gantry promote checkout 2026.11.3 --to prod');
    expect(help).toContain('$ gantry status --watch');
  });
});

describe('gantry release', () => {
  const directory = mkdtempSync(join(tmpdir(), 'gantry-release-'));
  writeFileSync(join(directory, 'junit.xml'), '<testsuite tests="1" failures="0"/>');
  writeFileSync(join(directory, 'digest.sig'), 'MEUCIQD0c2ln\n');

  const createArgs = [
    'release',
    'create',
    '--service',
    'checkout',
    '--image',
    'ghcr.io/acme/checkout',
    '--digest',
    DIGEST,
    '--commit',
    '9f1c2ab',
  ];

  it('create sends the release, its evidence and an Idempotency-Key, and says created', async () => {
    const api = fakeApi(() => ({ status: 201, body: release() }));
    const run = await gantry(
      [
        ...createArgs,
        '--version',
        '2026.11.3',
        '--commit-time',
        '2026-11-20T09:58:00Z',
        '--junit',
        join(directory, 'junit.xml'),
        '--signature',
        join(directory, 'digest.sig'),
        '--migration-check',
        'passed',
      ],
      { fetch: api.fetch },
    );
    expect(run).toEqual({ code: 0, stdout: 'created checkout 2026.11.3\n', stderr: '' });
    expect(api.requests).toHaveLength(1);
    const [request] = api.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/api/v1/releases' });
    expect(request!.headers.authorization).toBe('Bearer gt_test_token');
    expect(request!.headers['Idempotency-Key']).toMatch(UUID);
    expect(request!.body).toEqual({
      service: 'checkout',
      image: 'ghcr.io/acme/checkout',
      digest: DIGEST,
      commit: '9f1c2ab',
      commitTime: '2026-11-20T09:58:00Z',
      version: '2026.11.3',
      evidence: {
        junit: { fileName: 'junit.xml', content: '<testsuite tests="1" failures="0"/>' },
        signature: 'MEUCIQD0c2ln',
        migrationCheck: 'passed',
      },
    });
  });

  it('create says exists when the API answers 200 for a digest it already has, and --json prints the release', async () => {
    const api = fakeApi(() => ({ status: 200, body: release() }));
    expect((await gantry(createArgs, { fetch: api.fetch })).stdout).toBe('exists checkout 2026.11.3\n');
    const json = await gantry([...createArgs, '--json'], { fetch: api.fetch });
    expect(JSON.parse(json.stdout)).toEqual(release());
    expect(api.requests[0]!.body).not.toHaveProperty('evidence');
  });

  it('create retries a lost connection with the same Idempotency-Key', async () => {
    let calls = 0;
    const api = fakeApi(() =>
      ++calls === 1
        ? new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } })
        : { status: 201, body: release() },
    );
    const sleep = vi.fn(() => Promise.resolve());
    const run = await gantry([...createArgs, '--idempotency-key', 'ci-job-4711'], {
      fetch: api.fetch,
      sleep,
    });
    expect(run.code).toBe(0);
    expect(api.requests.map((request) => request.headers['Idempotency-Key'])).toEqual([
      'ci-job-4711',
      'ci-job-4711',
    ]);
    expect(sleep).toHaveBeenCalledWith(500);
  });

  it('create gives up after three attempts and says the server cannot be reached', async () => {
    const api = fakeApi(() => new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }));
    const run = await gantry(createArgs, { fetch: api.fetch });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('gantry: cannot reach Gantry at http://gantry.test:7070');
    expect(api.requests).toHaveLength(3);
    expect(new Set(api.requests.map((request) => request.headers['Idempotency-Key'])).size).toBe(1);
  });

  it('does not retry a refusal', async () => {
    const api = fakeApi(() => ({
      status: 400,
      body: { detail: 'digest: is not sha256: followed by 64 hex characters' },
    }));
    const run = await gantry(createArgs, { fetch: api.fetch });
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toBe('gantry: digest: is not sha256: followed by 64 hex characters\n');
    expect(api.requests).toHaveLength(1);
  });

  it('a missing evidence file is a usage error naming it, and nothing is sent', async () => {
    const api = fakeApi(() => ({ status: 201, body: release() }));
    const run = await gantry([...createArgs, '--coverage', 'coverage/coverage-summary.json'], {
      fetch: api.fetch,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^gantry: --coverage coverage\/coverage-summary\.json: no such file \(looked for \/.+\)\n$/,
    );
    expect(api.requests).toEqual([]);
  });

  it('evidence attaches to the named release and needs at least one flag', async () => {
    const api = fakeApi(() => ({ body: release({ evidence: [] }) }));
    const run = await gantry(
      ['release', 'evidence', 'checkout', '2026.11.3', '--migration-check', 'failed'],
      {
        fetch: api.fetch,
      },
    );
    expect(run.stdout).toBe('attached evidence to checkout 2026.11.3\n');
    expect(api.requests[0]).toMatchObject({
      method: 'POST',
      path: '/api/v1/releases/checkout/2026.11.3/evidence',
      body: { migrationCheck: 'failed' },
    });
    const bare = await gantry(['release', 'evidence', 'checkout', '2026.11.3'], { fetch: api.fetch });
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain('attach at least one of --junit');
    expect(api.requests).toHaveLength(1);
  });

  it('list and show read the API', async () => {
    const changes = {
      service: 'checkout',
      version: '2026.11.3',
      commit: '9f1c2ab',
      historyKnown: false,
      reason: 'no earlier release of the service succeeded in production to count from',
      previous: null,
      commits: [{ sha: '9f1c2ab', committedAt: null, authorName: null, authorEmail: null, title: null }],
    };
    const api = fakeApi((request) =>
      request.path === '/api/v1/releases'
        ? { body: { items: [release()] } }
        : request.path.endsWith('/changes')
          ? { body: changes }
          : { body: release({ evidence: [] }) },
    );
    const list = await gantry(['release', 'list', '--service', 'checkout', '--limit', '5'], {
      fetch: api.fetch,
    });
    expect(list.stdout).toMatch(/^SERVICE\s+VERSION\s+DIGEST/);
    expect(api.requests[0]!.query).toEqual({ service: 'checkout', limit: '5' });
    const show = await gantry(['release', 'show', 'checkout', '2026.11.3'], { fetch: api.fetch });
    expect(show.stdout).toContain('release checkout 2026.11.3\n');
    expect(show.stdout).toContain('Changes: history unknown (no earlier release');
    expect(api.requests[1]!.path).toBe('/api/v1/releases/checkout/2026.11.3');
    expect(api.requests[2]!.path).toBe('/api/v1/releases/checkout/2026.11.3/changes');
  });
});

describe('gantry promote, approve, reject, abort, rollback', () => {
  it('promote asks for the promotion and prints it', async () => {
    const api = fakeApi(() => ({ status: 202, body: promotion() }));
    const run = await gantry(
      ['promote', 'checkout', '2026.11.3', '--to', 'prod', '--reason', 'fixes INC-42'],
      {
        fetch: api.fetch,
      },
    );
    expect(run).toEqual({
      code: 0,
      stdout: `promotion ${ID}: checkout 2026.11.3 → prod (Pending)\n`,
      stderr: '',
    });
    expect(api.requests[0]).toMatchObject({
      method: 'POST',
      path: '/api/v1/promotions',
      body: { service: 'checkout', version: '2026.11.3', stage: 'prod', reason: 'fixes INC-42' },
    });
    expect(api.requests[0]!.headers['Idempotency-Key']).toMatch(UUID);
  });

  it('promote --override needs a reason', async () => {
    const api = fakeApi(() => ({ status: 202, body: promotion() }));
    const run = await gantry(['promote', 'checkout', '2026.11.3', '--to', 'prod', '--override'], {
      fetch: api.fetch,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('gantry: --override needs --reason: say why the freeze window may be broken\n');
    await gantry(['promote', 'checkout', '2026.11.3', '--to', 'prod', '--override', '--reason', 'hotfix'], {
      fetch: api.fetch,
    });
    expect(api.requests[0]!.body).toMatchObject({ override: true, reason: 'hotfix' });
  });

  it('a refusal prints the checks behind it under the message', async () => {
    const api = fakeApi(() => ({
      status: 409,
      body: {
        type: 'about:blank',
        title: 'Conflict',
        status: 409,
        detail: 'checkout 2026.11.3 cannot enter prod',
        code: 'gates_blocked',
        explanations: [
          { kind: 'gate', name: 'tests', state: 'passed', reason: '412 of 412 passed' },
          {
            kind: 'gate',
            name: 'coverage',
            state: 'blocked',
            reason: 'coverage 71.2% < 80% (coverage-summary.json attached 2026-11-20T10:02Z)',
          },
        ],
      },
    }));
    const run = await gantry(['promote', 'checkout', '2026.11.3', '--to', 'prod'], { fetch: api.fetch });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      [
        'gantry: checkout 2026.11.3 cannot enter prod',
        '  passed   tests: 412 of 412 passed',
        '  blocked  coverage: coverage 71.2% < 80% (coverage-summary.json attached 2026-11-20T10:02Z)',
        '',
      ].join('\n'),
    );
  });

  it.each([
    [['approve', ID, '--comment', 'checked'], 'approve', { comment: 'checked' }],
    [['approve', ID], 'approve', {}],
    [['reject', ID, '--reason', 'not reviewed'], 'reject', { reason: 'not reviewed' }],
    [['abort', ID, '--reason', 'error rate'], 'abort', { reason: 'error rate' }],
    [['abort', ID], 'abort', {}],
  ])('%j posts to the promotion', async (args, action, body) => {
    const api = fakeApi(() => ({ body: promotion({ phase: 'Applying' }) }));
    const run = await gantry(args, { fetch: api.fetch });
    expect(run.stdout).toBe(`promotion ${ID}: checkout 2026.11.3 → prod (Applying)\n`);
    expect(api.requests[0]).toMatchObject({
      method: 'POST',
      path: `/api/v1/promotions/${ID}/${action}`,
      body,
    });
  });

  it('rollback asks for the earlier release', async () => {
    const api = fakeApi(() => ({
      status: 202,
      body: promotion({ trigger: 'rollback', version: '2026.11.1' }),
    }));
    const run = await gantry(
      ['rollback', 'checkout', '--stage', 'prod', '--to', '2026.11.1', '--reason', 'errors'],
      {
        fetch: api.fetch,
      },
    );
    expect(run.stdout).toBe(`promotion ${ID}: checkout 2026.11.1 → prod (Pending, rollback)\n`);
    expect(api.requests[0]).toMatchObject({
      path: '/api/v1/rollbacks',
      body: { service: 'checkout', stage: 'prod', version: '2026.11.1', reason: 'errors' },
    });
  });

  it('promotion list filters and promotion show prints the timeline', async () => {
    const detail = promotion({
      transitions: [
        { from: null, to: 'Pending', actor: 'alice', reason: 'requested', at: '2026-11-20T10:00:00Z' },
      ],
      decisions: [],
    });
    const api = fakeApi((request) =>
      request.path === '/api/v1/promotions' ? { body: { items: [promotion()] } } : { body: detail },
    );
    const list = await gantry(['promotion', 'list', '--stage', 'prod', '--phase', 'WaitingForApproval'], {
      fetch: api.fetch,
    });
    expect(list.stdout).toContain(ID);
    expect(api.requests[0]!.query).toEqual({ stage: 'prod', phase: 'WaitingForApproval', limit: '50' });
    const show = await gantry(['promotion', 'show', ID], { fetch: api.fetch });
    expect(show.stdout).toContain('Timeline\n  2026-11-20T10:00:00Z  - → Pending  alice  requested\n');
    const json = await gantry(['promotion', 'show', ID, '--json'], { fetch: api.fetch });
    expect(JSON.parse(json.stdout)).toEqual(detail);
  });
});

describe('gantry why', () => {
  const why = (verdict: WhyDto['verdict']): WhyDto => ({
    service: 'checkout',
    version: '2026.11.3',
    stage: 'prod',
    promotionId: null,
    phase: null,
    verdict,
    items: [
      {
        kind: 'gate',
        name: 'coverage',
        state: verdict === 'pass' ? 'passed' : 'blocked',
        reason: 'coverage',
      },
    ],
    autoHold: null,
  });

  it('exits 0 whatever the verdict, unless --exit-code is given', async () => {
    const blocked = fakeApi(() => ({ body: why('blocked') }));
    const run = await gantry(['why', 'checkout', '2026.11.3', '--stage', 'prod'], { fetch: blocked.fetch });
    expect(run).toEqual({
      code: 0,
      stdout: 'checkout 2026.11.3 → prod: blocked\n  blocked  coverage  coverage\n',
      stderr: '',
    });
    expect(blocked.requests[0]).toMatchObject({
      path: '/api/v1/releases/checkout/2026.11.3/why',
      query: { stage: 'prod' },
    });
    expect(
      (await gantry(['why', 'checkout', '2026.11.3', '--stage', 'prod', '--exit-code'], blocked)).code,
    ).toBe(1);
    const pending = fakeApi(() => ({ body: why('pending') }));
    expect(
      (await gantry(['why', 'checkout', '2026.11.3', '--stage', 'prod', '--exit-code'], pending)).code,
    ).toBe(1);
    const pass = fakeApi(() => ({ body: why('pass') }));
    expect(
      (await gantry(['why', 'checkout', '2026.11.3', '--stage', 'prod', '--exit-code'], pass)).code,
    ).toBe(0);
  });
});

describe('gantry validate and apply', () => {
  const pem = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' });
  const directory = mkdtempSync(join(tmpdir(), 'gantry-apply-'));
  writeFileSync(join(directory, 'cosign.pub'), pem);
  const yaml = (publicKey: string, stage = 'prod') => `apiVersion: gantry.dev/v1alpha1
kind: Service
metadata: { name: checkout }
spec:
  team: payments
  image: ghcr.io/acme/checkout
  source: { repo: https://github.com/acme/shop }
  signing: { publicKey: ${publicKey} }
  stages:
    - name: develop
      target: { type: local, command: node, args: [server.js] }
    - name: ${stage}
      target: { type: local, command: node, args: [server.js] }
`;
  writeFileSync(join(directory, 'gantry.yaml'), yaml('file:./cosign.pub'));
  writeFileSync(join(directory, 'bad.yaml'), yaml('file:./cosign.pub', 'Prod'));
  writeFileSync(join(directory, 'bad-key.yaml'), yaml('file:./gantry.yaml'));

  it('validate prints each service and its stages', async () => {
    const run = await gantry(['validate', '-f', join(directory, 'gantry.yaml')]);
    expect(run).toEqual({ code: 0, stdout: 'checkout: develop → prod (2 stages)\n', stderr: '' });
  });

  it('validate reads standard input with -f -', async () => {
    const run = await gantry(['validate', '-f', '-'], {
      readStdin: () => Promise.resolve(yaml('file:/etc/cosign.pub')),
    });
    expect(run.stdout).toBe(
      'checkout: develop → prod (2 stages)\ncheckout: file:/etc/cosign.pub is read by the server when the file is applied\n',
    );
  });

  it('validate exits 1 listing the problems with file, line and column', async () => {
    const bad = await gantry(['validate', '-f', join(directory, 'bad.yaml')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /^gantry: .*bad\.yaml:12:13 checkout stages\[1\]\.name: "Prod" is not a valid name/,
    );
    const badKey = await gantry(['validate', '-f', join(directory, 'bad-key.yaml')]);
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(
      /^gantry: .*bad-key\.yaml:8:25 checkout signing\.publicKey: must be a PEM public key/,
    );
    const missing = await gantry(['validate', '-f', join(directory, 'nope.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`gantry: -f ${join(directory, 'nope.yaml')}: no such file`);
  });

  it('apply sends the file with the key inlined and prints what changed', async () => {
    const api = fakeApi(() => ({
      body: { dryRun: false, items: [{ service: 'checkout', revision: 3, outcome: 'updated' }] },
    }));
    const file = join(directory, 'gantry.yaml');
    const run = await gantry(['apply', '-f', file], { fetch: api.fetch });
    expect(run).toEqual({ code: 0, stdout: 'checkout  revision 3  updated\n', stderr: '' });
    expect(api.requests[0]).toMatchObject({
      method: 'PUT',
      path: '/api/v1/pipelines',
      query: { dryRun: 'false' },
    });
    expect(api.requests[0]!.body).toEqual({
      fileName: file,
      content: yaml(JSON.stringify(pem)),
    });
    await gantry(['apply', '-f', file, '--dry-run'], { fetch: api.fetch });
    expect(api.requests[1]!.query).toEqual({ dryRun: 'true' });
  });

  it('apply names a key file it cannot read, and sends nothing', async () => {
    const api = fakeApi(() => ({ body: {} }));
    const run = await gantry(['apply', '-f', '-'], {
      fetch: api.fetch,
      readStdin: () => Promise.resolve(yaml('file:./nowhere.pub')),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^gantry: stdin:8:25 signing\.publicKey: file:\.\/nowhere\.pub: no such file/);
    expect(api.requests).toEqual([]);
  });
});

describe('gantry status', () => {
  const status = (version: string): StatusDto => ({
    items: [
      {
        service: 'checkout',
        team: 'payments',
        stages: [
          {
            stage: 'prod',
            currentVersion: version,
            since: null,
            activePromotion: null,
            autoHold: null,
            freeze: null,
          },
        ],
      },
    ],
  });

  it('prints the matrix once, or the API answer with --json', async () => {
    const api = fakeApi(() => ({ body: status('2026.11.3') }));
    expect((await gantry(['status', 'checkout'], { fetch: api.fetch })).stdout).toBe(
      'SERVICE   PROD\ncheckout  2026.11.3\n',
    );
    expect(api.requests[0]!.query).toEqual({ service: 'checkout' });
    expect(JSON.parse((await gantry(['status', '--json'], { fetch: api.fetch })).stdout)).toEqual(
      status('2026.11.3'),
    );
  });

  function watchContext(renders: number, isTTY: boolean, answers: (Answer | Error)[]) {
    const controller = new AbortController();
    let served = 0;
    const api = fakeApi(() => answers[Math.min(served++, answers.length - 1)]!);
    const sleeps: number[] = [];
    const context: CliContext = {
      fetch: api.fetch,
      isTTY,
      signal: controller.signal,
      now: () => Date.parse('2026-11-20T13:00:00Z'),
      sleep: (ms) => {
        sleeps.push(ms);
        if (sleeps.length >= renders) controller.abort();
        return Promise.resolve();
      },
    };
    return { context, sleeps, api };
  }

  it('--watch without a terminal prints a new block each interval until stopped', async () => {
    const { context, sleeps } = watchContext(2, false, [
      { body: status('2026.11.3') },
      { body: status('2026.11.4') },
    ]);
    const run = await gantry(['status', '--watch', '--interval', '5s'], context);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        '--- 2026-11-20T13:00:00Z, every 5s',
        'SERVICE   PROD',
        'checkout  2026.11.3',
        '--- 2026-11-20T13:00:00Z, every 5s',
        'SERVICE   PROD',
        'checkout  2026.11.4',
        '',
      ].join('\n'),
    );
    expect(run.stdout).not.toContain('\u001b');
    expect(sleeps).toEqual([5_000, 5_000]);
  });

  it('--watch on a terminal clears the screen and redraws', async () => {
    const { context } = watchContext(2, true, [{ body: status('2026.11.3') }]);
    const run = await gantry(['status', '--watch'], context);
    const frames = run.stdout.split('\u001b[H\u001b[2J');
    expect(frames).toEqual([
      '',
      '2026-11-20T13:00:00Z, every 2s; Ctrl-C to stop\n\nSERVICE   PROD\ncheckout  2026.11.3\n',
      '2026-11-20T13:00:00Z, every 2s; Ctrl-C to stop\n\nSERVICE   PROD\ncheckout  2026.11.3\n',
    ]);
  });

  it('--watch keeps asking when the server cannot be reached for a moment, and stops on a refusal', async () => {
    const unreachable = new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    const { context } = watchContext(3, false, [unreachable, { body: status('2026.11.3') }]);
    const run = await gantry(['status', '--watch', '--json'], context);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /^gantry: cannot reach Gantry at http:\/\/gantry\.test:7070\/? \(ECONNREFUSED\)/,
    );
    expect(run.stderr).toContain('(asking again in 2s)');
    expect(
      run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown),
    ).toEqual([status('2026.11.3'), status('2026.11.3')]);

    const refused = watchContext(3, false, [{ status: 401, body: { detail: 'unknown API token' } }]);
    const stopped = await gantry(['status', '--watch'], refused.context);
    expect(stopped).toMatchObject({ code: 1, stderr: 'gantry: unknown API token\n' });
    expect(refused.api.requests).toHaveLength(1);
  });
});
