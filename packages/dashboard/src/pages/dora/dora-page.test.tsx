import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installFakeApi, problem, type FakeApi } from '../../testing/fake-api';
import { renderPage } from '../../testing/render-page';
import { doraReport } from './dora-fixture';
import { DoraPage } from './dora-page';

let api: FakeApi;
beforeEach(() => {
  api = installFakeApi();
  api.on('GET /api/v1/services', {
    items: [
      { name: 'hello', team: 'demo', image: 'ghcr.io/x/hello', sourceRepo: null, revision: 1, updatedAt: '' },
      {
        name: 'checkout',
        team: 'payments',
        image: 'ghcr.io/x/co',
        sourceRepo: null,
        revision: 1,
        updatedAt: '',
      },
    ],
  });
  // The report follows the scope asked for, as Gantry does.
  api.on('GET /api/v1/dora', (request: { query: URLSearchParams }) =>
    doraReport({
      scope: { service: request.query.get('service'), team: request.query.get('team') },
    }),
  );
});
afterEach(() => api.restore());

const doraQueries = () =>
  api.requests.filter((r) => r.path === '/api/v1/dora').map((r) => r.query.toString());

const card = (name: string) => within(screen.getByRole('region', { name }));

describe('DoraPage', () => {
  it('shows each figure with its band in words and what it is based on', async () => {
    await renderPage(api, <DoraPage />, { path: '/dora' });
    await screen.findByRole('region', { name: 'Deployment frequency' });

    expect(card('Deployment frequency').getByText(/2\.8 a week/)).toBeTruthy();
    expect(card('Deployment frequency').getByText('high')).toBeTruthy();
    expect(
      card('Deployment frequency').getByText('12 successful deployments on 9 of 30 days (4 of 5 weeks)'),
    ).toBeTruthy();
    expect(card('Lead time for changes').getByText('elite')).toBeTruthy();
    expect(card('Lead time for changes').getByText(/over 42 commits; 90 % within 2\.0 d/)).toBeTruthy();
    expect(card('Change failure rate').getByText('14.3 %')).toBeTruthy();
    expect(card('Change failure rate').getByText('medium')).toBeTruthy();
    expect(card('Change failure rate').getByText(/rolled back later/)).toBeTruthy();
    expect(card('Failed-deployment recovery time').getByText('not enough data')).toBeTruthy();
    expect(card('Failed-deployment recovery time').getByText('Not recovered yet')).toBeTruthy();
    expect(doraQueries()).toEqual(['window=30d']);
  });

  it('links each figure to its records, with the window and the filters', async () => {
    await renderPage(api, <DoraPage />, { path: '/dora?service=hello&window=90d' });
    await screen.findByRole('region', { name: 'Deployment frequency' });
    expect(doraQueries()).toEqual(['service=hello&window=90d']);

    const window = 'finishedSince=2026-11-01T00%3A00%3A00.000Z&finishedUntil=2026-12-01T00%3A00%3A00.000Z';
    expect(card('Deployment frequency').getByRole('link').getAttribute('href')).toBe(
      `/promotions?deployment=true&service=hello&${window}&phase=Succeeded`,
    );
    expect(
      card('Change failure rate')
        .getByRole('link', { name: /Failed, rolled-back/ })
        .getAttribute('href'),
    ).toBe(`/promotions?deployment=true&service=hello&${window}&phase=Failed%2CRolledBack%2CAborted`);
    expect(
      card('Change failure rate').getByRole('link', { name: 'Every deployment' }).getAttribute('href'),
    ).toBe(`/promotions?deployment=true&service=hello&${window}`);
    expect(
      card('Failed-deployment recovery time')
        .getByRole('link', { name: /Incidents/ })
        .getAttribute('href'),
    ).toBe(
      '/incidents?service=hello&openedSince=2026-11-01T00%3A00%3A00.000Z&openedUntil=2026-12-01T00%3A00%3A00.000Z',
    );
  });

  it('puts a changed filter in the URL and asks Gantry for it', async () => {
    const user = userEvent.setup();
    const page = await renderPage(api, <DoraPage />, { path: '/dora' });
    await screen.findByRole('region', { name: 'Deployment frequency' });
    await screen.findByRole('option', { name: 'Team payments' });

    await user.selectOptions(screen.getByLabelText('Scope'), 'Team payments');
    await waitFor(() => expect(page.location()).toBe('/dora?team=payments'));
    await waitFor(() => expect(doraQueries().at(-1)).toBe('team=payments&window=30d'));
    expect(await screen.findByText('Team payments', { selector: 'strong' })).toBeTruthy();

    await user.selectOptions(screen.getByLabelText('Window'), 'Last 90 days');
    await waitFor(() => expect(page.location()).toBe('/dora?team=payments&window=90d'));
    await waitFor(() => expect(doraQueries().at(-1)).toBe('team=payments&window=90d'));

    // A service replaces the team: Gantry takes one or the other.
    await user.selectOptions(screen.getByLabelText('Scope'), 'hello (demo)');
    await waitFor(() => expect(page.location()).toBe('/dora?window=90d&service=hello'));
    await waitFor(() => expect(doraQueries().at(-1)).toBe('service=hello&window=90d'));
  });

  it('shows the weekly values as a table beside the charts', async () => {
    await renderPage(api, <DoraPage />, { path: '/dora' });
    const table = await screen.findByRole('table', { name: /each week/ });
    const rows = within(table)
      .getAllByRole('row')
      .slice(1)
      .map((row) => [...row.querySelectorAll('th, td')].map((cell) => cell.textContent));
    expect(rows).toEqual([
      ['2026-10-26', '1', '2.0 h (3 commits)', '0 % (0 of 1)', '–'],
      ['2026-11-02', '4', '4.0 h (20 commits)', '20 % (1 of 5)', '30 min'],
      ['2026-11-09', '0', '–', '–', '–'],
    ]);
    expect(screen.getByRole('figure', { name: 'Deployments per week' })).toBeTruthy();
    expect(screen.getByRole('figure', { name: 'Change failure rate per week' })).toBeTruthy();
  });

  it('says a weekly chart has nothing to draw when no week has a value', async () => {
    const empty = doraReport().weekly.map((week) => ({ ...week, recoveryMedianSeconds: null }));
    api.on('GET /api/v1/dora', doraReport({ weekly: empty }));
    await renderPage(api, <DoraPage />, { path: '/dora' });
    const recovery = await screen.findByRole('figure', { name: /recovery time per week/ });
    expect(within(recovery).getByText('No value to draw in this range.')).toBeTruthy();
    const deployments = screen.getByRole('figure', { name: 'Deployments per week' });
    expect(within(deployments).queryByText('No value to draw in this range.')).toBeNull();
  });

  it('says what went wrong when Gantry refuses the filters', async () => {
    api.on('GET /api/v1/dora', problem(404, 'no service belongs to team "ghosts"', 'not_found'), 404);
    await renderPage(api, <DoraPage />, { path: '/dora?team=ghosts' });
    expect((await screen.findByRole('alert')).textContent).toMatch(/no service belongs to team "ghosts"/);
    // The filters stay usable, showing the scope asked for.
    expect(screen.getByLabelText<HTMLSelectElement>('Scope').value).toBe('team:ghosts');
  });
});
