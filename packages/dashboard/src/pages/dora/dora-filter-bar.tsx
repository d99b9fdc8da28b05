import type { Services } from '../../api/types';
import type { Resource } from '../../data/use-resource';
import { WINDOWS, type DoraFilters } from './dora-figures';

// What the figures cover: the whole fleet, a team or a service (Gantry
// computes one scope at a time), over a window ending now.

const WINDOW_WORDS: Record<string, string> = {
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  '90d': 'Last 90 days',
  '365d': 'Last 365 days',
};

export interface ScopeChange {
  service?: string;
  team?: string;
}

export function DoraFilterBar({
  filters,
  services,
  onScope,
  onWindow,
}: {
  filters: DoraFilters;
  services: Resource<Services>;
  onScope: (scope: ScopeChange) => void;
  onWindow: (window: string) => void;
}) {
  const items = services.data?.items ?? [];
  const names = new Set(items.map((item) => item.name));
  if (filters.service) names.add(filters.service);
  const teams = new Set(items.map((item) => item.team));
  if (filters.team) teams.add(filters.team);
  const teamOf = new Map(items.map((item) => [item.name, item.team]));
  const scope = filters.service ? `service:${filters.service}` : filters.team ? `team:${filters.team}` : '';
  const windows: string[] = [...WINDOWS];
  if (!windows.includes(filters.window)) windows.push(filters.window);

  return (
    <form className="filters" aria-label="Filters" onSubmit={(event) => event.preventDefault()}>
      <label className="field">
        <span>Scope</span>
        <select
          value={scope}
          onChange={(event) => {
            const [kind, name] = event.target.value.split(':');
            onScope(kind === 'service' ? { service: name } : kind === 'team' ? { team: name } : {});
          }}
        >
          <option value="">All services</option>
          <optgroup label="Teams">
            {[...teams].sort().map((team) => (
              <option key={team} value={`team:${team}`}>
                Team {team}
              </option>
            ))}
          </optgroup>
          <optgroup label="Services">
            {[...names].sort().map((name) => (
              <option key={name} value={`service:${name}`}>
                {name}
                {teamOf.has(name) ? ` (${teamOf.get(name)})` : ''}
              </option>
            ))}
          </optgroup>
        </select>
      </label>
      <label className="field">
        <span>Window</span>
        <select value={filters.window} onChange={(event) => onWindow(event.target.value)}>
          {windows.map((window) => (
            <option key={window} value={window}>
              {WINDOW_WORDS[window] ?? `Last ${window}`}
            </option>
          ))}
        </select>
      </label>
      {services.error && (
        <p className="small muted" role="status">
          The list of services could not be loaded ({services.error.message}); the scope in the address still
          applies.
        </p>
      )}
    </form>
  );
}
