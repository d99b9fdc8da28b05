import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import type { StatusDto } from '../features/promotions/promotions.dto.js';
import { formatStageCell, formatStatusMatrix, parseInterval, stageColumns } from './status.command.js';

const NOW = Date.parse('2026-11-20T13:00:00Z');

type Cell = StatusDto['items'][number]['stages'][number];

function cell(stage: string, overrides: Partial<Cell> = {}): Cell {
  return {
    stage,
    currentVersion: null,
    since: null,
    activePromotion: null,
    autoHold: null,
    freeze: null,
    ...overrides,
  };
}

function service(name: string, stages: Cell[]): StatusDto['items'][number] {
  return { service: name, team: 'payments', stages };
}

describe('formatStageCell', () => {
  it('shows the current release and how long it has run', () => {
    expect(
      formatStageCell(cell('prod', { currentVersion: '2026.11.3', since: '2026-11-20T10:00:00Z' }), NOW),
    ).toBe('2026.11.3 (3h ago)');
    expect(formatStageCell(cell('prod', { currentVersion: '2026.11.3' }), NOW)).toBe('2026.11.3');
  });

  it('shows what is on its way while a promotion is active', () => {
    const active = { id: 'p1', version: '2026.11.4', phase: 'Applying', message: null };
    expect(
      formatStageCell(
        cell('prod', { currentVersion: '2026.11.3', since: '2026-11-20T10:00:00Z', activePromotion: active }),
        NOW,
      ),
    ).toBe('2026.11.3 → 2026.11.4 Applying');
    expect(formatStageCell(cell('prod', { activePromotion: active }), NOW)).toBe('- → 2026.11.4 Applying');
  });

  it('is a dash for a stage nothing was promoted into', () => {
    expect(formatStageCell(cell('prod'), NOW)).toBe('-');
  });
});

describe('stageColumns', () => {
  it('merges the stages of all services in pipeline order', () => {
    expect(
      stageColumns([
        service('checkout', [cell('develop'), cell('staging'), cell('prod')]),
        service('cart', [cell('develop'), cell('qa'), cell('staging'), cell('prod')]),
        service('search', [cell('preview'), cell('prod')]),
        service('mail', [cell('canary')]),
      ]),
    ).toEqual(['develop', 'qa', 'staging', 'preview', 'prod', 'canary']);
  });
});

describe('formatStatusMatrix', () => {
  it('prints services as rows and stages as columns', () => {
    const status: StatusDto = {
      items: [
        service('checkout', [
          cell('develop', { currentVersion: '2026.11.4', since: '2026-11-20T12:30:00Z' }),
          cell('staging', { currentVersion: '2026.11.3', since: '2026-11-20T10:00:00Z' }),
          cell('prod', {
            currentVersion: '2026.11.2',
            since: '2026-11-18T13:00:00Z',
            activePromotion: { id: 'p1', version: '2026.11.3', phase: 'WaitingForApproval', message: null },
          }),
        ]),
        service('cart', [
          cell('develop', { currentVersion: '2026.11.1', since: '2026-11-20T12:59:30Z' }),
          cell('prod'),
        ]),
      ],
    };
    expect(formatStatusMatrix(status, NOW)).toEqual([
      'SERVICE   DEVELOP              STAGING             PROD',
      'checkout  2026.11.4 (30m ago)  2026.11.3 (3h ago)  2026.11.2 → 2026.11.3 WaitingForApproval',
      'cart      2026.11.1 (30s ago)                      -',
    ]);
  });

  it('lists held auto-promotions under the table', () => {
    const status: StatusDto = {
      items: [
        service('checkout', [
          cell('develop', {
            currentVersion: '2026.11.2',
            since: '2026-11-20T12:00:00Z',
            autoHold: { version: '2026.11.2', actor: 'bob', at: '2026-11-20T12:00:00Z' },
            freeze: { reason: 'year-end', since: '2026-11-20T00:00:00Z', until: '2026-11-23T09:00:00Z' },
          }),
        ]),
      ],
    };
    expect(formatStatusMatrix(status, NOW)).toEqual([
      'SERVICE   DEVELOP',
      'checkout  2026.11.2 (1h ago)',
      'checkout develop: frozen (year-end) until 2026-11-23T09:00:00Z',
      'checkout develop: auto-promotion held since bob promoted 2026.11.2 by hand 1h ago',
    ]);
  });

  it('says how to begin when there are no services', () => {
    expect(formatStatusMatrix({ items: [] }, NOW)).toEqual([
      'No services yet. Declare them in gantry.yaml and run `gantry apply -f gantry.yaml`.',
    ]);
  });
});

describe('parseInterval', () => {
  it.each([
    ['2s', 2_000],
    ['500ms', 500],
    ['1.5s', 1_500],
    ['1m', 60_000],
    ['3', 3_000],
  ])('reads %s', (text, ms) => {
    expect(parseInterval(text)).toBe(ms);
  });

  it.each(['fast', '2h', '-1s', '', '100ms'])('refuses %j', (text) => {
    expect(() => parseInterval(text)).toThrow(InvalidArgumentError);
  });
});
