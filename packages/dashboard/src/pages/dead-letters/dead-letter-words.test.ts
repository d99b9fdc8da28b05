import { describe, expect, it } from 'vitest';
import {
  deadLetterQuery,
  describeDeadLetterFilters,
  replayAllConsequence,
  replayedWords,
  shownStatus,
} from './dead-letter-words';

describe('dead letter filters', () => {
  it('shows the letters still dead unless told otherwise', () => {
    expect(shownStatus({})).toBe('dead');
    expect(shownStatus({ status: 'bogus' })).toBe('dead');
    expect(shownStatus({ status: 'resolved' })).toBe('resolved');
    expect(shownStatus({ status: 'any' })).toBeUndefined();
    expect(deadLetterQuery({ group: 'dora' })).toEqual({ status: 'dead', group: 'dora' });
    expect(deadLetterQuery({ status: 'any', type: 'incident.opened' })).toEqual({ type: 'incident.opened' });
  });

  it('says them in words; the default is no filter to remove', () => {
    expect(describeDeadLetterFilters({ group: 'dora' })).toEqual({
      sentence: 'Dead letters waiting for a replay of consumer group dora.',
      parts: [{ key: 'group', words: 'group dora' }],
    });
    expect(describeDeadLetterFilters({ status: 'any' }).parts).toEqual([
      { key: 'status', words: 'any state' },
    ]);
  });
});

describe('replays in words', () => {
  it('says what Replay all does and how many are shown', () => {
    expect(replayAllConsequence({}, 1, false)).toBe(
      'Every dead letter still dead goes back to its consumer group, which handles it again. 1 is shown here.',
    );
    expect(replayAllConsequence({ group: 'dora' }, 50, true)).toBe(
      'Every dead letter still dead of consumer group dora goes back to its consumer group, which handles it again. 50 are shown here, and older ones not loaded yet are replayed too.',
    );
  });

  it('counts what was queued', () => {
    expect(replayedWords([{ queued: true }])).toBe('1 dead letter replayed: 1 queued.');
    expect(replayedWords([{ queued: true }, { queued: false }])).toBe(
      '2 dead letters replayed: 1 queued, 1 had already been handled.',
    );
    expect(replayedWords([])).toBe('Nothing to replay: no dead letter matched.');
  });
});
