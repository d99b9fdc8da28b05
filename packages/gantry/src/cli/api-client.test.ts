import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError } from './api-client.js';

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

function fakeFetch(status: number, body: unknown, contentType = 'application/json') {
  const sent: Sent[] = [];
  const fetcher = ((url: URL, init: RequestInit) => {
    sent.push({
      url: url.toString(),
      method: init.method ?? 'GET',
      headers: init.headers as Record<string, string>,
      body: init.body as string | undefined,
    });
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return Promise.resolve(new Response(text, { status, headers: { 'content-type': contentType } }));
  }) as unknown as typeof fetch;
  return { sent, fetcher };
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError');
}

describe('ApiClient', () => {
  it('sends the bearer token, query, JSON body and extra headers', async () => {
    const { sent, fetcher } = fakeFetch(201, { ok: true });
    const client = new ApiClient({ baseUrl: 'http://gantry:7070', token: 'gty_secret', fetch: fetcher });
    expect(await client.post('api/v1/things', { a: 1 }, { headers: { 'Idempotency-Key': 'k1' } })).toEqual({
      ok: true,
    });
    await client.get('api/v1/things', { limit: 5, cursor: undefined });
    expect(sent[0]).toMatchObject({
      url: 'http://gantry:7070/api/v1/things',
      method: 'POST',
      headers: {
        authorization: 'Bearer gty_secret',
        'content-type': 'application/json',
        'Idempotency-Key': 'k1',
      },
      body: '{"a":1}',
    });
    expect(sent[1]!.url).toBe('http://gantry:7070/api/v1/things?limit=5');
  });

  it('reads a problem+json refusal: detail, code, request id', async () => {
    const { fetcher } = fakeFetch(
      403,
      {
        type: 'https://gantry.dev/problems/forbidden',
        title: 'Forbidden',
        status: 403,
        detail:
          'token "ci" (deployer) may not approve promotions; it needs a token with role approver or admin',
        code: 'forbidden',
        requestId: 'req-1',
      },
      'application/problem+json',
    );
    const error = await failure(new ApiClient({ baseUrl: 'http://gantry', fetch: fetcher }).get('api/v1/x'));
    expect(error.message).toBe(
      'token "ci" (deployer) may not approve promotions; it needs a token with role approver or admin',
    );
    expect(error).toMatchObject({ status: 403, code: 'forbidden', requestId: 'req-1', explanations: [] });
  });

  it('puts the explanations of a refusal under its message, one line each', async () => {
    const { fetcher } = fakeFetch(
      409,
      {
        type: 'https://gantry.dev/problems/promotion_blocked',
        title: 'Promotion blocked',
        status: 409,
        detail: 'release 2026.01.3 cannot enter prod',
        code: 'promotion_blocked',
        explanations: [
          { kind: 'gate', name: 'tests', state: 'failed', reason: '3 of 412 tests failed' },
          { kind: 'gate', name: 'coverage', state: 'passed', reason: 'coverage 84% ≥ 80%' },
          { nonsense: true },
        ],
      },
      'application/problem+json',
    );
    const error = await failure(new ApiClient({ baseUrl: 'http://gantry', fetch: fetcher }).post('api/v1/p'));
    expect(error.message).toBe(
      [
        'release 2026.01.3 cannot enter prod',
        '  failed  tests: 3 of 412 tests failed',
        '  passed  coverage: coverage 84% ≥ 80%',
      ].join('\n'),
    );
    expect(error.explanations).toHaveLength(2);
  });

  it('still says something useful when the answer is not a problem document', async () => {
    const { fetcher } = fakeFetch(502, '<html>Bad Gateway</html>', 'text/html');
    const error = await failure(new ApiClient({ baseUrl: 'http://gantry', fetch: fetcher }).get('api/v1/x'));
    expect(error.status).toBe(502);
    expect(error.message).toContain('GET /api/v1/x answered 502');
    expect(error.message).toContain('Bad Gateway');
  });
});

