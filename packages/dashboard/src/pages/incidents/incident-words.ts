import type { IncidentPage } from '../../api/types';
import type { Tone } from '../../components/phase';
import { sentence, type FilterDescription, type FilterPart } from '../shared-list/filter-words';
import { rangeWords, sinceWords, untilWords } from '../shared-list/time-words';
import type { FilterValues } from '../shared-list/url-filters';

// The incidents list's filters, and what Gantry did about an incident, in words.

export const INCIDENT_FILTERS = ['status', 'service', 'stage', 'openedSince', 'openedUntil'] as const;
export type IncidentFilter = (typeof INCIDENT_FILTERS)[number];
export type IncidentFilters = FilterValues<IncidentFilter>;

export type IncidentRow = IncidentPage['items'][number];
export type IncidentRollback = NonNullable<IncidentRow['rollback']>;

type Query = {
  status?: 'open' | 'resolved';
  service?: string;
  stage?: string;
  openedSince?: string;
  openedUntil?: string;
};

/** The API query for these filters (a status other than open/resolved is left out). */
export function incidentQuery(filters: IncidentFilters): Query {
  const query: Query = {};
  if (filters.status === 'open' || filters.status === 'resolved') query.status = filters.status;
  for (const key of ['service', 'stage', 'openedSince', 'openedUntil'] as const) {
    if (filters[key]) query[key] = filters[key];
  }
  return query;
}

/** "Open incidents of service checkout in stage prod opened in the last 7d." */
export function describeIncidentFilters(filters: IncidentFilters): FilterDescription<IncidentFilter> {
  const subject =
    filters.status === 'open'
      ? 'Open incidents'
      : filters.status === 'resolved'
        ? 'Resolved incidents'
        : 'Incidents';
  const text = sentence(subject, [
    filters.service && `of service ${filters.service}`,
    filters.stage && `in stage ${filters.stage}`,
    rangeWords('opened', filters.openedSince, filters.openedUntil),
  ]);
  const parts: FilterPart<IncidentFilter>[] = [];
  const add = (key: IncidentFilter, words: (value: string) => string) => {
    const value = filters[key];
    if (value) parts.push({ key, words: words(value) });
  };
  add('status', (v) => (v === 'open' || v === 'resolved' ? `${v} only` : `status ${v}`));
  add('service', (v) => `service ${v}`);
  add('stage', (v) => `stage ${v}`);
  add('openedSince', (v) => sinceWords('opened', v));
  add('openedUntil', (v) => untilWords('opened', v));
  return { sentence: text, parts };
}

export interface RollbackWords {
  tone: Tone;
  glyph: string;
  /** What Gantry did, in a few words. */
  headline: string;
  /** The promotion it concerns, and what to call it: "rollback promotion". */
  promotion?: { id: string; label: string };
}

/** What Gantry did about the incident's promotion. */
export function rollbackWords(rollback: IncidentRollback): RollbackWords {
  const promotionId = rollback.promotionId ?? undefined;
  switch (rollback.action) {
    case 'withdrawn':
      return {
        tone: 'active',
        glyph: '↩',
        headline: 'Rolled back in place',
        promotion: promotionId ? { id: promotionId, label: 'withdrawn promotion' } : undefined,
      };
    case 'promoted':
      return {
        tone: 'active',
        glyph: '↩',
        headline: 'Rollback started',
        promotion: promotionId ? { id: promotionId, label: 'rollback promotion' } : undefined,
      };
    case 'pending':
      return {
        tone: 'waiting',
        glyph: '⏸',
        headline: 'Rollback pending',
        promotion: promotionId ? { id: promotionId, label: 'promotion it waits for' } : undefined,
      };
    case 'skipped':
      return { tone: 'neutral', glyph: '–', headline: 'Not rolled back' };
  }
}
