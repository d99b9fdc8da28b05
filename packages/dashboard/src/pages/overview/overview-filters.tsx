import { useId } from 'react';
import type { OverviewFilter } from './overview-model';

// The overview's filters. Their state lives in the URL (the page passes it
// in and writes it back), so a link or a reload shows the same services.

export function OverviewFilters({
  filter,
  teams,
  onChange,
}: {
  filter: OverviewFilter;
  teams: string[];
  onChange: (filter: OverviewFilter) => void;
}) {
  const textId = useId();
  const teamId = useId();
  return (
    <form role="search" aria-label="Filter services" className="filters" onSubmit={(e) => e.preventDefault()}>
      <label htmlFor={textId} className="field">
        <span>Service or team</span>
        <input
          id={textId}
          type="search"
          value={filter.text}
          placeholder="e.g. checkout"
          autoComplete="off"
          spellCheck={false}
          onChange={(event) => onChange({ ...filter, text: event.target.value })}
        />
      </label>
      <label htmlFor={teamId} className="field">
        <span>Team</span>
        <select
          id={teamId}
          value={filter.team}
          onChange={(event) => onChange({ ...filter, team: event.target.value })}
        >
          <option value="">All teams</option>
          {teams.map((team) => (
            <option key={team} value={team}>
              {team}
            </option>
          ))}
          {filter.team && !teams.includes(filter.team) && <option value={filter.team}>{filter.team}</option>}
        </select>
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={filter.attention}
          onChange={(event) => onChange({ ...filter, attention: event.target.checked })}
        />{' '}
        Only what needs attention
      </label>
    </form>
  );
}
