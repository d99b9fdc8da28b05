import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.gen';

// One typed client for the whole dashboard: every call goes to Gantry's public
// REST API, typed from its OpenAPI document (schema.gen.ts).

export type Problem = components['schemas']['Problem'];

/** Thrown for every answer that is not 2xx: the problem's detail is the message people read. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Partial<Problem> | undefined,
  ) {
    super(problem?.detail ?? problem?.title ?? `Gantry answered ${status}`);
    this.name = 'ApiError';
  }
}

/** What the dashboard does when Gantry says the token is no longer valid. */
let onUnauthorized: () => void = () => undefined;
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

let currentToken: string | undefined;
export function setApiToken(token: string | undefined): void {
  currentToken = token;
}
export function apiToken(): string | undefined {
  return currentToken;
}

const authentication: Middleware = {
  onRequest({ request }) {
    if (currentToken) request.headers.set('authorization', `Bearer ${currentToken}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401 && currentToken) onUnauthorized();
    return response;
  },
};

export const api = createClient<paths>({
  baseUrl: window.location.origin,
  // Looked up on each call (not captured once), so tests can stand in for Gantry.
  fetch: (request) => globalThis.fetch(request),
});
api.use(authentication);

/**
 * The data of an openapi-fetch answer, or an ApiError. Keeps pages free of
 * `if (error)` ladders: `const status = await unwrap(api.GET('/api/v1/status'))`.
 */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok || data === undefined) {
    throw new ApiError(response.status, error ?? undefined);
  }
  return data;
}

/** A fresh Idempotency-Key, so a retried click does not act twice. */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}
