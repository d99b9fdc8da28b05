import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PromotionPage } from '../../api/types';
import { installFakeApi, problem, type FakeApi } from '../../testing/fake-api';
import { renderPage } from '../../testing/render-page';
import { PromotionsPage } from './promotions-page';

type Row = PromotionPage['items'][number];

function promotion(overrides: Partial<Row> = {}): Row {
  return {
    id: 'p-1',
    service: 'checkout',
    stage: 'prod',
    version: '2026.11.3',
    releaseId: 'r-1',
    phase: 'Succeeded',
    trigger: 'manual',
    requestedBy: 'alice',
    reason: null,
    message: null,
    appliedRevision: null,
    pipelineRevision: 1,
    freezeOverride: null,
    createdAt: '2026-11-20T10:00:00Z',
    updatedAt: '2026-11-20T10:05:00Z',
    finishedAt: '2026-11-20T10:05:00Z',
    ...overrides,
  };
}

let api: FakeApi;
beforeEach(() => {
  api = installFakeApi();
});
afterEach(() => api.restore());

const listed = () => api.requests.filter((r) => r.path === '/api/v1/promotions');

describe('PromotionsPage', () => {
  it('sends the filters of a DORA link to the API and says them in words', async () => {
    api.on('GET /api/v1/promotions', { items: [promotion()] });
    await renderPage(api, <PromotionsPage />, {
      role: 'viewer',
      path: '/promotions?deployment=true&team=payments&finishedSince=2026-11-01T00:00:00Z&finishedUntil=2026-12-01T00:00:00Z',
    });
    await screen.findByRole('link', { name: /2026\.11\.3/ });
    const query = listed()[0]!.query;
    expect(Object.fromEntries(query)).toEqual({
      deployment: 'true',
      team: 'payments',
      finishedSince: '2026-11-01T00:00:00Z',
      finishedUntil: '2026-12-01T00:00:00Z',
    });
    const filters = within(screen.getByRole('region', { name: 'Active filters' }));
    expect(
      filters.getByText(
        'Production deployments of team payments finished between 2026-11-01 00:00:00 UTC and 2026-12-01 00:00:00 UTC.',
      ),
    ).toBeTruthy();
  });

  it('shows each promotion with its phase in words and a link to it', async () => {
    api.on('GET /api/v1/promotions', {
      items: [
        promotion(),
        promotion({
          id: 'p-2',
          version: '2026.11.4',
          phase: 'RolledBack',
          trigger: 'rollback',
          finishedAt: null,
          message: 'analysis error-rate failed: 0.09 > 0.05',
        }),
      ],
    });
    await renderPage(api, <PromotionsPage />, { role: 'viewer', path: '/promotions' });
    const link = await screen.findByRole('link', { name: '2026.11.4 of checkout into prod' });
    expect(link.getAttribute('href')).toBe('/promotions/p-2');
    const row = within(link.closest('tr')!);
    expect(row.getByText('rolled back')).toBeTruthy();
    expect(row.getByText('rollback')).toBeTruthy();
    expect(row.getByText('not yet')).toBeTruthy();
    expect(row.getByText('analysis error-rate failed: 0.09 > 0.05')).toBeTruthy();
    expect(screen.getByText('Promotions.')).toBeTruthy();
  });

  it('applies the form to the URL and the API, and removes one filter at a time', async () => {
    const user = userEvent.setup();
    api.on('GET /api/v1/promotions', { items: [promotion()] });
    const page = await renderPage(api, <PromotionsPage />, {
      role: 'viewer',
      path: '/promotions?stage=prod',
    });
    await screen.findByRole('link', { name: /2026\.11\.3/ });

    await user.type(screen.getByRole('textbox', { name: 'Service' }), 'checkout');
    await user.click(
      screen.getByText(
        (_, element) => element?.tagName === 'SUMMARY' && element.textContent === 'Phase: any',
      ),
    );
    await user.click(screen.getByRole('checkbox', { name: 'failed' }));
    await user.click(screen.getByRole('checkbox', { name: 'rolled back' }));
    await waitFor(() =>
      expect(page.location()).toBe('/promotions?stage=prod&service=checkout&phase=Failed%2CRolledBack'),
    );
    await waitFor(() => expect(listed().at(-1)!.query.get('phase')).toBe('Failed,RolledBack'));
    expect(listed().at(-1)!.query.get('service')).toBe('checkout');
    expect(
      screen.getByText('Promotions in phases failed or rolled back of service checkout into stage prod.'),
    ).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Remove filter: stage prod' }));
    await waitFor(() => expect(listed().at(-1)!.query.has('stage')).toBe(false));
    expect(page.location()).toBe('/promotions?service=checkout&phase=Failed%2CRolledBack');
    expect(screen.getByRole('textbox', { name: 'Stage' })).toHaveProperty('value', '');
  });

  it('appends the next page on Load more', async () => {
    api.on('GET /api/v1/promotions', (request: { query: URLSearchParams }) =>
      request.query.get('cursor') === 'c2'
        ? { items: [promotion({ id: 'p-old', version: '2026.10.9' })] }
        : { items: [promotion()], nextCursor: 'c2' },
    );
    const user = userEvent.setup();
    await renderPage(api, <PromotionsPage />, { role: 'viewer', path: '/promotions?service=checkout' });
    await user.click(await screen.findByRole('button', { name: 'Load more' }));
    await screen.findByRole('link', { name: /2026\.10\.9/ });
    expect(screen.getByRole('link', { name: /2026\.11\.3/ })).toBeTruthy();
    expect(listed().at(-1)!.query.get('service')).toBe('checkout');
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    expect(screen.getByText(/2 promotions shown/)).toBeTruthy();
  });

  it('reloads when a promotion changes phase', async () => {
    let version = '2026.11.3';
    api.on('GET /api/v1/promotions', () => ({ items: [promotion({ version })] }));
    await renderPage(api, <PromotionsPage />, { role: 'viewer', path: '/promotions' });
    await screen.findByRole('link', { name: /2026\.11\.3/ });
    version = '2026.11.5';
    api.emit({ type: 'promotion.phase-changed', payload: { promotionId: 'p-1' } });
    // The stream's reload waits out a debounce: allow for a busy machine.
    await screen.findByRole('link', { name: /2026\.11\.5/ }, { timeout: 3000 });
  });

  it('keeps showing the list, saying it is stale, when a refresh fails', async () => {
    api.on('GET /api/v1/promotions', { items: [promotion()] });
    await renderPage(api, <PromotionsPage />, { role: 'viewer', path: '/promotions' });
    await screen.findByRole('link', { name: /2026\.11\.3/ });
    api.on('GET /api/v1/promotions', problem(503, 'the database is not answering', 'unavailable'), 503);
    api.emit({ type: 'promotion.requested' });
    const alert = await screen.findByRole('alert', {}, { timeout: 3000 });
    expect(alert.textContent).toMatch(
      /Showing what was loaded .* ago: the last request failed \(the database is not answering\)/,
    );
    expect(screen.getByRole('link', { name: /2026\.11\.3/ })).toBeTruthy();
  });

  it('says why the list could not be loaded', async () => {
    api.on(
      'GET /api/v1/promotions',
      problem(
        400,
        'Invalid query parameter finishedSince: is neither an ISO 8601 time nor a duration',
        'bad-request',
      ),
      400,
    );
    await renderPage(api, <PromotionsPage />, {
      role: 'viewer',
      path: '/promotions?finishedSince=yesterday',
    });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(
      /Gantry did not accept these filters: Invalid query parameter finishedSince/,
    );
    expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull();
    expect(screen.getByText('Promotions finished since “yesterday”.')).toBeTruthy();
  });
});
