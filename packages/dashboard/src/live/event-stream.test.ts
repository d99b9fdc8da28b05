import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventStream, type ConnectionState, type StreamEvent } from './event-stream';

// A fake server: each fetch gets the next scripted answer; a stream answer is
// fed by the test and can be cut.
function scriptedFetch() {
  const requests: { headers: Record<string, string> }[] = [];
  const streams: ReadableStreamDefaultController<Uint8Array>[] = [];
  const answers: (() => Response)[] = [];
  const fetchImpl = (_url: RequestInfo | URL, init?: RequestInit) => {
    requests.push({ headers: init?.headers as Record<string, string> });
    const answer = answers.shift() ?? (() => new Response('gone', { status: 503 }));
    return Promise.resolve(answer());
  };
  const stream = () => {
    answers.push(() => {
      const body = new ReadableStream<Uint8Array>({ start: (controller) => void streams.push(controller) });
      return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    });
  };
  const send = (text: string) => streams.at(-1)!.enqueue(new TextEncoder().encode(text));
  const cut = () => streams.at(-1)!.error(new Error('connection reset'));
  return { fetchImpl: fetchImpl, requests, answers, stream, send, cut };
}

const event = (seq: number, type: StreamEvent['type'] = 'promotion.phase-changed'): StreamEvent => ({
  seq,
  id: `id-${seq}`,
  type,
  key: 'hello/prod',
  occurredAt: '2026-12-01T00:00:00Z',
  payload: { promotionId: 'p1' },
});

const frame = (e: StreamEvent) => `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;

afterEach(() => vi.useRealTimers());

describe('EventStream', () => {
  it('delivers events, goes offline when cut, and resumes after the last event it saw', async () => {
    const server = scriptedFetch();
    server.stream();
    const stream = new EventStream({
      url: '/api/v1/stream',
      token: 't0k',
      fetch: server.fetchImpl,
      retryDelayMs: () => 10,
    });
    const seen: number[] = [];
    const states: ConnectionState[] = [];
    let resyncs = 0;
    stream.subscribe({
      event: (e) => seen.push(e.seq),
      state: (s) => states.push(s),
      resync: () => (resyncs += 1),
    });
    stream.start();
    await vi.waitFor(() => expect(stream.state).toBe('live'));
    server.send(frame(event(41)) + frame(event(42)));
    await vi.waitFor(() => expect(seen).toEqual([41, 42]));
    expect(server.requests[0]!.headers.authorization).toBe('Bearer t0k');
    expect(server.requests[0]!.headers['last-event-id']).toBeUndefined();

    server.stream();
    server.cut();
    await vi.waitFor(() => expect(server.requests).toHaveLength(2));
    await vi.waitFor(() => expect(stream.state).toBe('live'));
    expect(server.requests[1]!.headers['last-event-id']).toBe('42');
    expect(states).toContain('offline');
    expect(resyncs).toBe(2); // once per connection: whatever was missed is reloaded
    server.send(frame(event(43)));
    await vi.waitFor(() => expect(seen).toEqual([41, 42, 43]));
    stream.stop();
  });

  it('keeps retrying while Gantry refuses, and says why', async () => {
    const server = scriptedFetch();
    server.answers.push(() => new Response('', { status: 503 }));
    server.stream();
    const stream = new EventStream({ url: '/s', token: 't', fetch: server.fetchImpl, retryDelayMs: () => 5 });
    const details: (string | undefined)[] = [];
    stream.subscribe({ state: (_s, detail) => details.push(detail) });
    stream.start();
    await vi.waitFor(() => expect(stream.state).toBe('live'));
    expect(details.some((detail) => detail?.startsWith('Gantry answered 503'))).toBe(true);
    stream.stop();
  });

  it('asks listeners to reload on a reset event', async () => {
    const server = scriptedFetch();
    server.stream();
    const stream = new EventStream({ url: '/s', token: 't', fetch: server.fetchImpl });
    let resyncs = 0;
    stream.subscribe({ resync: () => (resyncs += 1) });
    stream.start();
    await vi.waitFor(() => expect(resyncs).toBe(1));
    server.send('event: reset\ndata: {"reason":"too far behind"}\n\n');
    await vi.waitFor(() => expect(resyncs).toBe(2));
    stream.stop();
  });
});
