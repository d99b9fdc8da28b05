import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installFakeApi, problem, type FakeApi } from '../../testing/fake-api';
import { renderPage } from '../../testing/render-page';
import { canaryRollout, verifyingPromotion, waitingPromotion } from './promotion-fixture';
import { PromotionPage } from './promotion-page';

let api: FakeApi;
beforeEach(() => {
  api = installFakeApi();
  api.on('GET /api/v1/services/hello/stages/prod/logs', {
    service: 'hello',
    stage: 'prod',
    version: '2026.12.2',
    replicas: [
      { replica: 0, lines: ['listening on 40123', 'GET /orders 200'] },
      { replica: 1, lines: ['listening on 40124'] },
    ],
  });
});
afterEach(() => api.restore());

/** Longer than useResource's debounce of streamed events. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

const promotionGets = () =>
  api.requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/promotions/p1');

async function openPage(role: 'viewer' | 'deployer' | 'approver' | 'admin' = 'admin') {
  const page = await renderPage(api, <PromotionPage id="p1" />, { role, path: '/promotions/p1' });
  await screen.findByRole('heading', { level: 1, name: /hello 2026\.12\.2/ });
  return page;
}

describe('PromotionPage', () => {
  it('shows where the promotion stands and why, with a link to the service', async () => {
    api.on('GET /api/v1/promotions/p1', waitingPromotion());
    await openPage();
    const title = screen.getByRole('heading', { level: 1 });
    expect(title.textContent).toMatch(/hello 2026\.12\.2\s*→\s*into prod/);
    expect(within(title).getByRole('link', { name: 'hello' }).getAttribute('href')).toBe('/services/hello');
    expect(screen.getByText('waiting for 1 approval (four eyes: not dana)')).toBeTruthy();
    expect(screen.getAllByText('waiting for approval').length).toBeGreaterThan(0);
    expect(screen.getByText(/by hand by dana/)).toBeTruthy();
    expect(screen.getByText('Running for')).toBeTruthy();
  });

  it('lists every transition and decision in time order, oldest first', async () => {
    // The fixture's transitions are out of order, and the approval shares its time with the change it caused.
    api.on('GET /api/v1/promotions/p1', verifyingPromotion());
    await openPage();
    const list = within(screen.getByRole('region', { name: 'Timeline' })).getByRole('list');
    const items = within(list)
      .getAllByRole('listitem')
      .map((item) => item.textContent ?? '');
    expect(items).toHaveLength(6);
    expect(items[0]).toMatch(/created\s*◔ pending by dana/);
    expect(items[1]).toMatch(/pending.*waiting for gates by gantry/);
    expect(items[2]).toMatch(/waiting for gates.*waiting for approval by gantry/);
    expect(items[3]).toMatch(/erin.*approved.*smoke tests green/);
    expect(items[4]).toMatch(/waiting for approval.*applying by erin/);
    expect(items[5]).toMatch(/applying.*verifying by gantry.*candidate healthy/);
    expect(items[0]).toContain('2026-12-03 10:00:00 UTC');
  });

  it('offers Approve to an approver while it waits for approval, and sends the reason', async () => {
    api.on('GET /api/v1/promotions/p1', waitingPromotion());
    api.on('POST /api/v1/promotions/p1/approve', verifyingPromotion());
    const user = userEvent.setup();
    await openPage('approver');

    await user.click(screen.getByRole('button', { name: 'Approve' }));
    const dialog = within(screen.getByRole('dialog', { name: 'Approve?' }));
    expect(dialog.getByText(/^2026\.12\.2 goes to prod: /)).toBeTruthy();
    await user.type(dialog.getByLabelText('Reason'), 'canary dashboards look fine');
    await user.click(dialog.getByRole('button', { name: 'Approve' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const posts = api.requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.path).toBe('/api/v1/promotions/p1/approve');
    expect(posts[0]!.body).toEqual({ comment: 'canary dashboards look fine' });
    expect(posts[0]!.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('offers no Approve to a deployer, nor once the promotion no longer waits', async () => {
    api.on('GET /api/v1/promotions/p1', waitingPromotion());
    const first = await openPage('deployer');
    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Abort' })).toBeTruthy();
    first.unmount();

    api.on('GET /api/v1/promotions/p1', verifyingPromotion());
    await openPage('approver');
    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Promote fully' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Resume' })).toBeNull();
  });

  it('shows the rollout steps, the weight history and every measurement with its phase', async () => {
    api.on('GET /api/v1/promotions/p1', verifyingPromotion());
    await openPage();

    const steps = within(screen.getByRole('list', { name: 'Steps' })).getAllByRole('listitem');
    expect(steps.map((step) => step.textContent)).toEqual([
      '✓ doneset weight 10%',
      '✓ donepause 10s',
      '▶ nowstep 3 analysis (error-rate)',
      '○ to comeset weight 50%',
      '○ to comeset weight 100%',
    ]);
    expect(steps[2]!.getAttribute('aria-current')).toBe('step');
    expect(screen.getByText(/of requests go to 2026\.12\.2/).textContent).toMatch(/10 %/);

    const weights = screen.getByRole('table', { name: /Weight changes/ });
    const weightRows = within(weights).getAllByRole('row').slice(1);
    expect(weightRows.map((row) => within(row).getAllByRole('cell')[2]!.textContent)).toEqual([
      '0 %',
      '10 %',
      '10 %',
    ]);
    expect(within(weightRows[2]!).getByText('3: step 3 analysis (error-rate)')).toBeTruthy();

    expect(screen.getByText('Still measuring: the verdict is not in yet.')).toBeTruthy();
    const measurements = screen.getByRole('table', { name: /Measurements of error-rate/ });
    const rows = within(measurements)
      .getAllByRole('row')
      .slice(1)
      .map((row) =>
        within(row)
          .getAllByRole('cell')
          .map((cell) => cell.textContent),
      );
    expect(rows).toEqual([
      ['2026-12-03 10:05:14 UTC', '✓ successful', '0.01', ''],
      ['2026-12-03 10:05:16 UTC', '✕ failed', '0.31', '0.31 met the failure condition result >= 0.1'],
    ]);
    // The chart's legend names the phases and the threshold lines.
    const legend = screen.getByRole('figure', { name: 'error-rate per measurement' });
    expect(within(legend).getByText('Successful')).toBeTruthy();
    expect(within(legend).getByText('Failed')).toBeTruthy();
    expect(within(legend).getByText('passes below 0.05')).toBeTruthy();
    expect(within(legend).getByText('fails at or above 0.1')).toBeTruthy();
  });

  it('says why a condition is not drawn and keeps values that are not one number in the table', async () => {
    const rollout = canaryRollout();
    const run = rollout.analysis[0]!;
    api.on(
      'GET /api/v1/promotions/p1',
      verifyingPromotion({
        rollout: {
          ...rollout,
          analysis: [
            {
              ...run,
              metrics: [{ ...run.metrics[0]!, successCondition: 'len(result) == 0 or max(result) < 0.05' }],
              measurements: [{ ...run.measurements[0]!, value: [0.2, 0.3], phase: 'Failed' }],
            },
          ],
        },
      }),
    );
    await openPage();
    expect(screen.getByText(/nothing to draw; the table has every value/)).toBeTruthy();
    const measurements = screen.getByRole('table', { name: /Measurements of error-rate/ });
    expect(within(measurements).getByText('[0.2,0.3]')).toBeTruthy();
  });

  it('reloads when a streamed event is about this promotion, not about another', async () => {
    api.on('GET /api/v1/promotions/p1', verifyingPromotion());
    await openPage();
    // Let the stream connect (its first connection is a resync, which reloads once).
    await settle();
    const before = promotionGets().length;

    api.emit({
      type: 'rollout.progressed',
      key: 'hello/prod',
      payload: { promotionId: 'other', service: 'hello', stage: 'prod', weight: 50 },
    });
    await settle();
    expect(promotionGets()).toHaveLength(before);
    api.on(
      'GET /api/v1/promotions/p1',
      verifyingPromotion({
        rollout: canaryRollout({ step: 4, weight: 50, message: 'step 4 of 5: set weight 50%' }),
      }),
    );
    api.emit({
      type: 'rollout.progressed',
      key: 'hello/prod',
      payload: { promotionId: 'p1', service: 'hello', stage: 'prod', step: 4, weight: 50 },
    });
    await waitFor(() => expect(screen.getByText('step 4 of 5: set weight 50%')).toBeTruthy());
    expect(promotionGets()).toHaveLength(before + 1);
  });

  it('retries a rolled-back promotion and moves to the new one', async () => {
    api.on(
      'GET /api/v1/promotions/p1',
      verifyingPromotion({
        phase: 'RolledBack',
        finishedAt: '2026-12-03T10:06:00.000Z',
        message: 'analysis failed',
      }),
    );
    api.on('POST /api/v1/promotions/p1/retry', { ...waitingPromotion({ id: 'p2', phase: 'Pending' }) }, 202);
    api.on('GET /api/v1/promotions/p2', waitingPromotion({ id: 'p2', phase: 'Pending', message: null }));
    const user = userEvent.setup();
    const page = await openPage('deployer');
    expect(screen.getByText('Took')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Abort' })).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Retry' }));
    const dialog = within(screen.getByRole('dialog', { name: 'Retry?' }));
    await user.type(dialog.getByLabelText('Reason'), 'flaky dependency fixed');
    await user.click(dialog.getByRole('button', { name: 'Retry' }));

    await waitFor(() => expect(page.location()).toBe('/promotions/p2'));
    const retry = api.requests.find((r) => r.method === 'POST')!;
    expect(retry.body).toEqual({ reason: 'flaky dependency fixed' });
  });

  it('shows the replicas’ last lines, and pauses their updates on request', async () => {
    api.on('GET /api/v1/promotions/p1', verifyingPromotion());
    const user = userEvent.setup();
    await openPage();
    const replica0 = await screen.findByLabelText('Replica 0 log, newest line last');
    expect(replica0.tagName).toBe('PRE');
    expect(replica0.textContent).toBe('listening on 40123\nGET /orders 200');
    expect(screen.getByLabelText('Replica 1 log, newest line last').textContent).toBe('listening on 40124');
    const logs = api.requests.find((r) => r.path.endsWith('/logs'))!;
    expect(logs.query.get('version')).toBe('2026.12.2');
    expect(screen.getByText(/updated every 3 s/)).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Pause updates' }));
    expect(screen.getByText(/updates paused/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Resume updates' })).toBeTruthy();
  });

  it('says replica logs are only for local targets when Gantry has none for the stage', async () => {
    api.on('GET /api/v1/promotions/p1', verifyingPromotion());
    api.on(
      'GET /api/v1/services/hello/stages/prod/logs',
      problem(
        404,
        'hello has not run in prod on this Gantry (only local stages keep replica logs)',
        'not_found',
      ),
      404,
    );
    await openPage();
    expect(await screen.findByText(/Replica logs are only available for local targets/)).toBeTruthy();
    const section = screen.getByRole('region', { name: 'Replica logs' });
    expect(within(section).queryByRole('alert')).toBeNull();
    expect(within(section).queryByRole('button', { name: 'Pause updates' })).toBeNull();
  });

  it('says so when the promotion cannot be loaded', async () => {
    api.on('GET /api/v1/promotions/p1', problem(404, 'promotion p1 does not exist', 'not_found'), 404);
    await renderPage(api, <PromotionPage id="p1" />, { path: '/promotions/p1' });
    expect((await screen.findByRole('alert')).textContent).toMatch(/promotion p1 does not exist/);
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });
});
