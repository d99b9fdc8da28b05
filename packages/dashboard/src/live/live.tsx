import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { apiToken } from '../api/client';
import { EventStream, type ConnectionState, type StreamEvent } from './event-stream';

// One stream per signed-in tab, shared by every page through this context.

interface Live {
  stream: EventStream | undefined;
  state: ConnectionState;
  detail: string | undefined;
}

const LiveContext = createContext<Live>({ stream: undefined, state: 'connecting', detail: undefined });

export function LiveProvider({ children, url = '/api/v1/stream' }: { children: ReactNode; url?: string }) {
  const [live, setLive] = useState<Live>({ stream: undefined, state: 'connecting', detail: undefined });
  useEffect(() => {
    const token = apiToken();
    if (!token) return;
    const stream = new EventStream({ url, token });
    const unsubscribe = stream.subscribe({ state: (state, detail) => setLive({ stream, state, detail }) });
    setLive({ stream, state: stream.state, detail: undefined });
    stream.start();
    const online = () => stream.reconnect();
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('online', online);
      unsubscribe();
      stream.stop();
    };
  }, [url]);
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

/** The stream's connection state, for the header's live indicator. */
export function useConnection(): {
  state: ConnectionState;
  detail: string | undefined;
  reconnect: () => void;
} {
  const { stream, state, detail } = useContext(LiveContext);
  return { state, detail, reconnect: () => stream?.reconnect() };
}

/**
 * Calls `onChange` for each streamed event `matches` accepts, and after every
 * (re)connection, when events may have been missed. The latest callbacks are
 * used without resubscribing.
 */
export function useStreamEvents(matches: (event: StreamEvent) => boolean, onChange: () => void): void {
  const { stream } = useContext(LiveContext);
  const latest = useRef({ matches, onChange });
  latest.current = { matches, onChange };
  useEffect(() => {
    if (!stream) return;
    return stream.subscribe({
      event: (event) => {
        if (latest.current.matches(event)) latest.current.onChange();
      },
      resync: () => latest.current.onChange(),
    });
  }, [stream]);
}
