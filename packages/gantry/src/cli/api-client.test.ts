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
