import { useCallback, useEffect, useRef, useState } from 'react';
import type { StreamEvent } from '../live/event-stream';
import { useStreamEvents } from '../live/live';

// Loading what a page shows, and keeping it current: it reloads when a
// streamed event says it changed (debounced, so a burst of events is one
// request), keeps showing the last good answer while reloading, and says
// when that answer is stale because the last reload failed.

export interface Resource<T> {
  data: T | undefined;
  /** The last load's failure; `data` still holds the last good answer, if any. */
  error: Error | undefined;
  loading: boolean;
  /** When `data` was loaded. */
  loadedAt: Date | undefined;
  reload: () => void;
}

export interface ResourceOptions {
  /** Streamed events after which the data may have changed. */
  refreshOn?: (event: StreamEvent) => boolean;
  /** Also reload this often (for what no event announces, like replica logs). */
  pollMs?: number;
  /** Wait this long after an event before reloading, to fold bursts into one request. */
  debounceMs?: number;
}

const NEVER = () => false;

export function useResource<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: readonly unknown[],
  options: ResourceOptions = {},
): Resource<T> {
  const [state, setState] = useState<Omit<Resource<T>, 'reload'>>({
    data: undefined,
    error: undefined,
    loading: true,
    loadedAt: undefined,
  });
  const generation = useRef(0);
  const controller = useRef<AbortController | undefined>(undefined);
  const loader = useRef(load);
  loader.current = load;

  const reload = useCallback(() => {
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    const mine = ++generation.current;
    setState((previous) => ({ ...previous, loading: true }));
    loader.current(current.signal).then(
      (data) => {
        if (mine === generation.current)
          setState({ data, error: undefined, loading: false, loadedAt: new Date() });
      },
      (error: unknown) => {
        if (mine !== generation.current || current.signal.aborted) return;
        setState((previous) => ({
          ...previous,
          error: error instanceof Error ? error : new Error(String(error)),
          loading: false,
        }));
      },
    );
  }, []);

  useEffect(() => {
    // New parameters: what was shown belonged to the old ones.
    setState({ data: undefined, error: undefined, loading: true, loadedAt: undefined });
    reload();
    return () => controller.current?.abort();
  }, deps);

  const debounce = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const debounceMs = options.debounceMs ?? 250;
  useStreamEvents(options.refreshOn ?? NEVER, () => {
    clearTimeout(debounce.current);
    debounce.current = setTimeout(reload, debounceMs);
  });
  useEffect(() => () => clearTimeout(debounce.current), []);

  useEffect(() => {
    if (!options.pollMs) return;
    const timer = setInterval(reload, options.pollMs);
    return () => clearInterval(timer);
  }, [options.pollMs, reload]);

  return { ...state, reload };
}
