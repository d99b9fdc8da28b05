import type { FilterDescription } from './filter-words';
import './shared-list.css';

/** The list's filters as a sentence, with a button to remove each one. */
export function ActiveFilters<K extends string>({
  description,
  onClear,
}: {
  description: FilterDescription<K>;
  onClear: (keys: K[]) => void;
}) {
  const { sentence, parts } = description;
  return (
    <section className="active-filters" aria-label="Active filters">
      <p className="filter-sentence">{sentence}</p>
      {parts.length > 0 && (
        <ul className="filter-chips">
          {parts.map((part) => (
            <li key={part.key}>
              <button
                type="button"
                className="filter-chip"
                aria-label={`Remove filter: ${part.words}`}
                onClick={() => onClear([part.key])}
              >
                {part.words} <span aria-hidden="true">×</span>
              </button>
            </li>
          ))}
          {parts.length > 1 && (
            <li>
              <button
                type="button"
                className="link-button"
                onClick={() => onClear(parts.map((part) => part.key))}
              >
                Clear all filters
              </button>
            </li>
          )}
        </ul>
      )}
    </section>
  );
}
