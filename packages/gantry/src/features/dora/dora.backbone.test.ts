import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../../testing/test-backends.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { waitFor } from '../../testing/wait-for.js';
import { uuidv7 } from '../../shared/uuidv7.js';
import { queryRows, type Tx } from '../../platform/database/database.js';
import { createLogger } from '../../platform/logging/logger.js';
import { recordPush } from '../commits/commit-recorder.js';
import { serviceCommits, sourceCommits } from '../commits/commits.tables.js';
import type { ReleaseChangesDto } from '../commits/release-changes.dto.js';
import { incidents } from '../incidents/incidents.tables.js';
import { promotions } from '../promotions/promotions.tables.js';
import { releases } from '../releases/releases.tables.js';
import { InboundEvents, type PushedCommit, type SourcePushed } from '../webhooks/inbound-events.js';
import { projectLeadTimes } from './dora-projections.js';
import type { DoraDto } from './dora.dto.js';
import { doraLeadTimes } from './dora.tables.js';
import type { DoraReport } from './dora.service.js';

// The DORA maths on a small history made by hand, on a real database. Every
// expected figure below was worked out by hand from the history; the working
// is in the comments. Times are UTC, November 2026. The window is the 14 days
// [Mon 16 Nov 00:00, Mon 30 Nov 00:00): two whole ISO weeks, 16 and 23 Nov.
//
// Services (applied through the API): checkout and cart (team payments) live
// in the monorepo github.com/acme/shop under services/checkout/** and
// services/cart/**; search (team search) in github.com/acme/search.
//
// Production promotions ("deployments" once they reached Applying):
//   checkout/prod
//     P0 c0  Succeeded  applying 10 Nov 09:30, finished 10 Nov 10:00 (before the window)
//     P1 c1  Succeeded  applying 16 Nov 10:00, finished 16 Nov 10:30
//     P2 c2  RolledBack applying 17 Nov 09:00, finished 17 Nov 09:20   failed; recovery 20m = 1200 s
//     P3 c3  Succeeded  applying 18 Nov 12:00, finished 18 Nov 12:30   failed: the next one is a rollback
//     P4 c1  rollback   applying 18 Nov 14:00, finished 18 Nov 14:10   not a deployment of a change;
//                                                                      P3 recovers at 14:10: 2h10m = 7800 s
//     P5 c4  Succeeded  applying 24 Nov 08:00, finished 24 Nov 08:40   failed: an incident opened 09:00,
//                                                                      resolved 10:30: 1h30m = 5400 s
//     P6 c5  Failed at its gates (never Applying)                      not a deployment
//     P7 c5  Succeeded  applying 25 Nov 16:00, finished 25 Nov 16:15
//   checkout/develop: one Succeeded promotion on 16 Nov                 not production
//   cart/prod (the stage says production: true; soak after it is not production)
//     Q1 k1  Failed     applying 19 Nov 10:00, finished 19 Nov 10:05   failed; recovers when Q2 succeeds:
//                                                                      20 Nov 11:30 − 19 Nov 10:00 = 91800 s
//     Q2 k2  Succeeded  applying 20 Nov 11:00, finished 20 Nov 11:30
//     Q3 k2  Succeeded in soak, 21 Nov                                 not production
//     Q4 k3  Aborted    applying 27 Nov 10:00, finished 27 Nov 10:10   failed (withdrawn); not recovered yet
//   search/prod
//     S1 s1  Succeeded  applying 22 Nov 10:00, finished 22 Nov 10:20
//     S2 s2  Succeeded  applying 29 Nov 23:00, finished 29 Nov 23:50
//     S3 s3  Succeeded  finished 30 Nov 00:10                          after the window (its end is excluded)
//
// Commits (pushed for the monorepo; none for search, nor for cart's releases):
//   c0 9 Nov 08:00 ← a1 15 Nov 10:00 ← c1 16 Nov 08:00 ← a2 16 Nov 12:00 ← c2 17 Nov 08:00
//   ← c3 18 Nov 11:00 ← c4 23 Nov 20:00 ← a5 25 Nov 09:00 (docs/ only) ← c5 25 Nov 14:00
//   then m1 (touches checkout and cart) and m2 (paths unknown), never deployed.
// Lead times (commit → the production success that first carried it):
//   P1 (previous production release c0): c1 9000 s, a1 88200 s
//   P3 (previous c1; P2 never succeeded): c3 5400 s, c2 102600 s, a2 174600 s
//   P5 (previous c3; the rollback P4 does not count): c4 45600 s
//   P7 (previous c4): c5 8100 s; a5 is outside checkout's paths
//   Q2: no earlier production release, history unknown: k2's own commit, committed 20 Nov 09:30: 7200 s
//   S1: no earlier release: s1 committed 22 Nov 09:00: 4800 s
//   S2: s2's commit was never pushed, history unknown: committed 29 Nov 20:00: 13800 s

