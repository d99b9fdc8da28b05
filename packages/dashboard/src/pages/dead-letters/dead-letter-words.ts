import type { DeadLetterPage } from '../../api/types';
import type { Tone } from '../../components/phase';
import { sentence, type FilterDescription, type FilterPart } from '../shared-list/filter-words';
import { count } from '../shared-list/text';
import type { FilterValues } from '../shared-list/url-filters';

// The dead letters list's filters, and the words of its replays. Without a
// status in the URL the list shows the letters still dead: the ones that need
// someone; `status=any` shows every state.

export const DEAD_LETTER_FILTERS = ['status', 'group', 'type'] as const;
export type DeadLetterFilter = (typeof DEAD_LETTER_FILTERS)[number];
export type DeadLetterFilters = FilterValues<DeadLetterFilter>;

export type DeadLetterRow = DeadLetterPage['items'][number];
export type DeadLetterStatus = DeadLetterRow['status'];

const STATUSES: readonly DeadLetterStatus[] = ['dead', 'replaying', 'resolved'];

/** The state the list shows: `dead` unless the URL says otherwise, `undefined` for any state. */
export function shownStatus(filters: DeadLetterFilters): DeadLetterStatus | undefined {
  if (filters.status === 'any') return undefined;
  return STATUSES.find((status) => status === filters.status) ?? 'dead';
}

export function deadLetterQuery(filters: DeadLetterFilters): {
  status?: DeadLetterStatus;
  group?: string;
  type?: string;
} {
  const status = shownStatus(filters);
  return {
    ...(status ? { status } : {}),
    ...(filters.group ? { group: filters.group } : {}),
    ...(filters.type ? { type: filters.type } : {}),
  };
}

const SUBJECTS: Record<DeadLetterStatus | 'any', string> = {
  dead: 'Dead letters waiting for a replay',
  replaying: 'Dead letters being replayed',
  resolved: 'Dead letters a replay resolved',
  any: 'Dead letters in any state',
};

export function describeDeadLetterFilters(filters: DeadLetterFilters): FilterDescription<DeadLetterFilter> {
  const status = shownStatus(filters);
  const text = sentence(SUBJECTS[status ?? 'any'], [
    filters.group && `of consumer group ${filters.group}`,
    filters.type && `of event type ${filters.type}`,
  ]);
  const parts: FilterPart<DeadLetterFilter>[] = [];
  // The default (dead) is no filter to remove.
  if (status !== 'dead') parts.push({ key: 'status', words: status ? `${status} only` : 'any state' });
  if (filters.group) parts.push({ key: 'group', words: `group ${filters.group}` });
  if (filters.type) parts.push({ key: 'type', words: `type ${filters.type}` });
  return { sentence: text, parts };
}

export const STATUS_TONES: Record<DeadLetterStatus, Tone> = {
  dead: 'bad',
  replaying: 'active',
  resolved: 'ok',
};

/** What "Replay all matching" does, with how many of them the list shows. */
export function replayAllConsequence(
  filters: DeadLetterFilters,
  shown: number,
  moreNotLoaded: boolean,
): string {
  const which = [
    filters.group && `of consumer group ${filters.group}`,
    filters.type && `of event type ${filters.type}`,
  ].filter(Boolean);
  const more = moreNotLoaded ? ', and older ones not loaded yet are replayed too' : '';
  return (
    `Every dead letter still dead${which.length ? ` ${which.join(' ')}` : ''} goes back to its consumer group, ` +
    `which handles it again. ${shown} ${shown === 1 ? 'is' : 'are'} shown here${more}.`
  );
}

/** The outcome of a replay of several letters: "3 replayed: 2 queued, 1 had already been handled." */
export function replayedWords(results: readonly { queued: boolean }[]): string {
  const queued = results.filter((result) => result.queued).length;
  const handled = results.length - queued;
  if (results.length === 0) return 'Nothing to replay: no dead letter matched.';
  const parts = [`${queued} queued`];
  if (handled > 0) parts.push(`${handled} had already been handled`);
  return `${count(results.length, { one: 'dead letter', many: 'dead letters' })} replayed: ${parts.join(', ')}.`;
}
