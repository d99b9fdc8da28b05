import { sentence, type FilterDescription, type FilterPart } from '../shared-list/filter-words';
import { rangeWords, sinceWords, untilWords } from '../shared-list/time-words';
import type { FilterValues } from '../shared-list/url-filters';

// The audit log's filters (the API's own names), and where an entry's target
// can be looked at in the dashboard.

export const AUDIT_FILTERS = ['actor', 'action', 'target', 'since', 'until'] as const;
export type AuditFilter = (typeof AUDIT_FILTERS)[number];
export type AuditFilters = FilterValues<AuditFilter>;

export function auditQuery(filters: AuditFilters): AuditFilters {
  const query: AuditFilters = {};
  for (const key of AUDIT_FILTERS) if (filters[key]) query[key] = filters[key];
  return query;
}

/** `promotion.*` matches by prefix, anything else exactly. */
function matchWords(noun: string, value: string): string {
  return value.endsWith('*') ? `${noun} starting with ${value.slice(0, -1)}` : `${noun} ${value}`;
}

/** "Audit entries by alice with an action starting with promotion. recorded in the last 24h." */
export function describeAuditFilters(filters: AuditFilters): FilterDescription<AuditFilter> {
  const text = sentence('Audit entries', [
    filters.actor && `by ${filters.actor}`,
    filters.action &&
      `with ${filters.action.endsWith('*') ? 'an ' : ''}${matchWords('action', filters.action)}`,
    filters.target &&
      `about ${filters.target.endsWith('*') ? 'a ' : ''}${matchWords('target', filters.target)}`,
    rangeWords('recorded', filters.since, filters.until),
  ]);
  const parts: FilterPart<AuditFilter>[] = [];
  const add = (key: AuditFilter, words: (value: string) => string) => {
    const value = filters[key];
    if (value) parts.push({ key, words: words(value) });
  };
  add('actor', (v) => `actor ${v}`);
  add('action', (v) => matchWords('action', v));
  add('target', (v) => matchWords('target', v));
  add('since', (v) => sinceWords('recorded', v));
  add('until', (v) => untilWords('recorded', v));
  return { sentence: text, parts };
}

const PAGES: Record<string, string> = {
  promotion: '/promotions/',
  incident: '/incidents/',
  service: '/services/',
};

/** The dashboard page of an audit target (`promotion/<id>` → `/promotions/<id>`), when it has one. */
export function targetHref(target: string): string | undefined {
  const slash = target.indexOf('/');
  if (slash <= 0) return undefined;
  const page = PAGES[target.slice(0, slash)];
  const id = target.slice(slash + 1);
  if (!page || !id || id.includes('/')) return undefined;
  return `${page}${encodeURIComponent(id)}`;
}
