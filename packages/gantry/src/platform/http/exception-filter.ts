import { STATUS_CODES, type ServerResponse } from 'node:http';
import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GantryError } from '../../shared/errors.js';
import { redactText } from '../../shared/redact.js';
import { redactDeep, type Logger } from '../logging/logger.js';
import { recordError } from '../telemetry/tracing.js';

// Every error leaves the API as RFC 9457 problem details
// (`application/problem+json`):
//   { "type": "https://gantry.dev/problems/stale_version", "title": "Stale version",
//     "status": 409, "detail": "...", "code": "stale_version", "requestId": "...", ...extensions }
// A GantryError's details become extension members: a ValidationError's
// `issues`, a refusal's `explanations` ({ kind, name, state, reason }[]), or
// whatever else it carries. Known errors (GantryError, Nest's HttpException,
// Fastify's 4xx) keep their status and say what is wrong. Anything else is a
// 500 whose body names only the request id; the error itself goes to the log.
// Stacks never reach a client, and messages are redacted of credentials.

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';
export const PROBLEM_TYPE_BASE = 'https://gantry.dev/problems/';

export interface ProblemDocument {
  /** `https://gantry.dev/problems/<code>`. */
  type: string;
  /** The code as a short phrase: `Stale version`. */
  title: string;
  status: number;
  /** What went wrong and what to do about it. */
  detail: string;
  /** Stable snake_case code, for programs. */
  code: string;
  requestId?: string;
  /** Extension members: `issues`, `explanations`, or what else the error carries. */
  [extension: string]: unknown;
}

/** One reason a promotion (or another request) was refused. */
export interface Explanation {
  kind: string;
  name: string;
  state: string;
  reason: string;
}

const RESERVED_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'code', 'requestId', 'instance']);

const TITLES: Record<string, string> = { internal: 'Internal error', invalid_json: 'Invalid JSON' };

/** `stale_version` → `Stale version`. */
export function problemTitle(code: string): string {
  const known = TITLES[code];
  if (known) return known;
  const words = code.replace(/[_-]+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : 'Error';
}

/** A problem document; `extensions` never override the standard members. */
export function problemDocument(
  status: number,
  code: string,
  detail: string,
  options: { requestId?: string; extensions?: Record<string, unknown> } = {},
): ProblemDocument {
  const document: ProblemDocument = {
    type: `${PROBLEM_TYPE_BASE}${code}`,
    title: problemTitle(code),
    status,
    detail,
    code,
  };
  if (options.requestId) document.requestId = options.requestId;
  for (const [name, value] of Object.entries(options.extensions ?? {})) {
    if (!RESERVED_MEMBERS.has(name) && value !== undefined) document[name] = value;
  }
  return document;
}

/** The problem document of a GantryError, redacted: what the filter sends, and what idempotent replays repeat. */
export function problemForGantryError(error: GantryError, requestId?: string): ProblemDocument {
  const details = error.details === undefined ? undefined : redactDeep(error.details);
  const extensions: Record<string, unknown> =
    details === undefined
      ? {}
      : typeof details === 'object' && details !== null && !Array.isArray(details)
        ? (details as Record<string, unknown>)
        : { details };
  return problemDocument(error.status, error.code, redactText(error.message), { requestId, extensions });
}

export interface ExceptionFilterOptions {
  logger: Logger;
  /** The body limit, to say it in the 413 message. */
  bodyLimitBytes?: number;
}

/** Where the filter logs: the request's logger (with its reqId) or the application's. */
type LogSink = Pick<Logger, 'warn' | 'error'>;

interface Described {
  status: number;
  body: ProblemDocument;
  /** How the error is logged: not at all (the request line says enough), a warning, or an error with its stack. */
  log: 'none' | 'warn' | 'error';
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  500: 'internal',
  503: 'unavailable',
};

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
};

