import { redactUrl } from '../shared/redact.js';

/** One reason a request was refused, as the API lists them (e.g. a failed gate). */
export interface ApiExplanation {
  kind?: string;
  name: string;
  state: string;
  reason: string;
}

/** An error response from the Gantry API, with the server's own message. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
    readonly explanations: readonly ApiExplanation[] = [],
    readonly requestId?: string,
  ) {
    super(explanations.length > 0 ? `${message}\n${formatExplanations(explanations)}` : message);
    this.name = 'ApiError';
  }
}

/** One line per reason, states aligned: `  blocked  coverage: coverage 71.2% < 80%`. */
export function formatExplanations(explanations: readonly ApiExplanation[]): string {
  const width = Math.max(...explanations.map((item) => item.state.length));
  return explanations.map((item) => `  ${item.state.padEnd(width)}  ${item.name}: ${item.reason}`).join('\n');
}

export interface ApiClientOptions {
  baseUrl: string;
  token?: string;
  fetch?: typeof fetch;
}

type Query = Record<string, string | number | undefined>;

export interface RequestOptions {
  /** Extra request headers, e.g. `Idempotency-Key`. */
  headers?: Record<string, string>;
}

/** The CLI's view of the HTTP API: JSON in, JSON out, problem+json errors as ApiError. */
export class ApiClient {
  private readonly fetcher: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.fetcher = options.fetch ?? fetch;
  }

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.request<T>('GET', withQuery(path, query));
  }

  post<T>(path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, body, options.headers);
  }

  put<T>(path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('PUT', path, body, options.headers);
  }

  delete<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('DELETE', path, undefined, options.headers);
  }

  /** A text response read as it arrives (e.g. `gantry logs --follow`), until it ends or `signal` aborts. */
  async *stream(path: string, query: Query = {}, signal?: AbortSignal): AsyncGenerator<string> {
    const response = await this.send(
      'GET',
      withQuery(path, query),
      undefined,
      { accept: 'text/plain' },
      signal,
    );
    if (!response.body) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body) yield decoder.decode(chunk as Uint8Array, { stream: true });
    } catch (error) {
      if (signal?.aborted) return;
      throw error;
    }
  }

  private async request<T>(
    method: string,
    path: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<T> {
    const response = await this.send(method, path, body, extraHeaders);
    const text = await response.text();
    return (text ? safeJson(text) : undefined) as T;
  }

  /** The response of a request that succeeded; an ApiError that says what to do otherwise. */
  private async send(
    method: string,
    path: string,
    body: unknown,
    extraHeaders: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<Response> {
    const url = new URL(
      path,
      this.options.baseUrl.endsWith('/') ? this.options.baseUrl : `${this.options.baseUrl}/`,
    );
    const headers: Record<string, string> = {
      accept: 'application/json, application/problem+json',
      ...extraHeaders,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    let response: Response;
    try {
      response = await this.fetcher(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new ApiError(
        `cannot reach Gantry at ${redactUrl(this.options.baseUrl)}${cause ? ` (${cause})` : ''}; is \`gantry server\` running? Set --url or GANTRY_URL to point elsewhere.`,
        0,
        cause,
      );
    }
    if (!response.ok) throw problemError(method, url, response, await response.text());
    return response;
  }
}

function withQuery(path: string, query: Query): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, String(value));
  return search.size > 0 ? `${path}?${search.toString()}` : path;
}

interface ProblemLike {
  detail?: unknown;
  title?: unknown;
  code?: unknown;
  requestId?: unknown;
  explanations?: unknown;
}

function isExplanation(value: unknown): value is ApiExplanation {
  if (!value || typeof value !== 'object') return false;
  const item = value as Record<string, unknown>;
  return ['name', 'state', 'reason'].every((field) => typeof item[field] === 'string');
}

/** The ApiError of a failed response: a problem+json document's detail, code and explanations. */
function problemError(method: string, url: URL, response: Response, text: string): ApiError {
  const fallback = `${method} ${url.pathname} answered ${response.status} ${response.statusText}`.trim();
  const parsed = text ? safeJson(text) : undefined;
  if (!parsed || typeof parsed !== 'object') {
    return new ApiError(text ? `${fallback}: ${text.slice(0, 500)}` : fallback, response.status, undefined);
  }
  const problem = parsed as ProblemLike;
  const detail =
    typeof problem.detail === 'string'
      ? problem.detail
      : typeof problem.title === 'string'
        ? problem.title
        : fallback;
  const explanations = Array.isArray(problem.explanations) ? problem.explanations.filter(isExplanation) : [];
  return new ApiError(
    detail,
    response.status,
    typeof problem.code === 'string' ? problem.code : undefined,
    explanations,
    typeof problem.requestId === 'string' ? problem.requestId : undefined,
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
