import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'wouter';
import { readFilters, withoutFilters, writeFilters, type FilterValues } from './url-filters';

export interface UrlFilters<K extends string> {
  /** The filters set in the URL (absent ones are "any"). */
  values: FilterValues<K>;
  /** The filters as one stable string: what a list reloads on. */
  key: string;
  /** Replaces every filter with `values` (a new history entry, so Back undoes it). */
  apply: (values: FilterValues<K>) => void;
  /** Removes the filters named. */
  clear: (keys: readonly K[]) => void;
}

/** A list page's filters, read from and written to the URL's query string. */
export function useUrlFilters<K extends string>(keys: readonly K[]): UrlFilters<K> {
  const [search, setSearch] = useSearchParams();
  const values = useMemo(() => readFilters(search, keys), [search, keys]);
  const key = useMemo(() => JSON.stringify(keys.map((name) => values[name] ?? '')), [keys, values]);
  const apply = useCallback(
    (next: FilterValues<K>) => setSearch((current) => writeFilters(current, keys, next)),
    [keys, setSearch],
  );
  const clear = useCallback(
    (names: readonly K[]) =>
      setSearch((current) => writeFilters(current, keys, withoutFilters(readFilters(current, keys), names))),
    [keys, setSearch],
  );
  return { values, key, apply, clear };
}
