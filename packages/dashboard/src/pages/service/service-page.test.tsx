import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Why } from '../../api/types';
import { installFakeApi, problem, type FakeApi, type RecordedRequest } from '../../testing/fake-api';
import { renderPage } from '../../testing/render-page';
import { quietCell, serviceStatus } from '../overview/status-fixtures';
import { evidence, FULL_EVIDENCE, release, why } from './service-fixtures';
import { ServicePage } from './service-page';

// checkout runs 2026.11.5 in develop and 2026.11.4 in staging and prod. For
// 2026.11.5, staging waits for nothing and prod is blocked by its coverage gate.

const coverageBlocked = {
  kind: 'gate' as const,
  name: 'coverage',
  state: 'blocked' as const,
  reason: 'line coverage 71.0% is below the 80% the gate asks for (coverage-summary.json)',
};
const upstreamPassed = {
  kind: 'gate' as const,
  name: 'upstream',
  state: 'passed' as const,
  reason: 'promoted to develop 2026-11-30T09:00Z',
  stage: 'develop',
};

/** What GET …/why answers for 2026.11.5, by stage. */
let gatesFor: Record<string, Why>;

let api: FakeApi;
beforeEach(() => {
  gatesFor = {
    develop: why('develop', '2026.11.5', { promotionId: 'p-dev', phase: 'Succeeded' }),
    staging: why('staging', '2026.11.5', { items: [upstreamPassed] }),
    prod: why('prod', '2026.11.5', { verdict: 'blocked', items: [coverageBlocked] }),
  };
  api = installFakeApi();
  api
    .on('GET /api/v1/status', {
      items: [
        serviceStatus('checkout', 'payments', [
          quietCell('develop', '2026.11.5'),
          quietCell('staging', '2026.11.4'),
          quietCell('prod', '2026.11.4'),
        ]),
      ],
    })
    .on('GET /api/v1/releases', { items: [release('2026.11.5', FULL_EVIDENCE), release('2026.11.4', [])] })
    .on('GET /api/v1/releases/*', (request: RecordedRequest) => answerRelease(request));
});
afterEach(() => api.restore());

function answerRelease(request: RecordedRequest): unknown {
  const [, version, detail] = request.path.replace('/api/v1/releases/', '').split('/');
  if (detail === 'why') {
    const stage = request.query.get('stage')!;
    return version === '2026.11.5' ? gatesFor[stage] : why(stage, version!);
  }
  if (detail === 'changes') {
    return {
      service: 'checkout',
      version,
      commit: 'c0ffee1',
      historyKnown: true,
      reason: 'every push since 2026.11.3 is recorded',
      previous: { version: '2026.11.3', commit: 'beef000' },
      commits: [
        {
          sha: 'c0ffee1000000000000000000000000000000000',
          committedAt: null,
          authorName: 'ana',
          authorEmail: null,
          title: 'Fix the basket total',
        },
        {
          sha: 'c0ffee2000000000000000000000000000000000',
          committedAt: null,
          authorName: 'ben',
          authorEmail: null,
          title: 'Faster search',
        },
      ],
    };
  }
  return release(version!, version === '2026.11.5' ? FULL_EVIDENCE : []);
}

const requestsTo = (method: string, path: string) =>
  api.requests.filter((request) => request.method === method && request.path === path);

/** The gates card of one stage in the selected release, once its gates are checked. */
async function gatesOf(stage: string) {
  const heading = await screen.findByRole('heading', { level: 4, name: new RegExp(`^${stage}\\b`) });
  const card = within(heading.closest('li')!);
  await waitFor(() => expect(card.queryByText('Checking the gates…')).toBeNull());
  return card;
}

