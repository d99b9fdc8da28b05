import { Link, useSearch } from 'wouter';
import { api, unwrap } from '../../api/client';
import { Ago } from '../../components/time';
import { usePagedList } from '../../data/use-paged-list';
import { ActiveFilters } from '../shared-list/active-filters';
import { FilterForm, type FilterField } from '../shared-list/filter-form';
import { ListTable, type Column } from '../shared-list/list-table';
import { shortId } from '../shared-list/text';
import { TIME_PLACEHOLDER } from '../shared-list/time-words';
import { keepSearch } from '../shared-list/url-filters';
import { useUrlFilters } from '../shared-list/use-url-filters';
import { IncidentDetails } from './incident-details';
import { IncidentRollbackOutcome } from './incident-rollback';
import { IncidentStatus } from './incident-status';
import {
  describeIncidentFilters,
  INCIDENT_FILTERS,
  incidentQuery,
  type IncidentFilter,
  type IncidentRow,
} from './incident-words';
import './incidents.css';

const FIELDS: readonly FilterField<IncidentFilter>[] = [
  {
    key: 'status',
    label: 'Status',
    kind: 'select',
    options: [
      { value: '', label: 'open and resolved' },
      { value: 'open', label: 'open' },
      { value: 'resolved', label: 'resolved' },
    ],
  },
  { key: 'service', label: 'Service', kind: 'text' },
  { key: 'stage', label: 'Stage', kind: 'text' },
  { key: 'openedSince', label: 'Opened since', kind: 'text', placeholder: TIME_PLACEHOLDER, width: 'wide' },
  { key: 'openedUntil', label: 'Opened before', kind: 'text', placeholder: TIME_PLACEHOLDER, width: 'wide' },
];

function columns(search: string): Column<IncidentRow>[] {
  return [
    {
      header: 'Incident',
      rowHeader: true,
      className: 'clip',
      cell: (incident) => (
        <Link href={`/incidents/${encodeURIComponent(incident.id)}${keepSearch(search)}`}>
          {incident.title}
        </Link>
      ),
    },
    { header: 'Status', cell: (incident) => <IncidentStatus status={incident.status} /> },
    { header: 'Severity', cell: (incident) => incident.severity ?? <span className="muted">—</span> },
    {
      header: 'Service / stage',
      cell: (incident) => (
        <>
          {incident.service ?? <span className="muted">no service</span>}
          {incident.stage && ` / ${incident.stage}`}
        </>
      ),
    },
    {
      header: 'Opened',
      className: 'nowrap',
      cell: (incident) => (
        <>
          <Ago at={incident.openedAt} />
          <div className="small muted">by {incident.openedBy}</div>
        </>
      ),
    },
    {
      header: 'Resolved',
      className: 'nowrap',
      cell: (incident) =>
        incident.resolvedAt ? (
          <>
            <Ago at={incident.resolvedAt} />
            {incident.resolvedBy && <div className="small muted">by {incident.resolvedBy}</div>}
          </>
        ) : (
          <span className="muted">not yet</span>
        ),
    },
    {
      header: 'Caused by',
      className: 'nowrap',
      cell: (incident) =>
        incident.promotionId ? (
          <Link href={`/promotions/${encodeURIComponent(incident.promotionId)}`}>
            promotion <code>{shortId(incident.promotionId)}</code>
          </Link>
        ) : (
          <span className="muted">—</span>
        ),
    },
    {
      header: 'What Gantry did',
      className: 'clip',
      cell: (incident) => <IncidentRollbackOutcome rollback={incident.rollback} />,
    },
  ];
}

/** Incidents, newest first; `/incidents/<id>` shows one above the list. */
export function IncidentsPage({ selected }: { selected?: string }) {
  const search = useSearch();
  const filters = useUrlFilters(INCIDENT_FILTERS);
  const list = usePagedList(
    (cursor, signal) =>
      unwrap(
        api.GET('/api/v1/incidents', {
          params: { query: { ...incidentQuery(filters.values), cursor } },
          signal,
        }),
      ),
    [filters.key],
    { keyOf: (incident) => incident.id, refreshOn: (event) => event.type.startsWith('incident.') },
  );
  const description = describeIncidentFilters(filters.values);
  return (
    <>
      <div className="list-page-head">
        <h1>Incidents</h1>
      </div>
      {selected && (
        <IncidentDetails
          id={selected}
          closeHref={`/incidents${keepSearch(search)}`}
          onChanged={list.refresh}
        />
      )}
      <ActiveFilters description={description} onClear={filters.clear} />
      <FilterForm label="Filter incidents" fields={FIELDS} values={filters.values} onApply={filters.apply} />
      <ListTable
        caption="Incidents, newest first"
        noun={{ one: 'incident', many: 'incidents' }}
        columns={columns(search)}
        list={list}
        keyOf={(incident) => incident.id}
        rowClassName={(incident) => (incident.status === 'open' ? 'incident-open' : undefined)}
        isSelected={(incident) => incident.id === selected}
        empty={description.parts.length > 0 ? 'No incident matches these filters.' : 'No incident yet.'}
      />
    </>
  );
}
