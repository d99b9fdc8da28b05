import type { operations } from '../api/schema.gen';
import { SseParser } from './sse-parser';

// The dashboard's connection to GET /api/v1/stream. It is fetch-based rather
// than EventSource because the API token goes in the Authorization header,
// never in a URL. It reconnects by itself with a growing delay, resumes after
// the last event it saw (Last-Event-ID), and tells its listeners when it is
// offline and when they must reload everything (events may have been missed).

/**
 * One event of the stream: an outbox event about a promotion, rollout,
 * release or incident (seq, id, type, key, occurredAt, payload), as the
 * OpenAPI document describes GET /api/v1/stream.
 */
export type StreamEvent = operations['streamEvents']['responses'][200]['content']['text/event-stream'];

export type ConnectionState = 'connecting' | 'live' | 'offline';

export interface StreamListener {
  event?(event: StreamEvent): void;
  /** Events may have been missed (first connection, reconnect, reset): reload what is shown. */
  resync?(): void;
  state?(state: ConnectionState, detail?: string): void;
}

export interface EventStreamOptions {
  url: string;
  token: string;
  fetch?: typeof fetch;
  /** Delay before reconnecting after the nth failure in a row (1-based). */
  retryDelayMs?: (failures: number) => number;
  /** No byte for this long (Gantry sends a keep-alive every 15 s) means the connection is dead. */
  idleTimeoutMs?: number;
}

export const DEFAULT_RETRY_DELAY = (failures: number) => Math.min(1000 * 2 ** (failures - 1), 15_000);

export class EventStream {
  private readonly listeners = new Set<StreamListener>();
  private controller: AbortController | undefined;
  private lastEventId: string | undefined;
  private failures = 0;
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  state: ConnectionState = 'connecting';
  detail: string | undefined;

  constructor(private readonly options: EventStreamOptions) {}

  subscribe(listener: StreamListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.controller?.abort();
  }

  /** Reconnect now (the browser came back online, or a person asked). */
  reconnect(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.controller?.abort();
    void this.connect();
  }

  private setState(state: ConnectionState, detail?: string): void {
    if (this.state === state && this.detail === detail) return;
    this.state = state;
    this.detail = detail;
    for (const listener of this.listeners) listener.state?.(state, detail);
  }

  private async connect(): Promise<void> {
    const controller = new AbortController();
    this.controller = controller;
    const fetchImpl = this.options.fetch ?? fetch;
    const idleTimeoutMs = this.options.idleTimeoutMs ?? 45_000;
    let idle: ReturnType<typeof setTimeout> | undefined;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => controller.abort(new Error('no keep-alive from Gantry')), idleTimeoutMs);
    };
    if (this.state !== 'offline') this.setState('connecting');
    try {
      const headers: Record<string, string> = {
        accept: 'text/event-stream',
        authorization: `Bearer ${this.options.token}`,
      };
      if (this.lastEventId) headers['last-event-id'] = this.lastEventId;
      touch();
      const response = await fetchImpl(this.options.url, {
        headers,
        signal: controller.signal,
        cache: 'no-store',
      });
      if (!response.ok || !response.body) {
        throw new Error(
          response.status === 401 ? 'the token is no longer valid' : `Gantry answered ${response.status}`,
        );
      }
      this.failures = 0;
      this.setState('live');
      // Whatever happened while disconnected, the page reloads once it is live again.
      for (const listener of this.listeners) listener.resync?.();
      const parser = new SseParser();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        touch();
        for (const message of parser.push(value))
          this.dispatch(message.event, message.data, message.lastEventId);
      }
      throw new Error('Gantry closed the stream');
    } catch (error) {
      if (this.stopped || (controller.signal.aborted && this.controller !== controller)) return;
      this.failures += 1;
      const delay = (this.options.retryDelayMs ?? DEFAULT_RETRY_DELAY)(this.failures);
      const reason = error instanceof Error ? error.message : String(error);
      this.setState('offline', `${reason}; retrying in ${Math.ceil(delay / 1000)} s`);
      this.retryTimer = setTimeout(() => void this.connect(), delay);
    } finally {
      clearTimeout(idle);
    }
  }

  private dispatch(type: string, data: string, lastEventId: string): void {
    if (lastEventId) this.lastEventId = lastEventId;
    if (type === 'reset') {
      for (const listener of this.listeners) listener.resync?.();
      return;
    }
    let event: StreamEvent;
    try {
      event = JSON.parse(data) as StreamEvent;
    } catch {
      return; // not an event of ours; nothing to show
    }
    for (const listener of this.listeners) listener.event?.(event);
  }
}
