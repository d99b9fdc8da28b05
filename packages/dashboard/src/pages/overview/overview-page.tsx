import { useDeferredValue, useMemo, useRef } from 'react';
import { useSearchParams } from 'wouter';
import { api, unwrap } from '../../api/client';
import type { ServiceStatus } from '../../api/types';
import { Empty, Loaded } from '../../components/status';
import { Ago } from '../../components/time';
import type { StreamEvent } from '../../live/event-stream';
import { useResource } from '../../data/use-resource';
import {
  countOverview,
  describeCounts,
  filterFromSearch,
  filterServices,
  isFiltered,
  NO_FILTER,
  searchFromFilter,
  shareUnchanged,
  stageColumns,
  teamsOf,
  type OverviewFilter,
} from './overview-model';
import { OverviewFilters } from './overview-filters';
import { ServiceCards } from './service-cards';
import { StatusMatrix } from './status-matrix';
import { useMediaQuery } from './use-media-query';
import './overview.css';

// The first page: every service × stage, what runs there and what is on its
// way, with the counts that matter in the heading. It reloads when a
// promotion, rollout or release changes, and every minute for freeze windows
// that open or close by the clock.

const PHONE = '(max-width: 640px)';
const FREEZE_CHECK_MS = 60_000;

function changesStatus(event: StreamEvent): boolean {
  return (
    event.type.startsWith('promotion.') ||
    event.type === 'rollout.progressed' ||
    event.type === 'release.registered'
  );
}

export function OverviewPage() {
  const status = useResource((signal) => unwrap(api.GET('/api/v1/status', { signal })), [], {
    refreshOn: changesStatus,
    pollMs: FREEZE_CHECK_MS,
  });
  const services = useSharedServices(status.data?.items);
  const counts = useMemo(() => (services ? describeCounts(countOverview(services)) : undefined), [services]);
  return (
    <>
      <h1>
        Overview
        {counts && (
          <span className="overview-counts">
            <span className="visually-hidden">: </span>
            {counts}
          </span>
        )}
      </h1>
      <Loaded resource={status}>
        {() => services && <OverviewBody services={services} loadedAt={status.loadedAt} />}
      </Loaded>
    </>
  );
}

/** The loaded matrix, with unchanged services kept as the same objects from one load to the next. */
function useSharedServices(items: ServiceStatus[] | undefined): ServiceStatus[] | undefined {
  const previous = useRef<ServiceStatus[] | undefined>(undefined);
  return useMemo(() => {
    if (!items) return undefined;
    previous.current = shareUnchanged(previous.current, items);
    return previous.current;
  }, [items]);
}

function OverviewBody({ services, loadedAt }: { services: ServiceStatus[]; loadedAt: Date | undefined }) {
  const [search, setSearch] = useSearchParams();
  const filter = useMemo(() => filterFromSearch(search), [search]);
  const setFilter = (next: OverviewFilter) => setSearch(searchFromFilter(next), { replace: true });
  const phone = useMediaQuery(PHONE);

  const columns = useStableColumns(services);
  const teams = useMemo(() => teamsOf(services), [services]);
  // Typing stays quick with many services: the list catches up a moment later.
  const deferred = useDeferredValue(filter);
  const shown = useMemo(() => filterServices(services, deferred), [services, deferred]);

  if (services.length === 0) {
    return (
      <Empty>
        No services yet. Declare them in gantry.yaml and run <code>gantry apply -f gantry.yaml</code>.
      </Empty>
    );
  }
  return (
    <>
      <OverviewFilters filter={filter} teams={teams} onChange={setFilter} />
      <p className="overview-shown muted small">
        <span role="status">
          {isFiltered(filter)
            ? `Showing ${shown.length} of ${services.length} services`
            : `${services.length} service${services.length === 1 ? '' : 's'}`}
        </span>
        {loadedAt && (
          <>
            {' '}
            · updated <Ago at={loadedAt.toISOString()} />
          </>
        )}
      </p>
      {shown.length === 0 ? (
        <div className="empty">
          <p className="muted">
            {filter.attention && !filter.text && !filter.team
              ? 'Nothing needs attention: no promotion is on its way, no stage is frozen or on hold.'
              : 'No service matches these filters.'}
          </p>
          <button type="button" className="button plain" onClick={() => setFilter(NO_FILTER)}>
            Show every service
          </button>
        </div>
      ) : phone ? (
        <ServiceCards services={shown} />
      ) : (
        <StatusMatrix services={shown} columns={columns} />
      )}
    </>
  );
}

/** The stage columns, as the same array while they stay the same (so memoised rows keep). */
function useStableColumns(services: ServiceStatus[]): string[] {
  const computed = useMemo(() => stageColumns(services), [services]);
  const key = computed.join('\n');
  return useMemo(() => computed, [key]);
}