describe('ApiClient.stream', () => {
  const encoder = new TextEncoder();

  /** A fetch answering with a text body the test writes to, chunk by chunk, while the client reads. */
  function streamingFetch() {
    let writer!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        writer = controller;
      },
    });
    const sent: Sent[] = [];
    const fetcher = ((url: URL, init: RequestInit) => {
      sent.push({
        url: url.toString(),
        method: init.method ?? 'GET',
        headers: init.headers as Record<string, string>,
        body: init.body as string | undefined,
      });
      // Like fetch, the body fails once the request's signal aborts.
      init.signal?.addEventListener('abort', () => writer.error(init.signal!.reason));
      return Promise.resolve(
        new Response(body, { headers: { 'content-type': 'text/plain; charset=utf-8' } }),
      );
    }) as unknown as typeof fetch;
    return {
      sent,
      fetcher,
      write: (bytes: Uint8Array) => writer.enqueue(bytes),
      end: () => writer.close(),
    };
  }

  it('yields each chunk of text as it arrives, until the response ends', async () => {
    const api = streamingFetch();
    const client = new ApiClient({ baseUrl: 'http://gantry:7070', token: 'gty_secret', fetch: api.fetcher });
    const chunks = client.stream('api/v1/services/checkout/stages/prod/logs', {
      lines: 5,
      replica: undefined,
      follow: 'true',
    });

    api.write(encoder.encode('[0] listening on 4123\n'));
    expect(await chunks.next()).toEqual({ done: false, value: '[0] listening on 4123\n' });
    // A character cut in two by the network comes out whole with the chunk that completes it.
    const arrow = encoder.encode('[1] GET / → 200\n');
    const cut = arrow.indexOf(0x86);
    api.write(arrow.slice(0, cut));
    const partial = await chunks.next();
    api.write(arrow.slice(cut));
    const rest = await chunks.next();
    expect(`${String(partial.value)}${String(rest.value)}`).toBe('[1] GET / → 200\n');
    api.end();
    expect(await chunks.next()).toEqual({ done: true, value: undefined });

    expect(api.sent).toEqual([
      {
        url: 'http://gantry:7070/api/v1/services/checkout/stages/prod/logs?lines=5&follow=true',
        method: 'GET',
        headers: { accept: 'text/plain', authorization: 'Bearer gty_secret' },
        body: undefined,
      },
    ]);
  });

  it('turns an error status into an ApiError, like the other methods', async () => {
    const { fetcher } = fakeFetch(
      404,
      {
        title: 'Not Found',
        status: 404,
        detail: 'checkout has no release 2026.99.1',
        code: 'not_found',
        requestId: 'req-7',
      },
      'application/problem+json',
    );
    const chunks = new ApiClient({ baseUrl: 'http://gantry', fetch: fetcher }).stream('api/v1/logs', {
      follow: 'true',
    });
    const error = await failure(chunks.next());
    expect(error.message).toBe('checkout has no release 2026.99.1');
    expect(error).toMatchObject({ status: 404, code: 'not_found', requestId: 'req-7' });
  });

  it('says where it could not connect', async () => {
    const fetcher = (() =>
      Promise.reject(
        Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
      )) as unknown as typeof fetch;
    const error = await failure(
      new ApiClient({ baseUrl: 'http://gantry:7070', fetch: fetcher }).stream('x').next(),
    );
    expect(error.status).toBe(0);
    expect(error.message).toContain('cannot reach Gantry at http://gantry:7070/ (ECONNREFUSED)');
  });

  it('ends quietly when its signal aborts mid-stream', async () => {
    const api = streamingFetch();
    const stop = new AbortController();
    const chunks = new ApiClient({ baseUrl: 'http://gantry', fetch: api.fetcher }).stream(
      'x',
      {},
      stop.signal,
    );
    api.write(encoder.encode('[0] a\n'));
    expect(await chunks.next()).toEqual({ done: false, value: '[0] a\n' });
    const next = chunks.next();
    stop.abort();
    expect(await next).toEqual({ done: true, value: undefined });
  });
});