describe('ServicePage', () => {
  it('shows the team, what runs in each stage, and the releases with their evidence', async () => {
    await renderPage(api, <ServicePage service="checkout" />, { path: '/services/checkout' });
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('checkout');
    expect((await screen.findByText('payments')).closest('p')!.textContent).toBe('Team payments');

    const stages = within(screen.getByRole('region', { name: 'Stages' }));
    expect(stages.getAllByRole('heading', { level: 3 }).map((h) => h.textContent)).toEqual([
      'develop',
      'staging',
      'prod',
    ]);
    expect(stages.getByRole('button', { name: 'Roll back prod' })).toBeTruthy();

    const list = within(screen.getByRole('table', { name: /Releases of checkout/ }));
    const newest = within(list.getByRole('link', { name: '2026.11.5' }).closest('tr')!);
    expect(await newest.findByText('118 tests passed (2 skipped)')).toBeTruthy();
    expect(newest.getByText('84.2 % line coverage')).toBeTruthy();
    expect(newest.getByText('1 critical, 2 high, 5 low')).toBeTruthy();
    expect(newest.getByText('signature verified')).toBeTruthy();
    const older = within(list.getByRole('link', { name: '2026.11.4' }).closest('tr')!);
    expect(await older.findByText('no evidence attached')).toBeTruthy();
    expect(requestsTo('GET', '/api/v1/releases')[0]!.query.get('service')).toBe('checkout');
    // The list carries the evidence: no request per release.
    expect(requestsTo('GET', '/api/v1/releases/checkout/2026.11.4')).toEqual([]);

    // The newest release is selected: its detail names what is missing too.
    const detail = within(screen.getByRole('region', { name: 'Release 2026.11.5' }));
    expect(await detail.findByText('no migration check')).toBeTruthy();
    expect(detail.getByText('tests.xml')).toBeTruthy();
  });

  it('explains, per stage, why the selected release may or may not go in', async () => {
    await renderPage(api, <ServicePage service="checkout" />, { path: '/services/checkout' });

    const prod = await gatesOf('prod');
    expect(prod.getByRole('heading').textContent).toContain('blocked');
    const blocked = prod.getByText(/line coverage 71\.0% is below/).closest('li')!;
    expect(blocked.textContent).toBe(`✕ blocked gate coverage: ${coverageBlocked.reason}`);
    expect(prod.queryByRole('button')).toBeNull();

    const staging = await gatesOf('staging');
    expect(staging.getByRole('heading').textContent).toContain('pass: nothing stands in the way');
    expect(staging.getByText(/promoted to develop/).closest('li')!.textContent).toBe(
      '✓ passed gate upstream (develop): promoted to develop 2026-11-30T09:00Z',
    );
    expect(staging.getByRole('button', { name: 'Promote to staging' })).toBeTruthy();

    const develop = await gatesOf('develop');
    expect(develop.getByText('No gates, approvals or freeze windows apply to this stage.')).toBeTruthy();
    expect(develop.getByText('2026.11.5 runs here now.')).toBeTruthy();

    const whyRequests = api.requests.filter((request) => request.path.endsWith('/why'));
    expect(whyRequests.map((request) => request.query.get('stage')).sort()).toEqual([
      'develop',
      'prod',
      'staging',
    ]);
  });

  it('promotes with the reason given, then opens the new promotion', async () => {
    const user = userEvent.setup();
    api.on('POST /api/v1/promotions', { id: 'p-new', phase: 'Pending' }, 202);
    const page = await renderPage(api, <ServicePage service="checkout" />, { path: '/services/checkout' });

    await user.click((await gatesOf('staging')).getByRole('button', { name: 'Promote to staging' }));
    const dialog = within(screen.getByRole('dialog', { name: 'Promote to staging?' }));
    expect(dialog.getByText('checkout 2026.11.5 goes into staging, replacing 2026.11.4.')).toBeTruthy();
    await user.type(dialog.getByLabelText('Reason'), 'fixes the basket total');
    await user.click(dialog.getByRole('button', { name: 'Promote to staging' }));

    await waitFor(() => expect(page.location()).toBe('/promotions/p-new'));
    const [sent] = requestsTo('POST', '/api/v1/promotions');
    expect(sent!.body).toEqual({
      service: 'checkout',
      version: '2026.11.5',
      stage: 'staging',
      reason: 'fixes the basket total',
    });
    expect(sent!.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('shows the server refusal in the dialog and stays on the page', async () => {
    const user = userEvent.setup();
    const refusal =
      '2026.11.5 cannot be promoted into staging: staging of checkout already has an active promotion (2026.11.6, Verifying)';
    api.on('POST /api/v1/promotions', problem(409, refusal, 'promotion_refused'), 409);
    const page = await renderPage(api, <ServicePage service="checkout" />, { path: '/services/checkout' });

    await user.click((await gatesOf('staging')).getByRole('button', { name: 'Promote to staging' }));
    const dialog = within(screen.getByRole('dialog', { name: 'Promote to staging?' }));
    await user.type(dialog.getByLabelText('Reason'), 'try');
    await user.click(dialog.getByRole('button', { name: 'Promote to staging' }));

    expect((await dialog.findByRole('alert')).textContent).toBe(refusal);
    expect(screen.getByRole('dialog')).toBeTruthy();
    expect(page.location()).toBe('/services/checkout');
  });

  it('offers a viewer no promote and no rollback, but every explanation', async () => {
    await renderPage(api, <ServicePage service="checkout" />, { path: '/services/checkout', role: 'viewer' });
    const staging = await gatesOf('staging');
    expect(staging.getByText(/promoted to develop/)).toBeTruthy();
    expect((await gatesOf('prod')).getByText(/line coverage 71\.0% is below/)).toBeTruthy();
    expect(screen.queryAllByRole('button', { name: /Promote|Roll back/ })).toEqual([]);
  });

  it('rolls a stage back with the reason given, then opens the rollback', async () => {
    const user = userEvent.setup();
    api.on('POST /api/v1/rollbacks', { id: 'p-back', phase: 'Pending' }, 202);
    const page = await renderPage(api, <ServicePage service="checkout" />, { path: '/services/checkout' });

    await user.click(await screen.findByRole('button', { name: 'Roll back prod' }));
    const dialog = within(screen.getByRole('dialog', { name: 'Roll back prod?' }));
    expect(
      dialog.getByText(/checkout in prod goes back from 2026\.11\.4 to the release that ran there before/),
    ).toBeTruthy();
    await user.type(dialog.getByLabelText('Reason'), 'error rate up');
    await user.click(dialog.getByRole('button', { name: 'Roll back prod' }));

    await waitFor(() => expect(page.location()).toBe('/promotions/p-back'));
    expect(requestsTo('POST', '/api/v1/rollbacks')[0]!.body).toEqual({
      service: 'checkout',
      stage: 'prod',
      reason: 'error rate up',
    });
  });

  it('selects another release by its link, and lists the commits a release brings', async () => {
    const user = userEvent.setup();
    const page = await renderPage(api, <ServicePage service="checkout" />, { path: '/services/checkout' });

    const changes = await screen.findByText('2 commits since 2026.11.3 in production');
    await user.click(changes);
    const list = within(changes.closest('details')!);
    expect(list.getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      'c0ffee1 Fix the basket total · ana',
      'c0ffee2 Faster search · ben',
    ]);

    await user.click(screen.getByRole('link', { name: '2026.11.4' }));
    expect(page.location()).toBe('/services/checkout?release=2026.11.4');
    expect(await screen.findByRole('region', { name: 'Release 2026.11.4' })).toBeTruthy();
    expect(screen.getByRole('link', { name: '2026.11.4' }).getAttribute('aria-current')).toBe('true');
    await waitFor(() =>
      expect(
        api.requests.some(
          (r) => r.path === '/api/v1/releases/checkout/2026.11.4/why' && r.query.get('stage') === 'prod',
        ),
      ).toBe(true),
    );
    expect((await gatesOf('prod')).getByText('2026.11.4 runs here now.')).toBeTruthy();
  });

  it('shows a new release and a moving promotion as the stream announces them', async () => {
    const page = await renderPage(api, <ServicePage service="checkout" />, { path: '/services/checkout' });
    const stages = within(screen.getByRole('region', { name: 'Stages' }));
    await stages.findByRole('button', { name: 'Roll back prod' });

    api.on('GET /api/v1/releases', {
      items: [release('2026.11.6', []), release('2026.11.5', FULL_EVIDENCE), release('2026.11.4', [])],
    });
    api.emit({
      type: 'release.registered',
      key: 'release:checkout',
      payload: { service: 'checkout', version: '2026.11.6' },
    });
    expect(await screen.findByRole('link', { name: '2026.11.6' })).toBeTruthy();
    // Evidence attached later shows in the list.
    api.on('GET /api/v1/releases', {
      items: [
        release('2026.11.6', [
          evidence('coverage', { kind: 'coverage', linePct: 91.5, linesCovered: 915, linesTotal: 1000 }),
        ]),
        release('2026.11.5', FULL_EVIDENCE),
        release('2026.11.4', []),
      ],
    });
    api.emit({
      type: 'release.evidence-attached',
      key: 'release:checkout',
      payload: { service: 'checkout', version: '2026.11.6', kinds: ['coverage'] },
    });
    const newest = within(screen.getByRole('link', { name: '2026.11.6' }).closest('tr')!);
    expect(await newest.findByText('91.5 % line coverage')).toBeTruthy();
    // What was being read stays.
    expect(screen.getByRole('region', { name: 'Release 2026.11.5' })).toBeTruthy();

    const prod = quietCell('prod', '2026.11.4');
    prod.activePromotion = {
      id: 'p-6',
      version: '2026.11.6',
      phase: 'WaitingForApproval',
      message: '0 of 1 approval',
    };
    api.on('GET /api/v1/status', {
      items: [
        serviceStatus('checkout', 'payments', [
          quietCell('develop', '2026.11.6'),
          quietCell('staging', '2026.11.6'),
          prod,
        ]),
      ],
    });
    api.emit({ type: 'promotion.decision-recorded', key: 'checkout/prod', payload: { promotionId: 'p-6' } });
    const promotion = await stages.findByRole('link', { name: /waiting for approval/ });
    expect(promotion.getAttribute('href')).toBe('/promotions/p-6');
    expect(stages.getByText('0 of 1 approval')).toBeTruthy();
    expect(page.location()).toBe('/services/checkout');
  });

  it('lets an approver, and only an approver, promote through a freeze window', async () => {
    const user = userEvent.setup();
    gatesFor.prod = why('prod', '2026.11.5', {
      verdict: 'blocked',
      items: [
        {
          kind: 'freeze',
          name: 'freeze',
          state: 'blocked',
          reason: 'quarter-end close until 2026-12-01T00:00Z',
        },
      ],
    });
    api.on('POST /api/v1/promotions', { id: 'p-hotfix', phase: 'Pending' }, 202);

    const deployer = await renderPage(api, <ServicePage service="checkout" />, {
      path: '/services/checkout',
      role: 'deployer',
    });
    expect(
      (await gatesOf('prod')).getByText('Only an approver can promote through the freeze.'),
    ).toBeTruthy();
    deployer.unmount();

    const approver = await renderPage(api, <ServicePage service="checkout" />, {
      path: '/services/checkout',
      role: 'approver',
    });
    await user.click(
      (await gatesOf('prod')).getByRole('button', { name: 'Promote to prod through the freeze' }),
    );
    const dialog = within(screen.getByRole('dialog'));
    expect(
      dialog.getByText(/The freeze \(quarter-end close until 2026-12-01T00:00Z\) is overridden/),
    ).toBeTruthy();
    await user.type(dialog.getByLabelText('Reason'), 'hotfix for INC-42');
    await user.click(dialog.getByRole('button', { name: 'Promote to prod through the freeze' }));
    await waitFor(() => expect(approver.location()).toBe('/promotions/p-hotfix'));
    expect(requestsTo('POST', '/api/v1/promotions')[0]!.body).toEqual({
      service: 'checkout',
      version: '2026.11.5',
      stage: 'prod',
      reason: 'hotfix for INC-42',
      override: true,
    });
    gatesFor.prod = why('prod', '2026.11.5', { verdict: 'blocked', items: [coverageBlocked] });
  });
});
