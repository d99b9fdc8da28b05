import { phaseWords } from '../../components/phase';
import type { PromotionPhase } from '../../api/types';
import { sentence, type FilterDescription, type FilterPart } from '../shared-list/filter-words';
import { listWords } from '../shared-list/text';
import { rangeWords, sinceWords, untilWords } from '../shared-list/time-words';
import { splitList, type FilterValues } from '../shared-list/url-filters';

// The promotions list's filters: the API's query parameters, kept in the URL
// (the DORA page links here with them), and what they mean in words.

export const PROMOTION_FILTERS = [
  'service',
  'team',
  'stage',
  'phase',
  'production',
  'deployment',
  'finishedSince',
  'finishedUntil',
] as const;
export type PromotionFilter = (typeof PROMOTION_FILTERS)[number];
export type PromotionFilters = FilterValues<PromotionFilter>;

export const PROMOTION_PHASES: readonly PromotionPhase[] = [
  'Pending',
  'WaitingForGates',
  'WaitingForApproval',
  'Applying',
  'Verifying',
  'Succeeded',
  'Failed',
  'Rejected',
  'Aborted',
  'RolledBack',
];

type Query = {
  service?: string;
  team?: string;
  stage?: string;
  phase?: string;
  production?: 'true' | 'false';
  deployment?: 'true' | 'false';
  finishedSince?: string;
  finishedUntil?: string;
};

function flag(value: string | undefined): 'true' | 'false' | undefined {
  return value === 'true' || value === 'false' ? value : undefined;
}

/** The API query for these filters (flags other than true/false are left out). */
export function promotionQuery(filters: PromotionFilters): Query {
  const query: Query = {};
  for (const key of ['service', 'team', 'stage', 'phase', 'finishedSince', 'finishedUntil'] as const) {
    if (filters[key]) query[key] = filters[key];
  }
  const production = flag(filters.production);
  if (production) query.production = production;
  const deployment = flag(filters.deployment);
  if (deployment) query.deployment = deployment;
  return query;
}

function phasesWords(value: string): string {
  const phases = splitList(value).map(phaseWords);
  return `${phases.length > 1 ? 'phases' : 'phase'} ${listWords(phases)}`;
}

/** "Production deployments of team payments finished between … and …", and one part per filter. */
export function describePromotionFilters(filters: PromotionFilters): FilterDescription<PromotionFilter> {
  const deployment = flag(filters.deployment);
  const production = flag(filters.production);
  const subject =
    deployment === 'true'
      ? 'Production deployments'
      : deployment === 'false'
        ? 'Promotions other than production deployments'
        : production === 'true'
          ? 'Promotions into production stages'
          : production === 'false'
            ? 'Promotions into non-production stages'
            : 'Promotions';
  const productionClause =
    deployment && production
      ? production === 'true'
        ? 'into production stages'
        : 'into non-production stages'
      : undefined;
  const text = sentence(subject, [
    filters.phase && `in ${phasesWords(filters.phase)}`,
    filters.service && `of service ${filters.service}`,
    filters.team && `of team ${filters.team}`,
    filters.stage && `into stage ${filters.stage}`,
    productionClause,
    rangeWords('finished', filters.finishedSince, filters.finishedUntil),
  ]);

  const parts: FilterPart<PromotionFilter>[] = [];
  const add = (key: PromotionFilter, words: (value: string) => string) => {
    const value = filters[key];
    if (value) parts.push({ key, words: words(value) });
  };
  add('deployment', (v) =>
    v === 'true'
      ? 'production deployments only'
      : v === 'false'
        ? 'not production deployments'
        : `deployment ${v}`,
  );
  add('production', (v) =>
    v === 'true' ? 'production stages' : v === 'false' ? 'non-production stages' : `production ${v}`,
  );
  add('phase', phasesWords);
  add('service', (v) => `service ${v}`);
  add('team', (v) => `team ${v}`);
  add('stage', (v) => `stage ${v}`);
  add('finishedSince', (v) => sinceWords('finished', v));
  add('finishedUntil', (v) => untilWords('finished', v));
  return { sentence: text, parts };
}
