import { useSearchParams } from 'wouter';
import { api, unwrap } from '../../api/client';
import type { Dora } from '../../api/types';
import { Loaded } from '../../components/status';
import { exact } from '../../components/time';
import { useResource } from '../../data/use-resource';
import type { StreamEvent } from '../../live/event-stream';
import { DoraCards } from './dora-cards';
import { DoraFilterBar, type ScopeChange } from './dora-filter-bar';
import { DEFAULT_WINDOW, filtersFrom } from './dora-figures';
import { DoraWeekly } from './dora-weekly';
import './dora.css';

// The four DORA metrics of the fleet, a team or a service over a window,
// computed by Gantry from its own records. The filters live in the URL, so a
// view can be shared; the figures reload when a promotion or an incident
// changes.

/** A finished promotion or an incident may change the figures. */
const changesFigures = (event: StreamEvent) =>
  event.type === 'promotion.phase-changed' || event.type.startsWith('incident.');

export function DoraPage() {
  const [search, setSearch] = useSearchParams();
  const filters = filtersFrom(search);
  const services = useResource((signal) => unwrap(api.GET('/api/v1/services', { signal })), []);
  const report = useResource(
    (signal) => unwrap(api.GET('/api/v1/dora', { params: { query: filters }, signal })),
    [filters.service, filters.team, filters.window, filters.until],
    // Bursts of phase changes (a rollout in several stages) are one reload.
    { refreshOn: changesFigures, debounceMs: 2000 },
  );

  const update = (change: (next: URLSearchParams) => void) =>
    setSearch((previous) => {
      const next = new URLSearchParams(previous);
      change(next);
      return next;
    });
  const onScope = (scope: ScopeChange) =>
    update((next) => {
      next.delete('service');
      next.delete('team');
      if (scope.service) next.set('service', scope.service);
      if (scope.team) next.set('team', scope.team);
    });
  const onWindow = (window: string) =>
    update((next) => (window === DEFAULT_WINDOW ? next.delete('window') : next.set('window', window)));

  return (
    <article className="dora-page">
      <h1>DORA metrics</h1>
      <DoraFilterBar filters={filters} services={services} onScope={onScope} onWindow={onWindow} />
      <Loaded resource={report}>{(data) => <DoraReport report={data} />}</Loaded>
    </article>
  );
}

function DoraReport({ report }: { report: Dora }) {
  const { scope, window } = report;
  const who = scope.service ? `Service ${scope.service}` : scope.team ? `Team ${scope.team}` : 'All services';
  return (
    <>
      <p className="dora-scope">
        <strong>{who}</strong>, from {exact(window.start)} to {exact(window.end)} ({window.days} days).{' '}
        <span className="muted small">Bands: {report.bandsSource}.</span>
      </p>
      <DoraCards report={report} />
      <DoraWeekly weeks={report.weekly} />
    </>
  );
}
