import { useState } from 'react';
import { Link, useSearch } from 'wouter';
import { api, unwrap } from '../../api/client';
import { Ago, exact } from '../../components/time';
import { usePagedList } from '../../data/use-paged-list';
import { ActiveFilters } from '../shared-list/active-filters';
import { FilterForm, type FilterField } from '../shared-list/filter-form';
import { ListTable, type Column } from '../shared-list/list-table';
import { truncate } from '../shared-list/text';
import { keepSearch, withoutFilters } from '../shared-list/url-filters';
import { useUrlFilters } from '../shared-list/use-url-filters';
import { DeadLetterDetails } from './dead-letter-details';
import { DeadLetterStatusBadge } from './dead-letter-status';
import {
  DEAD_LETTER_FILTERS,
  deadLetterQuery,
  describeDeadLetterFilters,
  shownStatus,
  type DeadLetterFilter,
  type DeadLetterRow,
} from './dead-letter-words';
import { POLL_MS } from './poll';
import { ReplayAll } from './replay-all';

function fields(items: readonly DeadLetterRow[]): FilterField<DeadLetterFilter>[] {
  const unique = (values: string[]) => [...new Set(values)].sort();
  return [
    {
      key: 'status',
      label: 'Status',
      kind: 'select',
      options: [
        { value: '', label: 'dead (needs a replay)' },
        { value: 'replaying', label: 'replaying' },
        { value: 'resolved', label: 'resolved' },
        { value: 'any', label: 'any state' },
      ],
    },
    {
      key: 'group',
      label: 'Consumer group',
      kind: 'text',
      width: 'wide',
      suggestions: unique(items.map((letter) => letter.consumerGroup)),
    },
    {
      key: 'type',
      label: 'Event type',
      kind: 'text',
      width: 'wide',
      suggestions: unique(items.map((letter) => letter.type)),
    },
  ];
}

function columns(search: string): Column<DeadLetterRow>[] {
  return [
    {
      header: 'Event type',
      rowHeader: true,
      cell: (letter) => (
        <Link href={`/dead-letters/${encodeURIComponent(letter.id)}${keepSearch(search)}`}>
          {letter.type}
        </Link>
      ),
    },
    { header: 'Consumer group', cell: (letter) => <code>{letter.consumerGroup}</code> },
    {
      header: 'Status',
      cell: (letter) => (
        <>
          <DeadLetterStatusBadge status={letter.status} />
          {letter.replayCount > 0 && <div className="small muted">replayed {letter.replayCount}×</div>}
        </>
      ),
    },
    { header: 'Attempts', cell: (letter) => letter.attempts },
    {
      header: 'Last error',
      className: 'clip',
      cell: (letter) => <span title={letter.lastError}>{truncate(letter.lastError, 120)}</span>,
    },
    { header: 'Dead since', className: 'nowrap', cell: (letter) => <Ago at={letter.deadAt} /> },
  ];
}

/** Events a consumer group gave up on; `/dead-letters/<id>` shows one above the list. */
export function DeadLettersPage({ selected }: { selected?: string }) {
  const search = useSearch();
  const filters = useUrlFilters(DEAD_LETTER_FILTERS);
  const list = usePagedList(
    (cursor, signal) =>
      unwrap(
        api.GET('/api/v1/dead-letters', {
          params: { query: { ...deadLetterQuery(filters.values), cursor } },
          signal,
        }),
      ),
    [filters.key],
    { keyOf: (letter) => letter.id, pollMs: POLL_MS },
  );
  // What the last "Replay all matching" did, for the filters it was about.
  const [replayed, setReplayed] = useState<{ filters: string; words: string } | undefined>();
  // status=dead is what no status means: the form shows it as the default.
  const formValues =
    filters.values.status === 'dead' ? withoutFilters(filters.values, ['status']) : filters.values;
  const description = describeDeadLetterFilters(filters.values);
  return (
    <>
      <div className="list-page-head">
        <h1>Dead letters</h1>
        <div className="actions">
          {shownStatus(filters.values) === 'dead' && list.items.length > 0 && (
            <ReplayAll
              filters={filters.values}
              shown={list.items.length}
              moreNotLoaded={list.hasMore}
              onReplayed={(words) => {
                setReplayed({ filters: filters.key, words });
                list.refresh();
              }}
            />
          )}
        </div>
      </div>
      <p className="muted small">
        Events a consumer group gave up on after its retries. No event announces them: this page checks every{' '}
        {POLL_MS / 1000} s
        {list.loadedAt && (
          <>
            , last at{' '}
            <time dateTime={list.loadedAt.toISOString()}>{exact(list.loadedAt.toISOString()).slice(11)}</time>
          </>
        )}
        .{' '}
        <button type="button" className="link-button" onClick={list.refresh}>
          Check now
        </button>
      </p>
      {replayed?.filters === filters.key && (
        <p role="status" className="notice">
          {replayed.words}
        </p>
      )}
      {selected && (
        <DeadLetterDetails
          id={selected}
          closeHref={`/dead-letters${keepSearch(search)}`}
          onChanged={list.refresh}
        />
      )}
      <ActiveFilters description={description} onClear={filters.clear} />
      <FilterForm
        label="Filter dead letters"
        fields={fields(list.items)}
        values={formValues}
        onApply={filters.apply}
      />
      <ListTable
        caption="Dead letters, newest first"
        noun={{ one: 'dead letter', many: 'dead letters' }}
        columns={columns(search)}
        list={list}
        keyOf={(letter) => letter.id}
        isSelected={(letter) => letter.id === selected}
        empty={
          description.parts.length > 0
            ? 'No dead letter matches these filters.'
            : 'No dead letter is waiting for a replay.'
        }
      />
    </>
  );
}
