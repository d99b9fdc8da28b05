import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installFakeApi, problem, type FakeApi } from '../../testing/fake-api';
import { renderPage } from '../../testing/render-page';
import { OverviewPage } from './overview-page';
import { fleet, quietCell, serviceStatus, STAGES } from './status-fixtures';

// A hundred services make thousands of elements, which the simulated browser builds slowly.
const MANY = 60_000;

let api: FakeApi;
beforeEach(() => {
  api = installFakeApi();
});
afterEach(() => {
  api.restore();
  setViewportWidth(1024);
});

// Queries by role compute every element's accessible name, which takes seconds
// over a hundred rows in the simulated browser: rows are found by their markup.

/** The matrix's body rows (one per service shown). */
const serviceRows = () => [...screen.getByRole('table').querySelectorAll('tbody tr')];
const statusRequests = () => api.requests.filter((request) => request.path === '/api/v1/status');

describe('OverviewPage', () => {
  it(
    'shows 100 services × 6 stages with what needs attention, and counts it in the heading',
    async () => {
      api.on('GET /api/v1/status', { items: fleet(100) });
      await renderPage(api, <OverviewPage />);

      const heading = await screen.findByRole('heading', { level: 1 });
      await waitFor(() =>
        expect(heading.textContent).toBe(
          'Overview: 1 promotion in progress, 1 waiting for approval, 1 stage frozen, 1 auto-promotion on hold',
        ),
      );
      const table = screen.getByRole('table');
      expect(
        within(table.querySelector('thead')!)
          .getAllByRole('columnheader')
          .map((th) => th.textContent),
      ).toEqual(['Service', ...STAGES]);
      expect(serviceRows()).toHaveLength(100);
      expect(table.querySelectorAll('tbody th[scope="row"]')).toHaveLength(100);

      const verifying = within(rowOf('svc-007'));
      expect(verifying.getByRole('link', { name: 'svc-007' }).getAttribute('href')).toBe('/services/svc-007');
      const promotion = verifying.getByRole('link', { name: /verifying/ });
      expect(promotion.getAttribute('href')).toBe('/promotions/p-verifying');
      expect(promotion.textContent).toContain('2026.11.5');
      expect(verifying.getByText('step 2 of 6')).toBeTruthy();
      expect(verifying.getByText('set weight 20% done')).toBeTruthy();

      const waiting = within(rowOf('svc-013'));
      expect(waiting.getByRole('link', { name: /waiting for approval/ }).getAttribute('href')).toBe(
        '/promotions/p-approval',
      );
      expect(waiting.getByText('0 of 1 approval')).toBeTruthy();

      expect(rowOf('svc-042').textContent).toMatch(/Frozen, lifts in .*: quarter-end close/);
      expect(rowOf('svc-077').textContent).toMatch(
        /Auto-promotion on hold: bob promoted 2026\.11\.3 by hand .* ago/,
      );
      expect(within(rowOf('svc-000')).getAllByRole('cell')[0]!.textContent).toMatch(
        /^2026\.11\.4 · \d+ \w+ ago$/,
      );
    },
    MANY,
  );

  it(
    'filters by name, by team and by what needs attention, and keeps the filter in the URL',
    async () => {
      const user = userEvent.setup();
      api.on('GET /api/v1/status', { items: fleet(100) });
      const page = await renderPage(api, <OverviewPage />);
      await waitFor(() => expect(serviceRows()).toHaveLength(100));

      await user.type(screen.getByLabelText('Service or team'), 'svc-04');
      await waitFor(() => expect(serviceRows()).toHaveLength(10));
      expect(screen.getByText('Showing 10 of 100 services')).toBeTruthy();
      expect(page.location()).toBe('/?q=svc-04');

      await user.selectOptions(screen.getByLabelText('Team'), 'team-c');
      await waitFor(() => expect(serviceRows().map(rowName)).toEqual(['svc-042', 'svc-046']));
      expect(page.location()).toBe('/?q=svc-04&team=team-c');

      await user.click(screen.getByLabelText('Only what needs attention'));
      await waitFor(() => expect(serviceRows().map(rowName)).toEqual(['svc-042']));
      expect(page.location()).toBe('/?q=svc-04&team=team-c&attention=1');

      await user.type(screen.getByLabelText('Service or team'), 'x');
      expect(await screen.findByText('No service matches these filters.')).toBeTruthy();
      await user.click(screen.getByRole('button', { name: 'Show every service' }));
      await waitFor(() => expect(serviceRows()).toHaveLength(100));
      expect(page.location()).toBe('/');

      await user.click(screen.getByLabelText('Only what needs attention'));
      await waitFor(() =>
        expect(serviceRows().map(rowName)).toEqual(['svc-007', 'svc-013', 'svc-042', 'svc-077']),
      );
      expect(page.location()).toBe('/?attention=1');
    },
    MANY,
  );

  it(
    'applies the filter a link carries',
    async () => {
      api.on('GET /api/v1/status', { items: fleet(100) });
      await renderPage(api, <OverviewPage />, { path: '/?attention=1&team=team-b' });
      await waitFor(() => expect(serviceRows().map(rowName)).toEqual(['svc-013', 'svc-077']));
      expect(screen.getByLabelText<HTMLInputElement>('Only what needs attention').checked).toBe(true);
      expect(screen.getByLabelText<HTMLSelectElement>('Team').value).toBe('team-b');
    },
    MANY,
  );

  it('puts stages in pipeline order and labels a stage a service does not have', async () => {
    api.on('GET /api/v1/status', {
      items: [
        serviceStatus('api', 'core', [quietCell('develop'), quietCell('prod')]),
        serviceStatus('web', 'front', [quietCell('develop'), quietCell('staging'), quietCell('prod')]),
      ],
    });
    await renderPage(api, <OverviewPage />);
    const table = await screen.findByRole('table');
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map((th) => th.textContent),
    ).toEqual(['Service', 'develop', 'staging', 'prod']);
    expect(within(rowOf('api')).getByText('api has no staging stage')).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Overview: nothing in progress');
  });

  it('reloads when a promotion changes', async () => {
    const items = fleet(3);
    api.on('GET /api/v1/status', { items });
    await renderPage(api, <OverviewPage />);
    await waitFor(() => expect(serviceRows()).toHaveLength(3));
    const before = statusRequests().length;

    const moved = structuredClone(items);
    moved[2]!.stages[4]!.activePromotion = {
      id: 'p-new',
      version: '2026.12.1',
      phase: 'Applying',
      message: null,
    };
    api.on('GET /api/v1/status', { items: moved });
    api.emit({
      type: 'promotion.phase-changed',
      key: 'svc-002/prod',
      payload: { promotionId: 'p-new', service: 'svc-002', stage: 'prod', from: 'Pending', to: 'Applying' },
    });
    const link = await within(rowOf('svc-002')).findByRole('link', { name: /applying/ });
    expect(link.getAttribute('href')).toBe('/promotions/p-new');
    expect(statusRequests().length).toBeGreaterThan(before);
  });

  it('shows one card per service at phone width', async () => {
    setViewportWidth(390);
    api.on('GET /api/v1/status', { items: fleet(5) });
    await renderPage(api, <OverviewPage />);
    const cards = await screen.findByRole('list', { name: 'Services' });
    expect(screen.queryByRole('table')).toBeNull();
    const items = within(cards).getAllByRole('listitem');
    expect(items).toHaveLength(5);
    const first = within(items[0]!);
    expect(first.getByRole('heading', { name: /svc-000/ })).toBeTruthy();
    expect(first.getAllByRole('term').map((term) => term.textContent)).toEqual(STAGES);
  });

  it('says when the status cannot be loaded, and offers to try again', async () => {
    api.on('GET /api/v1/status', problem(500, 'database unavailable', 'internal'), 500);
    await renderPage(api, <OverviewPage />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('database unavailable');
    api.on('GET /api/v1/status', { items: fleet(2) });
    await userEvent.setup().click(within(alert).getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(serviceRows()).toHaveLength(2));
  });

  it('explains an empty Gantry', async () => {
    api.on('GET /api/v1/status', { items: [] });
    await renderPage(api, <OverviewPage />);
    expect((await screen.findByText(/No services yet/)).textContent).toContain('gantry apply -f gantry.yaml');
  });
});

function rowOf(service: string): HTMLElement {
  return screen.getByText(service, { selector: 'tbody th a' }).closest('tr')!;
}

function rowName(row: Element): string | null {
  return row.querySelector('th[scope="row"] a')!.textContent;
}

/** The simulated browser's window width (happy-dom evaluates media queries against it). */
function setViewportWidth(width: number): void {
  const window_ = window as unknown as { happyDOM?: { setViewport(size: { width: number }): void } };
  window_.happyDOM?.setViewport({ width });
}
