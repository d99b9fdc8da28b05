import { redactUrl } from '../shared/redact.js';

/** An error response from the Gantry API, with the server's own message. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClientOptions {
  baseUrl: string;
  token?: string;
  fetch?: typeof fetch;
}

/** The CLI's view of the HTTP API: JSON in, JSON out, errors as ApiError. */
export class ApiClient {
  private readonly fetcher: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.fetcher = options.fetch ?? fetch;
  }

  get<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<T> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) search.set(name, String(value));
    const suffix = search.size > 0 ? `?${search.toString()}` : '';
    return this.request<T>('GET', `${path}${suffix}`);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = new URL(
      path,
      this.options.baseUrl.endsWith('/') ? this.options.baseUrl : `${this.options.baseUrl}/`,
    );
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    let response: Response;
    try {
      response = await this.fetcher(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new ApiError(
        `cannot reach Gantry at ${redactUrl(this.options.baseUrl)}${cause ? ` (${cause})` : ''}; is \`gantry server\` running? Set --url or GANTRY_URL to point elsewhere.`,
        0,
        cause,
      );
    }
    const text = await response.text();
    const parsed: unknown = text ? safeJson(text) : undefined;
    if (!response.ok) {
      const error = (parsed as { error?: { message?: string; code?: string } } | undefined)?.error;
      throw new ApiError(
        error?.message ?? `${method} ${url.pathname} answered ${response.status} ${response.statusText}`,
        response.status,
        error?.code,
      );
    }
    return parsed as T;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { error: { message: text.slice(0, 500) } };
  }
}