const REPO = 'github.com/acme/shop';
const SEARCH_REPO = 'github.com/acme/search';
const SHA = Object.fromEntries(
  ['c0', 'a1', 'c1', 'a2', 'c2', 'c3', 'c4', 'a5', 'c5', 'm1', 'm2', 'k1', 'k2', 'k3', 's1', 's2', 's3'].map(
    (name) => [name, randomBytes(20).toString('hex')],
  ),
) as Record<string, string>;
const silent = createLogger({ level: 'silent', format: 'json' });
const UNTIL = '2026-11-30T00:00:00.000Z';
const at = (text: string) => new Date(`2026-11-${text}:00Z`);

function pipeline(name: string, team: string, repo: string, paths: string[], extraStages = ''): string {
  const target = '{ type: local, command: node, args: [server.js] }';
  return `apiVersion: gantry.dev/v1alpha1
kind: Service
metadata:
  name: ${name}
spec:
  team: ${team}
  image: ghcr.io/acme/${name}
  source: { repo: https://${repo}.git, paths: [${paths.map((path) => `"${path}"`).join(', ')}] }
  stages:
    - name: develop
      target: ${target}
    - name: prod
      production: ${extraStages === '' ? 'false' : 'true'}
      target: ${target}
${extraStages}`;
}

function commit(name: string, parent: string | undefined, time: string, paths: string[]): PushedCommit {
  return {
    sha: SHA[name]!,
    time,
    authorName: `author of ${name}`,
    authorEmail: `${name}@acme.test`,
    title: `change ${name}`,
    paths,
    ...(parent === undefined ? {} : { parentSha: SHA[parent]! }),
  };
}

const CHECKOUT = ['services/checkout/app.ts'];
const PUSH: SourcePushed = {
  provider: 'github',
  deliveryId: 'delivery-1',
  repository: {
    fullName: 'acme/shop',
    urls: ['https://github.com/acme/shop', 'git@github.com:acme/shop.git'],
    identity: REPO,
  },
  ref: 'refs/heads/main',
  before: '0'.repeat(40),
  after: SHA.c5!,
  commits: [
    commit('c0', '0'.repeat(40), '2026-11-09T09:00:00+01:00', CHECKOUT),
    commit('a1', 'c0', '2026-11-15T10:00:00Z', ['services/checkout/cart.ts']),
    commit('c1', 'a1', '2026-11-16T08:00:00Z', CHECKOUT),
    commit('a2', 'c1', '2026-11-16T12:00:00Z', CHECKOUT),
    commit('c2', 'a2', '2026-11-17T08:00:00Z', CHECKOUT),
    commit('c3', 'c2', '2026-11-18T11:00:00Z', CHECKOUT),
    commit('c4', 'c3', '2026-11-23T20:00:00Z', CHECKOUT),
    commit('a5', 'c4', '2026-11-25T09:00:00Z', ['docs/readme.md']),
    commit('c5', 'a5', '2026-11-25T14:00:00Z', CHECKOUT),
  ],
  truncated: false,
};
const SECOND_PUSH: SourcePushed = {
  ...PUSH,
  deliveryId: 'delivery-2',
  before: SHA.c5!,
  after: SHA.m2!,
  commits: [
    commit('m1', 'c5', '2026-11-26T10:00:00Z', ['services/checkout/a.ts', 'services/cart/b.ts']),
    commit('m2', 'm1', '2026-11-26T11:00:00Z', []),
  ],
};

