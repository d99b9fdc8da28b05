import { vi } from 'vitest';

// A fake Gantry for component tests: answers fetch by "METHOD /path" with
// JSON (or a problem), records every request, and serves an event stream the
// test can push events into. Unmatched requests fail the test loudly.

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: Headers;
}

/** JSON to answer with, or a function of the request that returns it. */
type Answer = unknown;

export interface FakeApi {
  /** `on('GET /api/v1/status', {...})`; a path may end in `*` to match a prefix. Later routes win. */
  on: (route: string, answer: Answer, status?: number) => FakeApi;
  requests: RecordedRequest[];
  /** Pushes a streamed event to every open /api/v1/stream connection. */
  emit: (event: { type: string; key?: string; payload?: Record<string, unknown> }) => void;
  restore: () => void;
}

export function installFakeApi(): FakeApi {
  const routes: { method: string; path: string; prefix: boolean; answer: Answer; status: number }[] = [];
  const requests: RecordedRequest[] = [];
  const streams: ReadableStreamDefaultController<Uint8Array>[] = [];
  let seq = 0;

  const fetchStub = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request =
      input instanceof Request ? input : new Request(new URL(String(input), window.location.origin), init);
    const url = new URL(request.url);
    const text = request.method === 'GET' ? '' : await request.text();
    const recorded: RecordedRequest = {
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      body: text ? (JSON.parse(text) as unknown) : undefined,
      headers: request.headers,
    };
    if (url.pathname === '/api/v1/stream') {
      const body = new ReadableStream<Uint8Array>({ start: (controller) => void streams.push(controller) });
      return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    }
    requests.push(recorded);
    const route = [...routes]
      .reverse()
      .find(
        (candidate) =>
          candidate.method === recorded.method &&
          (candidate.prefix ? recorded.path.startsWith(candidate.path) : candidate.path === recorded.path),
      );
    if (!route) throw new Error(`the fake API has no answer for ${recorded.method} ${recorded.path}`);
    const answer =
      typeof route.answer === 'function'
        ? (route.answer as (r: RecordedRequest) => unknown)(recorded)
        : route.answer;
    const contentType = route.status >= 400 ? 'application/problem+json' : 'application/json';
    return new Response(JSON.stringify(answer), {
      status: route.status,
      headers: { 'content-type': contentType },
    });
  });
  vi.stubGlobal('fetch', fetchStub);

  const api: FakeApi = {
    on(route, answer, status = 200) {
      const [method, path] = route.split(' ') as [string, string];
      const prefix = path.endsWith('*');
      routes.push({ method, path: prefix ? path.slice(0, -1) : path, prefix, answer, status });
      return api;
    },
    requests,
    emit(event) {
      seq += 1;
      const full = {
        seq,
        id: `event-${seq}`,
        key: event.key ?? 'key',
        occurredAt: new Date().toISOString(),
        payload: {},
        ...event,
      };
      const frame = new TextEncoder().encode(
        `id: ${seq}\nevent: ${event.type}\ndata: ${JSON.stringify(full)}\n\n`,
      );
      for (const stream of streams) stream.enqueue(frame);
    },
    restore() {
      for (const stream of streams) stream.close();
      vi.unstubAllGlobals();
    },
  };
  return api;
}

/** A problem answer as Gantry sends it. */
export function problem(status: number, detail: string, code = 'conflict') {
  return { type: `https://gantry.dev/problems/${code}`, title: code, status, detail, code };
}
