import type { Promotion } from '../../api/types';

// A promotion's timeline: its phase changes and its approvers' decisions in
// the order they happened, oldest first.

export type Transition = NonNullable<Promotion['transitions']>[number];
export type Decision = NonNullable<Promotion['decisions']>[number];

export type TimelineEntry = ({ kind: 'transition' } & Transition) | ({ kind: 'decision' } & Decision);

export function timeline(
  transitions: readonly Transition[] = [],
  decisions: readonly Decision[] = [],
): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    ...transitions.map((transition) => ({ kind: 'transition' as const, ...transition })),
    ...decisions.map((decision) => ({ kind: 'decision' as const, ...decision })),
  ];
  // A decision and the phase change it causes share their time: the decision comes first.
  const order = (entry: TimelineEntry) => (entry.kind === 'decision' ? 0 : 1);
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort(
      (a, b) =>
        Date.parse(a.entry.at) - Date.parse(b.entry.at) ||
        order(a.entry) - order(b.entry) ||
        a.index - b.index,
    )
    .map(({ entry }) => entry);
}
