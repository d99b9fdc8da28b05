import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installFakeApi, problem, type FakeApi, type RecordedRequest } from '../../testing/fake-api';
import { renderPage } from '../../testing/render-page';
import type { DeadLetterRow } from './dead-letter-words';
import { DeadLettersPage } from './dead-letters-page';

const ID = '0193a4b2-0000-7000-8000-000000000001';

function letter(overrides: Partial<DeadLetterRow> = {}): DeadLetterRow {
  return {
    id: ID,
    consumerGroup: 'notifications',
    eventId: '0193a4b2-0000-7000-8000-00000000e001',
    type: 'promotion.phase-changed',
    key: 'checkout/prod',
    status: 'dead',
    attempts: 8,
    lastError: `Error: POST https://hooks.example/ answered 503 Service Unavailable\n    at deliver (notifications.ts:120)\n${'    at frame\n'.repeat(20)}`,
    occurredAt: '2026-11-30T23:00:00Z',
    firstFailedAt: '2026-11-30T23:00:01Z',
    deadAt: '2026-11-30T23:20:00Z',
    replayCount: 0,
    lastReplayedAt: null,
    resolvedAt: null,
    schemaVersion: 1,
    payload: { promotionId: 'p-1', service: 'checkout', stage: 'prod', to: 'Failed' },
    headers: { traceparent: '00-abc-def-01', 'x-gantry-attempt': '8' },
    ...overrides,
  };
}

const other = letter({
  id: '0193a4b2-0000-7000-8000-000000000002',
  consumerGroup: 'dora',
  type: 'incident.opened',
  lastError: 'Error: deadlock detected',
});

let api: FakeApi;
beforeEach(() => {
  api = installFakeApi();
});
afterEach(() => {
  vi.useRealTimers();
  api.restore();
});

const listed = () => api.requests.filter((r) => r.path === '/api/v1/dead-letters');

