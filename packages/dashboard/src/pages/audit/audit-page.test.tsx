import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditPage as AuditEntries } from '../../api/types';
import { installFakeApi, problem, type FakeApi, type RecordedRequest } from '../../testing/fake-api';
import { renderPage } from '../../testing/render-page';
import { AuditPage } from './audit-page';

type Entry = AuditEntries['items'][number];

function entry(overrides: Partial<Entry> = {}): Entry {
  return {
    id: 41,
    at: '2026-11-30T22:15:07Z',
    actor: 'alice',
    action: 'promotion.abort',
    target: 'promotion/0193a4b2-aaaa',
    reason: 'error rate climbing',
    requestId: 'req-7f3a',
    details: { service: 'checkout', stage: 'prod', version: '2026.11.3' },
    ...overrides,
  };
}

const older = entry({
  id: 12,
  at: '2026-11-29T08:00:00Z',
  actor: 'ci',
  action: 'token.create',
  target: 'token/deploy-bot',
  reason: null,
  requestId: null,
  details: null,
});

let api: FakeApi;
beforeEach(() => {
  api = installFakeApi();
});
afterEach(() => api.restore());

const listed = () => api.requests.filter((r) => r.path === '/api/v1/audit');

describe('AuditPage', () => {
  it('sends the filters in the URL to the API and says them in words', async () => {
    api.on('GET /api/v1/audit', { items: [entry()] });
    await renderPage(api, <AuditPage />, {
      role: 'approver',
      path: '/audit?actor=alice&action=promotion.*&since=24h&until=2026-12-01T00:00:00Z',
    });
    await screen.findByText('error rate climbing');
    expect(Object.fromEntries(listed()[0]!.query)).toEqual({
      actor: 'alice',
      action: 'promotion.*',
      since: '24h',
      until: '2026-12-01T00:00:00Z',
    });
    expect(
      screen.getByText(
        'Audit entries by alice with an action starting with promotion. recorded between 24h ago and 2026-12-01 00:00:00 UTC.',
      ),
    ).toBeTruthy();
  });

  it('shows each entry with its exact time, a link to its promotion, and details on request', async () => {
    const user = userEvent.setup();
    api.on('GET /api/v1/audit', { items: [entry(), older] });
    await renderPage(api, <AuditPage />, { role: 'approver', path: '/audit' });
    const target = await screen.findByRole('link', { name: 'promotion/0193a4b2-aaaa' });
    expect(target.getAttribute('href')).toBe('/promotions/0193a4b2-aaaa');
    const row = within(target.closest('tr')!);
    const at = row.getByRole('rowheader');
    expect(at.querySelector('time')!.getAttribute('datetime')).toBe('2026-11-30T22:15:07Z');
    expect(at.textContent).toMatch(/^2026-11-30 22:15:07 UTC.+ ago$/);
    expect(row.getByText('req-7f3a')).toBeTruthy();

    const toggle = row.getByRole('button', { name: 'Details' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    await user.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const details = document.getElementById(toggle.getAttribute('aria-controls')!)!;
    expect(details.querySelector('pre')!.textContent).toBe(JSON.stringify(entry().details, null, 2));
    expect(within(details).getByText('req-7f3a')).toBeTruthy();

    const tokenRow = within(screen.getByText('token/deploy-bot').closest('tr')!);
    expect(tokenRow.queryByRole('link')).toBeNull();
    expect(tokenRow.queryByRole('button', { name: 'Details' })).toBeNull();
    expect(tokenRow.getByText('none given')).toBeTruthy();
  });

  it('updates the URL and the query from the form', async () => {
    const user = userEvent.setup();
    api.on('GET /api/v1/audit', { items: [entry()] });
    const page = await renderPage(api, <AuditPage />, { role: 'approver', path: '/audit' });
    await screen.findByText('error rate climbing');
    await user.type(screen.getByRole('textbox', { name: 'Target' }), 'promotion/0193a4b2-aaaa');
    await user.type(screen.getByRole('textbox', { name: 'Since' }), '7d{Enter}');
    await waitFor(() => expect(page.location()).toBe('/audit?target=promotion%2F0193a4b2-aaaa&since=7d'));
    await waitFor(() => expect(listed().at(-1)!.query.get('since')).toBe('7d'));
    expect(listed().at(-1)!.query.get('target')).toBe('promotion/0193a4b2-aaaa');
  });

  it('shows the refusal plainly to a role that may not read the log', async () => {
    api.on(
      'GET /api/v1/audit',
      problem(403, 'reading the audit log needs the approver role; this token has viewer', 'forbidden'),
      403,
    );
    await renderPage(api, <AuditPage />, { role: 'viewer', path: '/audit' });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('reading the audit log needs the approver role; this token has viewer');
    expect(screen.queryByRole('search')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Refresh' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull();
  });

  it('appends the next page on Load more, and Refresh adds what is new on top', async () => {
    const user = userEvent.setup();
    let newest = [entry()];
    api.on('GET /api/v1/audit', (request: RecordedRequest) =>
      request.query.get('cursor') === 'c1' ? { items: [older] } : { items: newest, nextCursor: 'c1' },
    );
    await renderPage(api, <AuditPage />, { role: 'admin', path: '/audit?actor=alice' });
    await user.click(await screen.findByRole('button', { name: 'Load more' }));
    await screen.findByText('token/deploy-bot');
    expect(listed().at(-1)!.query.get('cursor')).toBe('c1');
    expect(listed().at(-1)!.query.get('actor')).toBe('alice');

    newest = [entry({ id: 42, reason: 'retry after fix', action: 'promotion.retry' }), entry()];
    await user.click(screen.getByRole('button', { name: 'Refresh' }));
    await screen.findByText('retry after fix');
    const reasons = screen.getAllByRole('row').map((row) => row.textContent);
    expect(
      reasons.filter((text) => /retry after fix|error rate climbing|token\/deploy-bot/.test(text ?? '')),
    ).toHaveLength(3);
    expect(reasons.findIndex((text) => text?.includes('retry after fix'))).toBeLessThan(
      reasons.findIndex((text) => text?.includes('token/deploy-bot')),
    );
  });
});
