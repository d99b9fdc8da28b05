import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installFakeApi, problem, type FakeApi, type RecordedRequest } from '../../testing/fake-api';
import { renderPage } from '../../testing/render-page';
import type { IncidentRow } from './incident-words';
import { IncidentsPage } from './incidents-page';

function incident(overrides: Partial<IncidentRow> = {}): IncidentRow {
  return {
    id: 'i-1',
    source: 'alertmanager',
    fingerprint: 'fp-1',
    title: 'HighErrorRate checkout',
    service: 'checkout',
    stage: 'prod',
    status: 'open',
    severity: 'critical',
    url: 'https://alerts.example/alert/1',
    labels: { alertname: 'HighErrorRate', team: 'payments' },
    promotionId: '0193a4b2-7c1d-7e55-9f00-aaaaaaaaaaaa',
    openedBy: 'alertmanager',
    openedAt: '2026-11-30T23:50:00Z',
    resolvedBy: null,
    resolvedAt: null,
    rollback: {
      action: 'promoted',
      promotionId: '0193a4b2-7c1d-7e55-9f00-bbbbbbbbbbbb',
      reason: 'rollback for incident HighErrorRate checkout',
      at: '2026-11-30T23:50:02Z',
    },
    ...overrides,
  };
}

const resolvedOne = incident({
  id: 'i-2',
  title: 'Latency staging',
  stage: 'staging',
  status: 'resolved',
  resolvedAt: '2026-11-29T10:00:00Z',
  resolvedBy: 'bob',
  rollback: {
    action: 'skipped',
    promotionId: null,
    reason: 'not rolled back: staging is not production',
    at: '2026-11-29T09:00:00Z',
  },
});

let api: FakeApi;
beforeEach(() => {
  api = installFakeApi();
});
afterEach(() => api.restore());

const listed = () => api.requests.filter((r) => r.path === '/api/v1/incidents');

