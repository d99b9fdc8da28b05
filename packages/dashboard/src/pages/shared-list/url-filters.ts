// A list page's filters live in the URL's query string, so a link or a reload
// shows the same list. These helpers read and write them; empty values are
// never written (an absent filter means "any").

export type FilterValues<K extends string> = Partial<Record<K, string>>;

/** The filters named by `keys`, as the query string holds them (trimmed, empty ones left out). */
export function readFilters<K extends string>(search: URLSearchParams, keys: readonly K[]): FilterValues<K> {
  const values: FilterValues<K> = {};
  for (const key of keys) {
    const value = search.get(key)?.trim();
    if (value) values[key] = value;
  }
  return values;
}

/**
 * The query string with `keys` set to `values`: filters not in `values` are
 * removed, parameters that are not filters are kept.
 */
export function writeFilters<K extends string>(
  search: URLSearchParams,
  keys: readonly K[],
  values: FilterValues<K>,
): URLSearchParams {
  const next = new URLSearchParams(search);
  for (const key of keys) {
    const value = values[key]?.trim();
    if (value) next.set(key, value);
    else next.delete(key);
  }
  return next;
}

/** `values` without the filters named by `keys`. */
export function withoutFilters<K extends string>(
  values: FilterValues<K>,
  keys: readonly K[],
): FilterValues<K> {
  const next = { ...values };
  for (const key of keys) delete next[key];
  return next;
}

/** The query string to append to a link so it keeps the current filters: `?a=1` or nothing. */
export function keepSearch(search: string): string {
  const trimmed = search.replace(/^\?/, '');
  return trimmed ? `?${trimmed}` : '';
}

/** A comma-separated filter (`Failed,RolledBack`) as its values. */
export function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}
