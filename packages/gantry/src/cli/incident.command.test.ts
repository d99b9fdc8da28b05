import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IncidentDto } from '../features/incidents/incidents.dto.js';
import { runCli } from '../testing/cli-run.js';
import type { CliContext } from './command-support.js';
import {
  formatIncident,
  formatIncidentDetail,
  formatIncidentList,
  incidentCommand,
} from './incident.command.js';

const NOW = Date.parse('2026-11-20T13:00:00Z');
const ID = '01934f0e-5b7e-7cc3-9d1a-2f5c0e8b1a42';
const PROMOTION = '01934f0e-9a1c-7d2e-8f3a-4b5c6d7e8f90';

function incident(overrides: Partial<IncidentDto> = {}): IncidentDto {
  return {
    id: ID,
    source: 'manual',
    fingerprint: ID,
    title: 'checkout answers 12% errors',
    service: 'checkout',
    stage: 'prod',
    status: 'open',
    severity: 'critical',
    url: null,
    labels: {},
    promotionId: PROMOTION,
    openedBy: 'alice',
    openedAt: '2026-11-20T12:00:00.000Z',
    resolvedBy: null,
    resolvedAt: null,
    rollback: null,
    ...overrides,
  };
}

describe('formatIncident', () => {
  it('says where, how bad, what, and which promotion caused it', () => {
    expect(formatIncident(incident())).toEqual([
      `incident ${ID}: checkout in prod (open, critical): checkout answers 12% errors`,
      `  caused by promotion ${PROMOTION}`,
    ]);
  });

  it('reads a service-level incident without severity or promotion', () => {
    expect(formatIncident(incident({ stage: null, severity: null, promotionId: null }))).toEqual([
      `incident ${ID}: checkout (open): checkout answers 12% errors`,
    ]);
    expect(formatIncident(incident({ service: null, stage: null, promotionId: null }))[0]).toContain(
      ': no service (open, critical):',
    );
  });

  it('says what Gantry did about the promotion', () => {
    const lines = formatIncident(
      incident({
        rollback: {
          action: 'promoted',
          promotionId: '01934f0e-0000-7000-8000-0000000000aa',
          reason: 'rollback for incident …: it started 2m after 2026.11.3 in prod succeeded',
          at: '2026-11-20T12:00:01.000Z',
        },
      }),
    );
    expect(lines[2]).toBe(
      '  rollback promotion 01934f0e-0000-7000-8000-0000000000aa started: rollback for incident …: it started 2m after 2026.11.3 in prod succeeded',
    );
  });
});

describe('formatIncidentDetail', () => {
  it('adds source, times, link and labels', () => {
    const lines = formatIncidentDetail(
      incident({
        source: 'alertmanager',
        fingerprint: 'c1f2a3b4',
        openedBy: 'alertmanager',
        status: 'resolved',
        resolvedBy: 'alertmanager',
        resolvedAt: '2026-11-20T12:30:00.000Z',
        url: 'http://prometheus:9090/graph',
        labels: { alertname: 'HighErrorRate', team: 'payments' },
      }),
      NOW,
    );
    expect(lines.slice(2)).toEqual([
      '  source     alertmanager (c1f2a3b4)',
      '  opened     2026-11-20T12:00:00Z (1h ago) by alertmanager',
      '  resolved   2026-11-20T12:30:00Z (30m ago) by alertmanager',
      '  url        http://prometheus:9090/graph',
      '',
      'Labels',
      '  alertname=HighErrorRate',
      '  team=payments',
    ]);
  });
});

describe('formatIncidentList', () => {
  it('prints one row per incident, and says when there are none', () => {
    expect(formatIncidentList({ items: [] })).toEqual(['No incidents match.']);
    const lines = formatIncidentList({ items: [incident()], nextCursor: 'abc' }, NOW);
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+SERVICE\s+STAGE\s+SEVERITY\s+OPENED\s+PROMOTION\s+TITLE$/);
    expect(lines[1]).toContain('open');
    expect(lines[1]).toContain('1h ago');
    expect(lines.at(-1)).toBe('(more: raise --limit to see them)');
  });
});