describe.each(databaseKinds())('DORA metrics on %s', (database) => {
  let gantry: TestServer;
  const versions = new Map<string, string>();
  const releaseIds = new Map<string, string>();

  const db = () => gantry.server.database.db;
  const transaction = <T>(work: (tx: Tx) => Promise<T>) => db().transaction(work);

  async function release(service: string, name: string, commitTime: string | null, n: number) {
    const id = uuidv7();
    const version = `2026.11.${n}`;
    await db()
      .insert(releases)
      .values({
        id,
        service,
        version,
        image: `ghcr.io/acme/${service}`,
        digest: `sha256:${randomBytes(32).toString('hex')}`,
        commitSha: SHA[name]!,
        commitTime: commitTime === null ? null : new Date(commitTime),
        createdBy: 'ci',
        createdAt: at('01T00:00'),
      });
    versions.set(name, version);
    releaseIds.set(name, id);
  }

  /** Inserts a finished promotion; a production success is projected as the consumer would, in order. */
  async function promotion(
    service: string,
    stage: string,
    releaseName: string,
    phase: string,
    times: { applying?: string; finished: string },
    options: { trigger?: 'manual' | 'rollback'; production?: boolean } = {},
  ): Promise<string> {
    const id = uuidv7();
    const trigger = options.trigger ?? 'manual';
    await db()
      .insert(promotions)
      .values({
        id,
        service,
        stage,
        releaseId: releaseIds.get(releaseName)!,
        releaseVersion: versions.get(releaseName)!,
        pipelineRevision: 1,
        phase,
        trigger,
        requestedBy: 'tester',
        production: options.production ?? stage === 'prod',
        applyingAt: times.applying ? at(times.applying) : null,
        createdAt: at(times.applying ?? times.finished),
        finishedAt: at(times.finished),
      });
    await transaction((tx) =>
      projectLeadTimes(tx, {
        promotionId: id,
        service,
        stage,
        releaseId: releaseIds.get(releaseName)!,
        version: versions.get(releaseName)!,
        trigger,
        from: 'Verifying',
        to: phase as 'Succeeded',
        actor: 'tester',
        reason: 'test',
        at: at(times.finished).toISOString(),
      }),
    );
    return id;
  }

  const metrics = (query: { service?: string; team?: string }) =>
    gantry.server.delivery.dora.metrics({ ...query, windowMs: 14 * 86_400_000, until: new Date(UNTIL) });

  beforeAll(async () => {
    gantry = await startTestServer({
      database,
      // Overrides one bar, to show that the setting reaches the API (see the last test).
      env: { GANTRY_DORA_BANDS: '{"changeFailureRate": {"medium": 0.7}, "source": "test bars"}' },
    });
    const content = [
      pipeline('checkout', 'payments', REPO, ['services/checkout/**']),
      pipeline(
        'cart',
        'payments',
        REPO,
        ['services/cart/**'],
        '    - name: soak\n      target: { type: local, command: node, args: [server.js] }\n',
      ),
      pipeline('search', 'search', SEARCH_REPO, []),
    ].join('---\n');
    const applied = await gantry.api('PUT', '/api/v1/pipelines', {
      body: { fileName: 'gantry.yaml', content },
    });
    expect(applied.status).toBe(200);

    // The pushes go through the outbox and the commit recorder, as the webhook endpoints send them.
    await transaction(async (tx) => {
      for (const push of [PUSH, SECOND_PUSH]) {
        await gantry.server.backbone.events.append(tx, {
          type: InboundEvents.pushed,
          key: REPO,
          payload: push,
        });
      }
    });
    await waitFor(
      async () =>
        (await db().select().from(serviceCommits).where(eq(serviceCommits.sha, SHA.m2!))).length === 2,
      { what: 'the second push to be recorded' },
    );

    await release('checkout', 'c0', null, 1);
    await release('checkout', 'c1', '2026-11-16T08:00:00Z', 2);
    await release('checkout', 'c2', '2026-11-17T08:00:00Z', 3);
    await release('checkout', 'c3', '2026-11-18T11:00:00Z', 4);
    await release('checkout', 'c4', '2026-11-23T20:00:00Z', 5);
    await release('checkout', 'c5', '2026-11-25T14:00:00Z', 6);
    await release('cart', 'k1', '2026-11-19T08:00:00Z', 1);
    await release('cart', 'k2', '2026-11-20T09:30:00Z', 2);
    await release('cart', 'k3', '2026-11-27T08:00:00Z', 3);
    await release('search', 's1', '2026-11-22T09:00:00Z', 1);
    await release('search', 's2', '2026-11-29T20:00:00Z', 2);
    await release('search', 's3', '2026-11-29T23:00:00Z', 3);

    await promotion('checkout', 'prod', 'c0', 'Succeeded', { applying: '10T09:30', finished: '10T10:00' });
    await promotion('checkout', 'develop', 'c1', 'Succeeded', { applying: '16T08:30', finished: '16T09:00' });
    await promotion('checkout', 'prod', 'c1', 'Succeeded', { applying: '16T10:00', finished: '16T10:30' });
    await promotion('checkout', 'prod', 'c2', 'RolledBack', { applying: '17T09:00', finished: '17T09:20' });
    await promotion('checkout', 'prod', 'c3', 'Succeeded', { applying: '18T12:00', finished: '18T12:30' });
    await promotion(
      'checkout',
      'prod',
      'c1',
      'Succeeded',
      { applying: '18T14:00', finished: '18T14:10' },
      { trigger: 'rollback' },
    );
    const p5 = await promotion('checkout', 'prod', 'c4', 'Succeeded', {
      applying: '24T08:00',
      finished: '24T08:40',
    });
    await promotion('checkout', 'prod', 'c5', 'Failed', { finished: '25T11:00' });
    await promotion('checkout', 'prod', 'c5', 'Succeeded', { applying: '25T16:00', finished: '25T16:15' });
    await promotion('cart', 'prod', 'k1', 'Failed', { applying: '19T10:00', finished: '19T10:05' });
    await promotion('cart', 'prod', 'k2', 'Succeeded', { applying: '20T11:00', finished: '20T11:30' });
    await promotion('cart', 'soak', 'k2', 'Succeeded', { applying: '21T09:00', finished: '21T09:30' });
    await promotion('cart', 'prod', 'k3', 'Aborted', { applying: '27T10:00', finished: '27T10:10' });
    await promotion('search', 'prod', 's1', 'Succeeded', { applying: '22T10:00', finished: '22T10:20' });
    await promotion('search', 'prod', 's2', 'Succeeded', { applying: '29T23:00', finished: '29T23:50' });
    await promotion('search', 'prod', 's3', 'Succeeded', { applying: '29T23:55', finished: '30T00:10' });

    await db()
      .insert(incidents)
      .values({
        id: uuidv7(),
        source: 'manual',
        fingerprint: 'checkout-errors',
        title: 'checkout 5xx',
        service: 'checkout',
        stage: 'prod',
        status: 'resolved',
        promotionId: p5,
        openedBy: 'on-call',
        openedAt: at('24T09:00'),
        resolvedBy: 'on-call',
        resolvedAt: at('24T10:30'),
      });
  }, 120_000);

  afterAll(async () => {
    await gantry?.stop();
  });

  describe('commits', () => {
    it('records each pushed commit once per repository, with its parent link', async () => {
      const rows = await db().select().from(sourceCommits).where(eq(sourceCommits.repository, REPO));
      expect(rows).toHaveLength(11);
      const c0 = rows.find((row) => row.sha === SHA.c0)!;
      // 40 zeros means "a new branch", not a known parent.
      expect(c0.parentSha).toBeNull();
      // The offset the provider gave is kept: 09:00+01:00 is 08:00 UTC.
      expect(c0.committedAt.toISOString()).toBe('2026-11-09T08:00:00.000Z');
      expect(rows.find((row) => row.sha === SHA.c1)!.parentSha).toBe(SHA.a1);
    });

    it('records a commit for the services whose paths it touched, or for all when its paths are unknown', async () => {
      const of = async (service: string) =>
        (await db().select().from(serviceCommits).where(eq(serviceCommits.service, service)))
          .map((row) => row.sha)
          .sort();
      const names = (list: string[]) => list.map((name) => SHA[name]!).sort();
      expect(await of('checkout')).toEqual(
        names(['c0', 'a1', 'c1', 'a2', 'c2', 'c3', 'c4', 'c5', 'm1', 'm2']),
      );
      expect(await of('cart')).toEqual(names(['m1', 'm2']));
      expect(await of('search')).toEqual([]);
    });

    it('changes nothing when a push is delivered again', async () => {
      const count = async () => {
        const [row] = await queryRows<{ n: string | number }>(
          db(),
          sql`select (select count(*) from source_commits) + (select count(*) from service_commits) as n`,
        );
        return Number(row!.n);
      };
      const before = await count();
      await transaction((tx) => recordPush(tx, PUSH, silent));
      expect(await count()).toBe(before);
    });
  });

  describe('release changes', () => {
    const changes = async (service: string, name: string) => {
      const response = await gantry.api<ReleaseChangesDto>(
        'GET',
        `/api/v1/releases/${service}/${versions.get(name)}/changes`,
      );
      expect(response.status).toBe(200);
      return response.body;
    };

    it('are the commits since the previous production release, following parent links', async () => {
      const c3 = await changes('checkout', 'c3');
      expect(c3.historyKnown).toBe(true);
      // P2 (c2) was rolled back, so the previous production release is c1.
      expect(c3.previous).toEqual({ version: versions.get('c1'), commit: SHA.c1 });
      expect(c3.commits.map((change) => change.sha)).toEqual([SHA.c3, SHA.c2, SHA.a2]);
      expect(c3.commits[0]).toMatchObject({
        committedAt: '2026-11-18T11:00:00.000Z',
        authorName: 'author of c3',
        title: 'change c3',
      });
    });

    it("leave out commits outside the service's paths but walk through them", async () => {
      const c5 = await changes('checkout', 'c5');
      expect(c5.historyKnown).toBe(true);
      expect(c5.commits.map((change) => change.sha)).toEqual([SHA.c5]);
    });

    it('are the release commit alone, said so, when the history is unknown', async () => {
      const s2 = await changes('search', 's2');
      expect(s2.historyKnown).toBe(false);
      expect(s2.reason).toContain('no recorded push');
      expect(s2.commits).toEqual([
        {
          sha: SHA.s2,
          committedAt: '2026-11-29T20:00:00.000Z',
          authorName: null,
          authorEmail: null,
          title: null,
        },
      ]);
      const k2 = await changes('cart', 'k2');
      expect(k2.historyKnown).toBe(false);
      expect(k2.previous).toBeNull();
    });

    it('answer 404 for a release that does not exist', async () => {
      const response = await gantry.api('GET', '/api/v1/releases/checkout/2026.01.99/changes');
      expect(response.status).toBe(404);
    });
  });

  describe('lead-time projection', () => {
    it('writes one row per commit at its first production success, and nothing more when redelivered', async () => {
      const rows = await db().select().from(doraLeadTimes);
      const bySha = new Map(rows.map((row) => [row.sha, row.leadSeconds]));
      expect(Object.fromEntries(Object.entries(SHA).map(([name, sha]) => [name, bySha.get(sha)]))).toEqual({
        c0: 26 * 3_600, // no earlier production release: its own commit, 9 Nov 08:00 → 10 Nov 10:00
        a1: 88_200,
        c1: 9_000,
        a2: 174_600,
        c2: 102_600,
        c3: 5_400,
        c4: 45_600,
        a5: undefined,
        c5: 8_100,
        m1: undefined,
        m2: undefined,
        k1: undefined,
        k2: 7_200,
        k3: undefined,
        s1: 4_800,
        s2: 13_800,
        s3: 4_200, // 29 Nov 23:00 → 30 Nov 00:10, outside the window
      });
      const [p3] = await db()
        .select()
        .from(promotions)
        .where(eq(promotions.releaseVersion, versions.get('c3')!));
      await transaction((tx) =>
        projectLeadTimes(tx, {
          promotionId: p3!.id,
          service: 'checkout',
          stage: 'prod',
          releaseId: p3!.releaseId,
          version: p3!.releaseVersion,
          trigger: 'manual',
          from: 'Verifying',
          to: 'Succeeded',
          actor: 'tester',
          reason: 'redelivered',
          at: p3!.finishedAt!.toISOString(),
        }),
      );
      expect(await db().select().from(doraLeadTimes)).toHaveLength(rows.length);
    });
  });

  describe('metrics', () => {
    it('for the whole fleet', async () => {
      const report = await metrics({});
      expect(report.window).toMatchObject({ days: 14, weeks: 2 });
      // 7 successes (P1, P3, P5, P7, Q2, S1, S2) in 14 days = 0.5 a day: high (≥ 1/7, < 1).
      // Days with one: 16, 18, 20, 22, 24, 25, 29 = 7 of 14; both weeks have one.
      expect(report.deploymentFrequency).toEqual({
        deployments: 7,
        perDay: 0.5,
        daysWithDeployment: 7,
        daysShare: 0.5,
        weeksWithDeployment: 2,
        weeksShare: 1,
        band: 'high',
      });
      // Ten commits: 4800 5400 7200 8100 9000 | 13800 45600 88200 102600 174600.
      // Median (9000 + 13800) / 2 = 11400 (elite, ≤ 1 day); p90 at 0.9 × 9 = 8.1:
      // 102600 + 0.1 × (174600 − 102600) = 109800.
      expect(report.leadTime).toEqual({
        commits: 10,
        medianSeconds: 11_400,
        p90Seconds: 109_800,
        band: 'elite',
      });
      // Deployments: P1 P2 P3 P5 P7 Q1 Q2 Q4 S1 S2 = 10; failed: P2 P3 P5 Q1 Q4 = 5: 0.5, low (> 15%).
      expect(report.changeFailureRate).toEqual({ deployments: 10, failed: 5, rate: 0.5, band: 'low' });
      // Recovered: 1200 5400 7800 91800 → median (5400 + 7800) / 2 = 6600 (high, ≤ 1 day); Q4 not yet.
      expect(report.recoveryTime).toEqual({
        failed: 5,
        recovered: 4,
        unrecovered: 1,
        medianSeconds: 6_600,
        band: 'high',
      });
      expect(report.weekly).toEqual([
        {
          // Successes P1 P3 Q2 S1; finished P1 P2 P3 Q1 Q2 S1, failed P2 P3 Q1; recoveries 1200 7800 91800.
          // Lead: 4800 5400 7200 9000 88200 102600 174600 → 9000.
          week: '2026-11-16',
          deployments: 4,
          leadTimeCommits: 7,
          leadTimeMedianSeconds: 9_000,
          finishedDeployments: 6,
          failedDeployments: 3,
          changeFailureRate: 0.5,
          recoveryMedianSeconds: 7_800,
        },
        {
          // Successes P5 P7 S2; finished P5 P7 Q4 S2, failed P5 Q4; recovery 5400 (Q4 none).
          // Lead: 8100 13800 45600 → 13800.
          week: '2026-11-23',
          deployments: 3,
          leadTimeCommits: 3,
          leadTimeMedianSeconds: 13_800,
          finishedDeployments: 4,
          failedDeployments: 2,
          changeFailureRate: 0.5,
          recoveryMedianSeconds: 5_400,
        },
      ]);
    });

    it('for one team', async () => {
      const report: DoraReport = await metrics({ team: 'payments' });
      // checkout and cart: 5 successes in 14 days; days 16 18 20 24 25.
      expect(report.deploymentFrequency).toEqual({
        deployments: 5,
        perDay: 5 / 14,
        daysWithDeployment: 5,
        daysShare: 5 / 14,
        weeksWithDeployment: 2,
        weeksShare: 1,
        band: 'high',
      });
      // 5400 7200 8100 9000 | 45600 88200 102600 174600: median 27300; p90 at 6.3: 102600 + 0.3 × 72000.
      expect(report.leadTime).toEqual({
        commits: 8,
        medianSeconds: 27_300,
        p90Seconds: 124_200,
        band: 'elite',
      });
      // 8 deployments, 5 failed.
      expect(report.changeFailureRate).toEqual({ deployments: 8, failed: 5, rate: 0.625, band: 'low' });
      expect(report.recoveryTime.medianSeconds).toBe(6_600);
    });

    it('for one service', async () => {
      const checkout = await metrics({ service: 'checkout' });
      expect(checkout.deploymentFrequency.deployments).toBe(4);
      expect(checkout.deploymentFrequency.band).toBe('high'); // 4/14 ≈ 0.29 a day
      // 5400 8100 9000 45600 88200 102600 174600: median 45600 (12h40m, elite); p90 at 5.4: 102600 + 0.4 × 72000.
      expect(checkout.leadTime).toEqual({
        commits: 7,
        medianSeconds: 45_600,
        p90Seconds: 131_400,
        band: 'elite',
      });
      expect(checkout.changeFailureRate).toEqual({ deployments: 5, failed: 3, rate: 0.6, band: 'low' });
      // 1200 5400 7800 → 5400 (1h30m): high.
      expect(checkout.recoveryTime).toMatchObject({ medianSeconds: 5_400, unrecovered: 0, band: 'high' });

      const search = await metrics({ service: 'search' });
      // 2 in 14 days is exactly once a week: the high bar, met.
      expect(search.deploymentFrequency).toMatchObject({ deployments: 2, perDay: 1 / 7, band: 'high' });
      // 4800 13800: median 9300, p90 4800 + 0.9 × 9000 = 12900.
      expect(search.leadTime).toEqual({
        commits: 2,
        medianSeconds: 9_300,
        p90Seconds: 12_900,
        band: 'elite',
      });
      expect(search.changeFailureRate).toEqual({ deployments: 2, failed: 0, rate: 0, band: 'elite' });
      // Nothing failed: no recovery time, and no band for it.
      expect(search.recoveryTime).toEqual({
        failed: 0,
        recovered: 0,
        unrecovered: 0,
        medianSeconds: null,
        band: null,
      });
    });

    it('through the API, with the configured bands', async () => {
      const response = await gantry.api<DoraDto>(
        'GET',
        `/api/v1/dora?service=checkout&window=2w&until=${encodeURIComponent(UNTIL)}`,
      );
      expect(response.status).toBe(200);
      expect(response.body.bandsSource).toBe('test bars');
      // 0.6 is above the 2023 medium bar (0.15) but within the configured one (0.7).
      expect(response.body.changeFailureRate).toEqual({
        deployments: 5,
        failed: 3,
        rate: 0.6,
        band: 'medium',
      });
      expect(response.body.window).toEqual({
        start: '2026-11-16T00:00:00.000Z',
        end: UNTIL,
        days: 14,
        weeks: 2,
      });
    });

    it('lists the promotions behind each figure through the promotions API filters', async () => {
      const window = `finishedSince=2026-11-16T00:00:00Z&finishedUntil=${encodeURIComponent(UNTIL)}`;
      const listed = async (query: string) => {
        const response = await gantry.api<{ items: { service: string; phase: string; trigger: string }[] }>(
          'GET',
          `/api/v1/promotions?deployment=true&${window}&limit=100${query}`,
        );
        expect(response.status, JSON.stringify(response.body)).toBe(200);
        return response.body.items;
      };
      // The change failure rate's 10 deployments: applied, production, not rollbacks (P4, Q3, P6 are not).
      const deployments = await listed('');
      expect(deployments).toHaveLength(10);
      expect(deployments.every((item) => item.trigger !== 'rollback')).toBe(true);
      // Deployment frequency counts the 7 that succeeded; the team payments 5 of them.
      expect(await listed('&phase=Succeeded')).toHaveLength(7);
      expect(await listed('&phase=Succeeded&team=payments')).toHaveLength(5);
      // Failed outright: P2, Q1, Q4 (P3 and P5 count as failed later, through a rollback and an incident).
      const failed = await listed('&phase=Failed,RolledBack,Aborted');
      expect(failed.map((item) => item.phase).sort()).toEqual(['Aborted', 'Failed', 'RolledBack']);
      expect(await listed('&phase=Failed,RolledBack,Aborted&service=search')).toEqual([]);
      const wrongPhase = await gantry.api<{ detail: string }>(
        'GET',
        '/api/v1/promotions?phase=Succeeded,Broken',
      );
      expect(wrongPhase.status).toBe(400);
      expect(wrongPhase.body.detail).toContain('Broken');
    });

    it('refuses an unknown team or service, and a bad window, with a reason', async () => {
      const team = await gantry.api<{ detail: string }>('GET', '/api/v1/dora?team=nobody');
      expect(team.status).toBe(404);
      expect(team.body.detail).toBe('no service belongs to team "nobody"');
      const window = await gantry.api<{ detail: string }>('GET', '/api/v1/dora?window=soon');
      expect(window.status).toBe(400);
      expect(window.body.detail).toContain('window');
    });
  });

  describe('promotions', () => {
    it('record at creation whether their stage is production', async () => {
      const solo = `apiVersion: gantry.dev/v1alpha1
kind: Service
metadata:
  name: solo
spec:
  team: other
  image: ghcr.io/acme/solo
  source: { repo: https://github.com/acme/solo }
  stages:
    - name: only
      target: { type: local, command: node, args: [server.js] }
`;
      expect(
        (await gantry.api('PUT', '/api/v1/pipelines', { body: { fileName: 'solo.yaml', content: solo } }))
          .status,
      ).toBe(200);
      const created = await gantry.api<{ version: string }>('POST', '/api/v1/releases', {
        body: {
          service: 'solo',
          image: 'ghcr.io/acme/solo',
          digest: `sha256:${randomBytes(32).toString('hex')}`,
          commit: randomBytes(20).toString('hex'),
        },
      });
      expect(created.status).toBe(201);
      const requested = [
        { service: 'solo', version: created.body.version, stage: 'only' }, // the only stage: production
        { service: 'checkout', version: versions.get('c5')!, stage: 'develop' }, // prod requires it: not production
      ];
      for (const body of requested) {
        const response = await gantry.api<{ id: string }>('POST', '/api/v1/promotions', { body });
        expect(response.status).toBe(202);
        const [row] = await db().select().from(promotions).where(eq(promotions.id, response.body.id));
        expect(row!.production).toBe(body.stage === 'only');
      }
    });
  });

  describe('a service declared after the pushes', () => {
    it('takes its changes from the recorded pushes and its paths', async () => {
      const late = pipeline('latecomer', 'other', REPO, ['services/checkout/**']);
      const applied = await gantry.api('PUT', '/api/v1/pipelines', {
        body: { fileName: 'late.yaml', content: late },
      });
      expect(applied.status).toBe(200);
      await release('latecomer', 'c3', '2026-11-18T11:00:00Z', 1);
      await release('latecomer', 'c5', '2026-11-25T14:00:00Z', 2);
      await promotion('latecomer', 'prod', 'c3', 'Succeeded', { applying: '19T10:00', finished: '19T10:30' });
      const response = await gantry.api<ReleaseChangesDto>(
        'GET',
        `/api/v1/releases/latecomer/${versions.get('c5')}/changes`,
      );
      expect(response.body.historyKnown).toBe(true);
      // c5 ← a5 (docs/ only, outside the paths) ← c4 ← c3 (the previous production release).
      expect(response.body.commits.map((change) => change.sha)).toEqual([SHA.c5, SHA.c4]);
      expect(response.body.commits[1]).toMatchObject({ authorName: 'author of c4', title: 'change c4' });
    });
  });
});
