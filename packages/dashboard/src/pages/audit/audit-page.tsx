import { Link } from 'wouter';
import { api, ApiError, unwrap } from '../../api/client';
import type { AuditPage as AuditEntries } from '../../api/types';
import { exact } from '../../components/time';
import { usePagedList } from '../../data/use-paged-list';
import { ActiveFilters } from '../shared-list/active-filters';
import { FilterForm, type FilterField } from '../shared-list/filter-form';
import { ListTable, type Column } from '../shared-list/list-table';
import { Moment } from '../shared-list/moment';
import { shortId } from '../shared-list/text';
import { TIME_PLACEHOLDER } from '../shared-list/time-words';
import { useUrlFilters } from '../shared-list/use-url-filters';
import { AUDIT_FILTERS, auditQuery, describeAuditFilters, targetHref, type AuditFilter } from './audit-words';
import './audit.css';

type AuditEntry = AuditEntries['items'][number];

const FIELDS: readonly FilterField<AuditFilter>[] = [
  { key: 'actor', label: 'Actor', kind: 'text' },
  { key: 'action', label: 'Action', kind: 'text', placeholder: 'promotion.*' },
  { key: 'target', label: 'Target', kind: 'text', placeholder: 'promotion/…', width: 'wide' },
  { key: 'since', label: 'Since', kind: 'text', placeholder: TIME_PLACEHOLDER, width: 'wide' },
  { key: 'until', label: 'Until', kind: 'text', placeholder: TIME_PLACEHOLDER, width: 'wide' },
];

const COLUMNS: readonly Column<AuditEntry>[] = [
  { header: 'At', rowHeader: true, className: 'nowrap', cell: (entry) => <Moment at={entry.at} stacked /> },
  { header: 'Actor', cell: (entry) => entry.actor },
  { header: 'Action', cell: (entry) => <code>{entry.action}</code> },
  {
    header: 'Target',
    className: 'clip',
    cell: (entry) => {
      const href = targetHref(entry.target);
      return href ? (
        <Link href={href}>
          <code>{entry.target}</code>
        </Link>
      ) : (
        <code>{entry.target}</code>
      );
    },
  },
  {
    header: 'Reason',
    className: 'clip',
    cell: (entry) => entry.reason ?? <span className="muted">none given</span>,
  },
  {
    header: 'Request id',
    cell: (entry) =>
      entry.requestId ? (
        <code title={entry.requestId}>
          {shortId(entry.requestId)}
          {entry.requestId.length > 8 && <span aria-hidden="true">…</span>}
        </code>
      ) : null,
  },
];

/** The entry's request id in full (to find it in Gantry's logs) and its details as JSON. */
function entryDetails(entry: AuditEntry) {
  const details = entry.details && Object.keys(entry.details).length > 0 ? entry.details : undefined;
  if (!details && !entry.requestId) return undefined;
  return (
    <>
      {entry.requestId && (
        <p className="small">
          Request id <code>{entry.requestId}</code>
        </p>
      )}
      {details && <pre>{JSON.stringify(details, null, 2)}</pre>}
    </>
  );
}

/** Who did what to what, and why: the audit log, newest first (approver role or stronger). */
export function AuditPage() {
  const filters = useUrlFilters(AUDIT_FILTERS);
  const list = usePagedList(
    (cursor, signal) =>
      unwrap(
        api.GET('/api/v1/audit', { params: { query: { ...auditQuery(filters.values), cursor } }, signal }),
      ),
    [filters.key],
    { keyOf: (entry) => String(entry.id) },
  );
  const refused = list.error instanceof ApiError && list.error.status === 403 && list.items.length === 0;
  const description = describeAuditFilters(filters.values);
  return (
    <>
      <div className="list-page-head">
        <h1>Audit log</h1>
        {!refused && (
          <div className="actions">
            {list.loadedAt && (
              <span className="muted small">
                Loaded at{' '}
                <time dateTime={list.loadedAt.toISOString()}>
                  {exact(list.loadedAt.toISOString()).slice(11)}
                </time>
              </span>
            )}
            <button type="button" className="button plain" onClick={list.refresh} disabled={list.loading}>
              Refresh
            </button>
          </div>
        )}
      </div>
      {!refused && (
        <>
          <p className="muted small">Who did what to what, and why. Newest first.</p>
          <ActiveFilters description={description} onClear={filters.clear} />
          <FilterForm
            label="Filter the audit log"
            fields={FIELDS}
            values={filters.values}
            onApply={filters.apply}
          />
        </>
      )}
      <ListTable
        caption="Audit entries, newest first"
        noun={{ one: 'audit entry', many: 'audit entries' }}
        columns={COLUMNS}
        list={list}
        keyOf={(entry) => String(entry.id)}
        expand={entryDetails}
        empty={
          description.parts.length > 0
            ? 'No audit entry matches these filters.'
            : 'Nothing has been recorded yet.'
        }
      />
    </>
  );
}