describe('DeadLettersPage', () => {
  it('lists the letters still dead unless the URL asks for another state', async () => {
    api.on('GET /api/v1/dead-letters', { items: [letter()] });
    await renderPage(api, <DeadLettersPage />, { role: 'viewer', path: '/dead-letters?group=notifications' });
    await screen.findByRole('link', { name: 'promotion.phase-changed' });
    expect(Object.fromEntries(listed()[0]!.query)).toEqual({ status: 'dead', group: 'notifications' });
    expect(
      screen.getByText('Dead letters waiting for a replay of consumer group notifications.'),
    ).toBeTruthy();
    const checked = screen.getByText(
      (_, element) =>
        element?.tagName === 'P' &&
        /checks every 10 s, last at \d\d:\d\d:\d\d UTC\./.test(element.textContent),
    );
    expect(checked.querySelector('time')).toBeTruthy();
  });

  it('asks for every state with status=any', async () => {
    api.on('GET /api/v1/dead-letters', { items: [letter()] });
    await renderPage(api, <DeadLettersPage />, {
      role: 'viewer',
      path: '/dead-letters?status=any&type=promotion.phase-changed',
    });
    await screen.findByRole('link', { name: 'promotion.phase-changed' });
    expect(Object.fromEntries(listed()[0]!.query)).toEqual({ type: 'promotion.phase-changed' });
    expect(screen.getByRole('button', { name: 'Remove filter: any state' })).toBeTruthy();
  });

  it('shows each letter with its group, attempts and the start of its last error', async () => {
    api.on('GET /api/v1/dead-letters', { items: [letter(), other] });
    await renderPage(api, <DeadLettersPage />, { role: 'viewer', path: '/dead-letters' });
    const row = within((await screen.findByRole('link', { name: 'promotion.phase-changed' })).closest('tr')!);
    expect(row.getByText('notifications')).toBeTruthy();
    expect(row.getByText('8')).toBeTruthy();
    const error = row.getByText(/answered 503 Service Unavailable/);
    expect(error.textContent.length).toBeLessThanOrEqual(120);
    expect(error.textContent).toMatch(/…$/);
    expect(row.getByText('dead').closest('.badge')!.className).toContain('tone-bad');
    expect(screen.getByRole('link', { name: 'promotion.phase-changed' }).getAttribute('href')).toBe(
      `/dead-letters/${ID}`,
    );
  });

  it('shows the selected letter: payload as JSON, headers and the whole error', async () => {
    api.on('GET /api/v1/dead-letters', { items: [letter()] });
    api.on(`GET /api/v1/dead-letters/${ID}`, letter());
    await renderPage(api, <DeadLettersPage selected={ID} />, { role: 'viewer', path: `/dead-letters/${ID}` });
    const details = within(await screen.findByRole('region', { name: 'Dead letter' }));
    await details.findByRole('heading', { name: /promotion\.phase-changed/ });
    const pres = details.getAllByText((_, element) => element?.tagName === 'PRE');
    expect(pres.map((pre) => pre.textContent)).toEqual([
      letter().lastError,
      JSON.stringify(letter().payload, null, 2),
    ]);
    expect(details.getByRole('rowheader', { name: 'traceparent' })).toBeTruthy();
    expect(details.getByText('00-abc-def-01')).toBeTruthy();
    expect(details.queryByRole('button', { name: 'Replay' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Replay all matching' })).toBeNull();
  });

  it('replays one letter for an admin, and shows the refusal when Gantry says no', async () => {
    const user = userEvent.setup();
    api.on('GET /api/v1/dead-letters', { items: [letter()] });
    api.on(`GET /api/v1/dead-letters/${ID}`, letter());
    api.on(
      `POST /api/v1/dead-letters/${ID}/replay`,
      problem(403, 'replaying dead letters needs the admin role', 'forbidden'),
      403,
    );
    await renderPage(api, <DeadLettersPage selected={ID} />, { role: 'admin', path: `/dead-letters/${ID}` });
    await user.click(await screen.findByRole('button', { name: 'Replay' }));
    const dialog = within(screen.getByRole('dialog', { name: 'Replay?' }));
    expect(
      dialog.getByText('The event goes back to consumer group notifications, which handles it again.'),
    ).toBeTruthy();
    await user.click(dialog.getByRole('button', { name: 'Replay' }));
    await waitFor(() =>
      expect(dialog.getByRole('alert').textContent).toBe('replaying dead letters needs the admin role'),
    );

    api.on(
      `POST /api/v1/dead-letters/${ID}/replay`,
      { deadLetter: letter({ status: 'replaying' }), queued: true },
      202,
    );
    api.on(`GET /api/v1/dead-letters/${ID}`, letter({ status: 'replaying', replayCount: 1 }));
    await user.click(dialog.getByRole('button', { name: 'Replay' }));
    await screen.findByText('Queued: consumer group notifications handles the event again.');
    const posts = api.requests.filter((r) => r.method === 'POST');
    expect(posts.map((r) => r.path)).toEqual([
      `/api/v1/dead-letters/${ID}/replay`,
      `/api/v1/dead-letters/${ID}/replay`,
    ]);
    expect(posts[1]!.headers.get('idempotency-key')).toBeTruthy();
  });

  it('replays all matching after saying how many are shown', async () => {
    const user = userEvent.setup();
    let items = [letter(), letter({ id: '0193a4b2-0000-7000-8000-000000000003' })];
    api.on('GET /api/v1/dead-letters', () => ({ items, nextCursor: items.length ? 'older' : undefined }));
    api.on(
      'POST /api/v1/dead-letters/replay',
      () => {
        const result = {
          items: [
            { deadLetter: items[0], queued: true },
            { deadLetter: items[1], queued: true },
            { deadLetter: items[1], queued: false },
          ],
        };
        items = [];
        return result;
      },
      202,
    );
    await renderPage(api, <DeadLettersPage />, {
      role: 'admin',
      path: '/dead-letters?group=notifications&type=promotion.phase-changed',
    });
    await user.click(await screen.findByRole('button', { name: 'Replay all matching' }));
    const dialog = within(screen.getByRole('dialog', { name: 'Replay all matching?' }));
    expect(
      dialog.getByText(
        'Every dead letter still dead of consumer group notifications of event type promotion.phase-changed goes back to its consumer group, which handles it again. 2 are shown here, and older ones not loaded yet are replayed too.',
      ),
    ).toBeTruthy();
    await user.click(dialog.getByRole('button', { name: 'Replay all matching' }));
    await screen.findByText('3 dead letters replayed: 2 queued, 1 had already been handled.');
    await screen.findByText('No dead letter matches these filters.');
    const posts = api.requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body).toEqual({ group: 'notifications', type: 'promotion.phase-changed' });
  });

  it('does not offer Replay all for letters that are not dead', async () => {
    api.on('GET /api/v1/dead-letters', { items: [letter({ status: 'resolved' })] });
    await renderPage(api, <DeadLettersPage />, { role: 'admin', path: '/dead-letters?status=resolved' });
    await screen.findByRole('link', { name: 'promotion.phase-changed' });
    expect(screen.queryByRole('button', { name: 'Replay all matching' })).toBeNull();
  });

  it('appends the next page on Load more', async () => {
    const user = userEvent.setup();
    api.on('GET /api/v1/dead-letters', (request: RecordedRequest) =>
      request.query.get('cursor') === 'older'
        ? { items: [other] }
        : { items: [letter()], nextCursor: 'older' },
    );
    await renderPage(api, <DeadLettersPage />, { role: 'viewer', path: '/dead-letters?group=notifications' });
    await user.click(await screen.findByRole('button', { name: 'Load more' }));
    await screen.findByRole('link', { name: 'incident.opened' });
    expect(screen.getByRole('link', { name: 'promotion.phase-changed' })).toBeTruthy();
    expect(Object.fromEntries(listed().at(-1)!.query)).toEqual({
      status: 'dead',
      group: 'notifications',
      cursor: 'older',
    });
  });

  it('checks again every 10 seconds', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let items = [letter()];
    api.on('GET /api/v1/dead-letters', () => ({ items }));
    await renderPage(api, <DeadLettersPage />, { role: 'viewer', path: '/dead-letters' });
    await screen.findByRole('link', { name: 'promotion.phase-changed' });
    items = [other, letter()];
    await act(() => vi.advanceTimersByTimeAsync(10_000));
    await screen.findByRole('link', { name: 'incident.opened' });
  });
});
