import { Link } from 'wouter';
import { api, unwrap } from '../../api/client';
import type { PromotionPage } from '../../api/types';
import { phaseWords } from '../../components/phase';
import { PhaseBadge } from '../../components/phase-badge';
import { Ago } from '../../components/time';
import { usePagedList } from '../../data/use-paged-list';
import { ActiveFilters } from '../shared-list/active-filters';
import { FilterForm, type FilterField } from '../shared-list/filter-form';
import { ListTable, type Column } from '../shared-list/list-table';
import { truncate } from '../shared-list/text';
import { TIME_PLACEHOLDER } from '../shared-list/time-words';
import { useUrlFilters } from '../shared-list/use-url-filters';
import {
  describePromotionFilters,
  PROMOTION_FILTERS,
  PROMOTION_PHASES,
  promotionQuery,
  type PromotionFilter,
} from './promotion-filters';

type PromotionRow = PromotionPage['items'][number];

const FIELDS: readonly FilterField<PromotionFilter>[] = [
  { key: 'service', label: 'Service', kind: 'text' },
  { key: 'team', label: 'Team', kind: 'text' },
  { key: 'stage', label: 'Stage', kind: 'text' },
  {
    key: 'phase',
    label: 'Phase',
    kind: 'multi',
    options: PROMOTION_PHASES.map((phase) => ({ value: phase, label: phaseWords(phase) })),
  },
  {
    key: 'production',
    label: 'Stages',
    kind: 'select',
    options: [
      { value: '', label: 'all stages' },
      { value: 'true', label: 'production stages' },
      { value: 'false', label: 'non-production stages' },
    ],
  },
  {
    key: 'deployment',
    label: 'Production deployments',
    kind: 'select',
    options: [
      { value: '', label: 'any promotion' },
      { value: 'true', label: 'only those DORA counts' },
      { value: 'false', label: 'all but those' },
    ],
  },
  {
    key: 'finishedSince',
    label: 'Finished since',
    kind: 'text',
    placeholder: TIME_PLACEHOLDER,
    width: 'wide',
  },
  {
    key: 'finishedUntil',
    label: 'Finished before',
    kind: 'text',
    placeholder: TIME_PLACEHOLDER,
    width: 'wide',
  },
];

const COLUMNS: readonly Column<PromotionRow>[] = [
  { header: 'Service', rowHeader: true, cell: (p) => p.service },
  { header: 'Stage', cell: (p) => p.stage },
  {
    header: 'Version',
    className: 'nowrap',
    cell: (p) => (
      <Link href={`/promotions/${encodeURIComponent(p.id)}`}>
        {p.version}
        <span className="visually-hidden">
          {' '}
          of {p.service} into {p.stage}
        </span>
      </Link>
    ),
  },
  { header: 'Phase', cell: (p) => <PhaseBadge phase={p.phase} /> },
  {
    header: 'Trigger',
    cell: (p) =>
      p.trigger === 'rollback' ? (
        <span className="badge tone-neutral">
          <span aria-hidden="true">↩</span> rollback
        </span>
      ) : (
        p.trigger
      ),
  },
  { header: 'Requested by', cell: (p) => p.requestedBy },
  { header: 'Created', className: 'nowrap', cell: (p) => <Ago at={p.createdAt} /> },
  {
    header: 'Finished',
    className: 'nowrap',
    cell: (p) => (p.finishedAt ? <Ago at={p.finishedAt} /> : <span className="muted">not yet</span>),
  },
  {
    header: 'Message',
    className: 'clip',
    cell: (p) => (p.message ? <span title={p.message}>{truncate(p.message, 140)}</span> : null),
  },
];

/** Every promotion, newest first, filtered by what the URL says (the DORA page links here). */
export function PromotionsPage() {
  const filters = useUrlFilters(PROMOTION_FILTERS);
  const list = usePagedList(
    (cursor, signal) =>
      unwrap(
        api.GET('/api/v1/promotions', {
          params: { query: { ...promotionQuery(filters.values), cursor } },
          signal,
        }),
      ),
    [filters.key],
    { keyOf: (p) => p.id, refreshOn: (event) => event.type.startsWith('promotion.') },
  );
  const description = describePromotionFilters(filters.values);
  return (
    <>
      <div className="list-page-head">
        <h1>Promotions</h1>
      </div>
      <ActiveFilters description={description} onClear={filters.clear} />
      <FilterForm label="Filter promotions" fields={FIELDS} values={filters.values} onApply={filters.apply} />
      <ListTable
        caption="Promotions, newest first"
        noun={{ one: 'promotion', many: 'promotions' }}
        columns={COLUMNS}
        list={list}
        keyOf={(p) => p.id}
        empty={description.parts.length > 0 ? 'No promotion matches these filters.' : 'No promotion yet.'}
      />
    </>
  );
}
