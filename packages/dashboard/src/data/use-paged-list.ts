import { useCallback, useEffect, useRef, useState } from 'react';
import type { StreamEvent } from '../live/event-stream';
import { useStreamEvents } from '../live/live';

// A newest-first list paged by the API's nextCursor: the first page loads
// (and reloads on matching streamed events, so new items appear on top),
// "Load more" appends the next page.

export interface PagedList<T> {
  items: T[];
  error: Error | undefined;
  loading: boolean;
  /** True when the API said there is another page. */
  hasMore: boolean;
  /** When the last page was loaded (undefined until one was). */
  loadedAt: Date | undefined;
  loadMore: () => void;
  /** Starts again from the first page. */
  reload: () => void;
  /** Reloads the first page and keeps the older pages already loaded. */
  refresh: () => void;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export function usePagedList<T>(
  loadPage: (cursor: string | undefined, signal: AbortSignal) => Promise<Page<T>>,
  deps: readonly unknown[],
  options: {
    /** Identifies an item, so a refresh of the first page keeps the older pages already loaded. */
    keyOf: (item: T) => string;
    refreshOn?: (event: StreamEvent) => boolean;
    /** Also refresh this often (for what no streamed event announces, like dead letters). */
    pollMs?: number;
  },
): PagedList<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [loading, setLoading] = useState(true);
  const [loadedAt, setLoadedAt] = useState<Date | undefined>();
  const loader = useRef(loadPage);
  loader.current = loadPage;
  const controller = useRef<AbortController | undefined>(undefined);

  const keyOf = useRef(options.keyOf);
  keyOf.current = options.keyOf;
  const pagesLoaded = useRef(0);

  const load = useCallback((after: string | undefined, refresh = false) => {
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    setLoading(true);
    loader.current(after, current.signal).then(
      (page) => {
        if (current.signal.aborted) return;
        if (after) {
          pagesLoaded.current += 1;
          setItems((previous) => [...previous, ...page.items]);
          setCursor(page.nextCursor);
        } else if (refresh && pagesLoaded.current > 1) {
          // New and changed items come first; older pages stay as they were.
          const fresh = new Set(page.items.map((item) => keyOf.current(item)));
          setItems((previous) => [
            ...page.items,
            ...previous.filter((item) => !fresh.has(keyOf.current(item))),
          ]);
        } else {
          pagesLoaded.current = 1;
          setItems(page.items);
          setCursor(page.nextCursor);
        }
        setError(undefined);
        setLoading(false);
        setLoadedAt(new Date());
      },
      (failure: unknown) => {
        if (current.signal.aborted) return;
        setError(failure instanceof Error ? failure : new Error(String(failure)));
        setLoading(false);
      },
    );
  }, []);

  const reload = useCallback(() => load(undefined), [load]);
  const refresh = useCallback(() => load(undefined, true), [load]);

  useEffect(() => {
    setItems([]);
    setCursor(undefined);
    setLoadedAt(undefined);
    pagesLoaded.current = 0;
    reload();
    return () => controller.current?.abort();
    // The caller's deps say when the query changed.
  }, deps);

  const debounce = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useStreamEvents(options.refreshOn ?? (() => false), () => {
    clearTimeout(debounce.current);
    debounce.current = setTimeout(refresh, 250);
  });
  useEffect(() => () => clearTimeout(debounce.current), []);

  useEffect(() => {
    if (!options.pollMs) return;
    const timer = setInterval(refresh, options.pollMs);
    return () => clearInterval(timer);
  }, [options.pollMs, refresh]);

  return {
    items,
    error,
    loading,
    hasMore: cursor !== undefined,
    loadedAt,
    loadMore: () => cursor && load(cursor),
    reload,
    refresh,
  };
}