/** A stable snake_case code for an HTTP status: 429 → too_many_requests. */
export function codeForStatus(status: number): string {
  const known = CODE_BY_STATUS[status];
  if (known) return known;
  const text = STATUS_CODES[status];
  if (!text) return status >= 500 ? 'internal' : 'bad_request';
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

interface FastifyErrorLike {
  code: string;
  statusCode: number;
  message: string;
}

function isFastifyError(value: unknown): value is FastifyErrorLike {
  if (!(value instanceof Error)) return false;
  const { code, statusCode } = value as Error & Partial<Record<'code' | 'statusCode', unknown>>;
  return typeof code === 'string' && code.startsWith('FST_') && typeof statusCode === 'number';
}

/** Fastify's JSON parser rejects malformed bodies with a SyntaxError carrying statusCode 400. */
function isJsonSyntaxError(value: unknown): value is SyntaxError & { statusCode: number } {
  return value instanceof SyntaxError && (value as { statusCode?: unknown }).statusCode === 400;
}

function httpExceptionMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return exception.message;
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function isFastifyRequest(request: unknown): request is FastifyRequest {
  return typeof request === 'object' && request !== null && 'raw' in request && 'routeOptions' in request;
}

function isFastifyReply(response: unknown): response is FastifyReply {
  return typeof response === 'object' && response !== null && 'raw' in response && 'sent' in response;
}

@Catch()
export class GantryExceptionFilter implements ExceptionFilter {
  constructor(private readonly options: ExceptionFilterOptions) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest | IncomingLike>();
    const response = http.getResponse<FastifyReply | ServerResponse>();
    const requestId = isFastifyRequest(request) ? request.id : undefined;
    const described = this.describe(exception, request, requestId);

    const logger: LogSink = isFastifyRequest(request) ? request.log : this.options.logger;
    if (described.log === 'error') {
      logger.error({ err: exception }, 'request failed with an unexpected error');
      const span = trace.getActiveSpan();
      if (span) recordError(span, exception);
    } else if (described.log === 'warn') {
      logger.warn({ err: exception }, `request failed: ${described.body.detail}`);
    }
    this.send(response, described.status, described.body, logger);
  }

  private describe(
    exception: unknown,
    request: FastifyRequest | IncomingLike,
    requestId?: string,
  ): Described {
    if (exception instanceof GantryError) {
      return {
        status: exception.status,
        body: problemForGantryError(exception, requestId),
        log: exception.status >= 500 ? 'warn' : 'none',
      };
    }

    const fastifyError = isFastifyError(exception)
      ? exception
      : exception instanceof HttpException && isFastifyError(exception.cause)
        ? exception.cause
        : undefined;
    if (fastifyError && fastifyError.statusCode < 500) {
      return this.clientError(
        fastifyError.statusCode,
        this.fastifyMessage(fastifyError),
        FASTIFY_CODES[fastifyError.code] ?? codeForStatus(fastifyError.statusCode),
        requestId,
      );
    }
    if (
      isJsonSyntaxError(exception) ||
      (exception instanceof HttpException && isJsonSyntaxError(exception.cause))
    ) {
      return this.clientError(400, 'Request body is not valid JSON', 'invalid_json', requestId);
    }

    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === 404 && isFastifyRequest(request) && request.is404) {
        return this.clientError(
          404,
          `No route for ${request.method} ${pathOf(request.url)}`,
          'route_not_found',
          requestId,
        );
      }
      return {
        status,
        body: problemDocument(status, codeForStatus(status), redactText(httpExceptionMessage(exception)), {
          requestId,
        }),
        log: status >= 500 ? 'warn' : 'none',
      };
    }

    const reference = requestId ? ` for request id ${requestId}` : '';
    return {
      status: 500,
      body: problemDocument(500, 'internal', `Internal error; see the server log${reference}`, { requestId }),
      log: 'error',
    };
  }

  private clientError(
    status: number,
    message: string,
    code: string,
    requestId: string | undefined,
  ): Described {
    return { status, body: problemDocument(status, code, redactText(message), { requestId }), log: 'none' };
  }

  private fastifyMessage(error: FastifyErrorLike): string {
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return this.options.bodyLimitBytes === undefined
          ? 'Request body is too large'
          : `Request body is larger than the limit of ${this.options.bodyLimitBytes} bytes`;
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return 'Request body is not valid JSON';
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return 'Request body is empty but its Content-Type is application/json; send a JSON document or no Content-Type';
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return `${error.message}; send application/json`;
      default:
        return error.message;
    }
  }

  private send(
    response: FastifyReply | ServerResponse,
    status: number,
    body: ProblemDocument,
    logger: LogSink,
  ): void {
    if (isFastifyReply(response)) {
      if (response.sent) {
        logger.warn({ status }, 'an error happened after the response was sent');
        return;
      }
      void response.status(status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
      return;
    }
    if (response.headersSent) {
      logger.warn({ status }, 'an error happened after the response was sent');
      response.end();
      return;
    }
    response.statusCode = status;
    response.setHeader('content-type', PROBLEM_CONTENT_TYPE);
    response.end(JSON.stringify(body));
  }
}

/** The raw request Nest hands middleware errors with. */
interface IncomingLike {
  method?: string;
  url?: string;
}