// The commands as a person runs them: parsed by commander, run by runCommand
// (which sets the exit code), talking to a fake API through fetch.
describe('gantry incident', () => {
  interface Sent {
    method: string;
    path: string;
    search: string;
    headers: Record<string, string>;
    body: unknown;
  }

  function fakeApi(status: number, body: unknown) {
    const requests: Sent[] = [];
    const fetch: typeof globalThis.fetch = (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      requests.push({
        method: init?.method ?? 'GET',
        path: url.pathname,
        search: url.search,
        headers: (init?.headers ?? {}) as Record<string, string>,
        body: typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
      });
      return Promise.resolve(
        new Response(JSON.stringify(body), {
          status,
          headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' },
        }),
      );
    };
    return { fetch, requests };
  }

  function gantry(args: string[], context: CliContext) {
    return runCli([incidentCommand({ sleep: () => Promise.resolve(), now: () => NOW, ...context })], args);
  }

  beforeEach(() => {
    vi.stubEnv('GANTRY_URL', 'http://gantry.test:7070');
    vi.stubEnv('GANTRY_TOKEN', 'gt_test_token');
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('open posts the incident as a change and prints it', async () => {
    const api = fakeApi(201, incident());
    const run = await gantry(
      [
        'incident',
        'open',
        'checkout answers 12% errors',
        '--service',
        'checkout',
        '--stage',
        'prod',
        '--severity',
        'critical',
      ],
      { fetch: api.fetch },
    );
    expect(run).toEqual({
      code: 0,
      stdout: `incident ${ID}: checkout in prod (open, critical): checkout answers 12% errors\n  caused by promotion ${PROMOTION}\n`,
      stderr: '',
    });
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]).toMatchObject({
      method: 'POST',
      path: '/api/v1/incidents',
      body: {
        title: 'checkout answers 12% errors',
        service: 'checkout',
        stage: 'prod',
        severity: 'critical',
      },
    });
    expect(api.requests[0]!.headers['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('open sends the promotion and link when given', async () => {
    const api = fakeApi(201, incident());
    await gantry(
      [
        'incident',
        'open',
        'payments time out',
        '--promotion',
        PROMOTION,
        '--link',
        'https://tickets.example/1',
      ],
      { fetch: api.fetch },
    );
    expect(api.requests[0]!.body).toEqual({
      title: 'payments time out',
      promotion: PROMOTION,
      url: 'https://tickets.example/1',
    });
  });

  it('resolve and link post to the incident', async () => {
    const resolved = fakeApi(200, incident({ status: 'resolved' }));
    const run = await gantry(['incident', 'resolve', ID, '--reason', 'rolled back'], {
      fetch: resolved.fetch,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('(resolved, critical)');
    expect(resolved.requests[0]).toMatchObject({
      method: 'POST',
      path: `/api/v1/incidents/${ID}/resolve`,
      body: { reason: 'rolled back' },
    });

    const linked = fakeApi(200, incident());
    await gantry(['incident', 'link', ID, '--promotion', PROMOTION, '--reason', 'the new cache config'], {
      fetch: linked.fetch,
    });
    expect(linked.requests[0]).toMatchObject({
      method: 'POST',
      path: `/api/v1/incidents/${ID}/link`,
      body: { promotion: PROMOTION, reason: 'the new cache config' },
    });
  });

  it('link needs --promotion and --reason: a usage error, nothing sent', async () => {
    const api = fakeApi(200, incident());
    const run = await gantry(['incident', 'link', ID, '--promotion', PROMOTION], { fetch: api.fetch });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("required option '--reason <text>' not specified");
    expect(api.requests).toEqual([]);
  });

  it('list passes the filters and prints a table; --json prints the page', async () => {
    const api = fakeApi(200, { items: [incident()] });
    const run = await gantry(
      ['incident', 'list', '--status', 'open', '--service', 'checkout', '--limit', '5'],
      {
        fetch: api.fetch,
      },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('checkout answers 12% errors');
    expect(api.requests[0]).toMatchObject({ method: 'GET', path: '/api/v1/incidents' });
    const query = new URLSearchParams(api.requests[0]!.search);
    expect(Object.fromEntries(query)).toEqual({ status: 'open', service: 'checkout', limit: '5' });

    const json = await gantry(['incident', 'list', '--json'], { fetch: api.fetch });
    expect(JSON.parse(json.stdout)).toEqual({ items: [incident()] });
  });

  it('list refuses an unknown status before asking the API', async () => {
    const api = fakeApi(200, { items: [] });
    const run = await gantry(['incident', 'list', '--status', 'closed'], { fetch: api.fetch });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Allowed choices are open, resolved');
    expect(api.requests).toEqual([]);
  });

  it('prints a refusal as the error and exits 1', async () => {
    const api = fakeApi(409, {
      type: 'about:blank',
      title: 'Conflict',
      status: 409,
      detail: `incident ${ID} was already resolved by bob at 2026-11-20T12:30:00.000Z`,
      code: 'conflict',
    });
    const run = await gantry(['incident', 'resolve', ID], { fetch: api.fetch });
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: `gantry: incident ${ID} was already resolved by bob at 2026-11-20T12:30:00.000Z\n`,
    });
  });

  it.each(['open', 'resolve', 'link', 'list', 'show'])(
    'incident %s --help shows an example',
    async (action) => {
      const run = await gantry(['incident', action, '--help'], {});
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Examples:\n  $ gantry incident ${action}`);
    },
  );
});