describe('IncidentsPage', () => {
  it('sends the filters in the URL to the API and says them in words', async () => {
    api.on('GET /api/v1/incidents', { items: [incident()] });
    await renderPage(api, <IncidentsPage />, {
      role: 'viewer',
      path: '/incidents?status=open&service=checkout&stage=prod&openedSince=7d&openedUntil=2026-12-01T00:00:00Z',
    });
    await screen.findByRole('link', { name: 'HighErrorRate checkout' });
    expect(Object.fromEntries(listed()[0]!.query)).toEqual({
      status: 'open',
      service: 'checkout',
      stage: 'prod',
      openedSince: '7d',
      openedUntil: '2026-12-01T00:00:00Z',
    });
    expect(
      screen.getByText(
        'Open incidents of service checkout in stage prod opened between 7d ago and 2026-12-01 00:00:00 UTC.',
      ),
    ).toBeTruthy();
  });

  it('shows open incidents apart, the promotion that caused each, and what Gantry did', async () => {
    api.on('GET /api/v1/incidents', { items: [incident(), resolvedOne] });
    await renderPage(api, <IncidentsPage />, { role: 'viewer', path: '/incidents?stage=prod' });
    const open = within((await screen.findByRole('link', { name: 'HighErrorRate checkout' })).closest('tr')!);
    expect(open.getByText('open').closest('.badge')!.className).toContain('tone-bad');
    expect(open.getByRole('link', { name: 'promotion 0193a4b2' }).getAttribute('href')).toBe(
      '/promotions/0193a4b2-7c1d-7e55-9f00-aaaaaaaaaaaa',
    );
    expect(open.getByText('Rollback started')).toBeTruthy();
    expect(open.getByRole('link', { name: 'rollback promotion 0193a4b2' }).getAttribute('href')).toBe(
      '/promotions/0193a4b2-7c1d-7e55-9f00-bbbbbbbbbbbb',
    );
    expect(open.getByRole('link', { name: 'HighErrorRate checkout' }).getAttribute('href')).toBe(
      '/incidents/i-1?stage=prod',
    );

    const resolved = within(screen.getByRole('link', { name: 'Latency staging' }).closest('tr')!);
    expect(resolved.getByText('resolved').closest('.badge')!.className).toContain('tone-ok');
    expect(resolved.getByText('Not rolled back')).toBeTruthy();
    expect(resolved.getByText('not rolled back: staging is not production')).toBeTruthy();
    expect(resolved.getByText('by bob')).toBeTruthy();
  });

  it('shows the selected incident with its labels and its link out', async () => {
    api.on('GET /api/v1/incidents', { items: [incident(), resolvedOne] });
    api.on('GET /api/v1/incidents/i-1', incident());
    await renderPage(api, <IncidentsPage selected="i-1" />, {
      role: 'viewer',
      path: '/incidents/i-1?status=open',
    });
    const details = within(await screen.findByRole('region', { name: 'Incident' }));
    await details.findByRole('heading', { name: /HighErrorRate checkout/ });
    const out = details.getByRole('link', { name: /alerts\.example/ });
    expect(out.getAttribute('href')).toBe('https://alerts.example/alert/1');
    expect(out.getAttribute('rel')).toContain('noopener');
    expect(out.getAttribute('target')).toBe('_blank');
    expect(details.getByRole('rowheader', { name: 'team' })).toBeTruthy();
    expect(details.getByText('payments')).toBeTruthy();
    expect(details.getByRole('link', { name: '← All incidents' }).getAttribute('href')).toBe(
      '/incidents?status=open',
    );
    expect(
      screen
        .getByRole('link', { name: 'HighErrorRate checkout' })
        .closest('tr')!
        .getAttribute('aria-current'),
    ).toBe('true');
  });

  it('does not show a link out that is not http(s)', async () => {
    api.on('GET /api/v1/incidents', { items: [] });
    api.on('GET /api/v1/incidents/i-1', incident({ url: 'javascript:alert(1)' }));
    await renderPage(api, <IncidentsPage selected="i-1" />, { role: 'viewer', path: '/incidents/i-1' });
    const details = within(await screen.findByRole('region', { name: 'Incident' }));
    await details.findByText('javascript:alert(1)');
    expect(details.queryByRole('link', { name: /javascript/ })).toBeNull();
  });

  it('offers Resolve only to roles that may resolve', async () => {
    api.on('GET /api/v1/incidents', { items: [incident()] });
    api.on('GET /api/v1/incidents/i-1', incident());
    await renderPage(api, <IncidentsPage selected="i-1" />, { role: 'viewer', path: '/incidents/i-1' });
    await screen.findByRole('heading', { name: /HighErrorRate checkout/ });
    expect(screen.queryByRole('button', { name: 'Resolve' })).toBeNull();
  });

  it('resolves with the reason given, and shows the refusal when Gantry says no', async () => {
    const user = userEvent.setup();
    let current = incident();
    api.on('GET /api/v1/incidents', () => ({ items: [current] }));
    api.on('GET /api/v1/incidents/i-1', () => current);
    api.on(
      'POST /api/v1/incidents/i-1/resolve',
      problem(409, 'incident i-1 was already resolved by bob at 2026-12-01T00:00:00.000Z'),
      409,
    );
    await renderPage(api, <IncidentsPage selected="i-1" />, { role: 'deployer', path: '/incidents/i-1' });
    await user.click(await screen.findByRole('button', { name: 'Resolve' }));
    const dialog = within(screen.getByRole('dialog', { name: 'Resolve?' }));
    expect(dialog.getByText(/“HighErrorRate checkout” is marked resolved now/)).toBeTruthy();
    await user.type(dialog.getByLabelText('Reason (optional)'), 'error rate back to normal');
    await user.click(dialog.getByRole('button', { name: 'Resolve' }));
    await waitFor(() => expect(dialog.getByRole('alert').textContent).toMatch(/already resolved by bob/));

    const posts: RecordedRequest[] = api.requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body).toEqual({ reason: 'error rate back to normal' });
    expect(posts[0]!.headers.get('idempotency-key')).toBeTruthy();

    api.on('POST /api/v1/incidents/i-1/resolve', () => {
      current = incident({ status: 'resolved', resolvedAt: '2026-12-01T00:01:00Z', resolvedBy: 'alice' });
      return current;
    });
    await user.click(dialog.getByRole('button', { name: 'Resolve' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Resolve' })).toBeNull());
    expect(
      within(screen.getByRole('region', { name: 'Incident' })).getByText('by alice', { exact: false }),
    ).toBeTruthy();
  });

  it('appends the next page on Load more', async () => {
    const user = userEvent.setup();
    api.on('GET /api/v1/incidents', (request: RecordedRequest) =>
      request.query.get('cursor') === 'next'
        ? { items: [resolvedOne] }
        : { items: [incident()], nextCursor: 'next' },
    );
    await renderPage(api, <IncidentsPage />, { role: 'viewer', path: '/incidents?service=checkout' });
    await user.click(await screen.findByRole('button', { name: 'Load more' }));
    await screen.findByRole('link', { name: 'Latency staging' });
    expect(screen.getByRole('link', { name: 'HighErrorRate checkout' })).toBeTruthy();
    expect(listed().at(-1)!.query.get('cursor')).toBe('next');
    expect(listed().at(-1)!.query.get('service')).toBe('checkout');
  });

  it('says when the list could not be loaded, and tries again when asked', async () => {
    const user = userEvent.setup();
    api.on('GET /api/v1/incidents', problem(503, 'the database is not answering', 'unavailable'), 503);
    await renderPage(api, <IncidentsPage />, { role: 'viewer', path: '/incidents' });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/Could not load the incidents: the database is not answering/);
    api.on('GET /api/v1/incidents', { items: [incident()] });
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    await screen.findByRole('link', { name: 'HighErrorRate checkout' });
  });

  it('reloads when an incident opens', async () => {
    let items = [resolvedOne];
    api.on('GET /api/v1/incidents', () => ({ items }));
    await renderPage(api, <IncidentsPage />, { role: 'viewer', path: '/incidents' });
    await screen.findByRole('link', { name: 'Latency staging' });
    items = [incident(), resolvedOne];
    api.emit({ type: 'incident.opened', payload: { incidentId: 'i-1' } });
    await screen.findByRole('link', { name: 'HighErrorRate checkout' }, { timeout: 3000 });
  });
});
