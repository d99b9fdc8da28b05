import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { splitList, type FilterValues } from './url-filters';
import './shared-list.css';

// The filters of a list as a form. Text fields apply on Enter or with the
// Apply button; choices (selects, checkboxes) apply as soon as they change.
// The form shows what the URL says, and follows it when it changes.

export interface FilterOption {
  value: string;
  label: string;
}

interface FieldBase<K extends string> {
  key: K;
  label: string;
}

export type FilterField<K extends string> =
  | (FieldBase<K> & {
      kind: 'text';
      placeholder?: string;
      /** Values to suggest while typing (a datalist). */
      suggestions?: readonly string[];
      /** Narrow fields for short values such as times. */
      width?: 'narrow' | 'wide';
    })
  /** One choice; an option with value '' stands for "any" (the filter is left out). */
  | (FieldBase<K> & { kind: 'select'; options: readonly FilterOption[] })
  /** Several choices, written comma-separated (`Failed,RolledBack`). */
  | (FieldBase<K> & { kind: 'multi'; options: readonly FilterOption[] });

export interface FilterFormProps<K extends string> {
  /** What the form filters, for its accessible name: "Filter promotions". */
  label: string;
  fields: readonly FilterField<K>[];
  values: FilterValues<NoInfer<K>>;
  onApply: (values: FilterValues<NoInfer<K>>) => void;
}

export function FilterForm<K extends string>({ label, fields, values, onApply }: FilterFormProps<K>) {
  const [draft, setDraft] = useState<FilterValues<K>>(values);
  // When the URL changes (Back, a cleared filter, a link), the form follows it.
  const shown = JSON.stringify(values);
  const [following, setFollowing] = useState(shown);
  if (following !== shown) {
    setFollowing(shown);
    setDraft(values);
  }

  const change = (key: K, value: string, applyNow: boolean) => {
    const next = { ...draft, [key]: value };
    setDraft(next);
    if (applyNow) onApply(next);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(draft);
  };

  return (
    <form role="search" aria-label={label} className="filter-form filters" onSubmit={submit}>
      {fields.map((field) => {
        const value = draft[field.key] ?? '';
        switch (field.kind) {
          case 'text':
            return (
              <TextFilter
                key={field.key}
                field={field}
                value={value}
                onChange={(v) => change(field.key, v, false)}
              />
            );
          case 'select':
            return (
              <label key={field.key} className="field">
                <span>{field.label}</span>
                <select value={value} onChange={(event) => change(field.key, event.target.value, true)}>
                  {field.options.map((option) => (
                    <option key={option.value} value={option.value}>
                      {option.label}
                    </option>
                  ))}
                </select>
              </label>
            );
          case 'multi':
            return (
              <MultiFilter
                key={field.key}
                label={field.label}
                options={field.options}
                value={value}
                onChange={(v) => change(field.key, v, true)}
              />
            );
        }
      })}
      <div className="filter-buttons">
        <button type="submit" className="button primary">
          Apply
        </button>
      </div>
    </form>
  );
}

function TextFilter<K extends string>({
  field,
  value,
  onChange,
}: {
  field: Extract<FilterField<K>, { kind: 'text' }>;
  value: string;
  onChange: (value: string) => void;
}) {
  const listId = useId();
  const suggestions = field.suggestions ?? [];
  return (
    <label className={`field ${field.width ?? ''}`}>
      <span>{field.label}</span>
      <input
        type="text"
        value={value}
        placeholder={field.placeholder}
        maxLength={200}
        autoComplete="off"
        spellCheck={false}
        list={suggestions.length > 0 ? listId : undefined}
        onChange={(event) => onChange(event.target.value)}
      />
      {suggestions.length > 0 && (
        <datalist id={listId}>
          {suggestions.map((suggestion) => (
            <option key={suggestion} value={suggestion} />
          ))}
        </datalist>
      )}
    </label>
  );
}

/** Checkboxes in a disclosure, summarised as "Phase: failed, rolled back". */
function MultiFilter({
  label,
  options,
  value,
  onChange,
}: {
  label: string;
  options: readonly FilterOption[];
  value: string;
  onChange: (value: string) => void;
}) {
  const details = useRef<HTMLDetailsElement>(null);
  const chosen = splitList(value);
  const chosenLabels = options.filter((option) => chosen.includes(option.value)).map((o) => o.label);
  const unknown = chosen.filter((item) => !options.some((option) => option.value === item));
  const toggle = (option: string, on: boolean) => {
    const next = on ? [...chosen, option] : chosen.filter((item) => item !== option);
    // Keep the options' order, so the URL reads the same whichever was ticked first.
    const ordered = [
      ...options.map((o) => o.value).filter((item) => next.includes(item)),
      ...next.filter((item) => !options.some((o) => o.value === item)),
    ];
    onChange(ordered.join(','));
  };
  const closeOnEscape = (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || !details.current?.open) return;
    event.stopPropagation();
    details.current.open = false;
    details.current.querySelector('summary')?.focus();
  };
  return (
    <div className="field">
      <span aria-hidden="true">{label}</span>
      <details ref={details} className="multi-filter" onKeyDown={closeOnEscape}>
        <summary>
          <span className="visually-hidden">{label}: </span>
          {[...chosenLabels, ...unknown].join(', ') || 'any'}
        </summary>
        <fieldset>
          <legend className="visually-hidden">{label}</legend>
          {options.map((option) => (
            <label key={option.value} className="check">
              <input
                type="checkbox"
                checked={chosen.includes(option.value)}
                onChange={(event) => toggle(option.value, event.target.checked)}
              />{' '}
              {option.label}
            </label>
          ))}
        </fieldset>
      </details>
    </div>
  );
}
