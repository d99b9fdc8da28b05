import { describe, expect, it } from 'vitest';
import { timeline } from './timeline';

describe('timeline', () => {
  it('merges phase changes and decisions by time, a decision before the change it caused', () => {
    const entries = timeline(
      [
        {
          from: 'WaitingForApproval',
          to: 'Applying',
          actor: 'erin',
          reason: 'approved',
          at: '2026-12-03T10:04:00Z',
        },
        { from: null, to: 'Pending', actor: 'dana', reason: 'requested', at: '2026-12-03T10:00:00Z' },
      ],
      [
        { actor: 'frank', decision: 'approved', comment: null, at: '2026-12-03T10:02:00Z' },
        { actor: 'erin', decision: 'approved', comment: 'ok', at: '2026-12-03T10:04:00Z' },
      ],
    );
    expect(entries.map((entry) => `${entry.kind} ${entry.actor}`)).toEqual([
      'transition dana',
      'decision frank',
      'decision erin',
      'transition erin',
    ]);
  });

  it('is empty without records', () => {
    expect(timeline(undefined, undefined)).toEqual([]);
  });
});
