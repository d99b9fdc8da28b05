import { STATUS_CODES, type ServerResponse } from 'node:http';
import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GantryError } from '../../shared/errors.js';
import { redactText } from '../../shared/redact.js';
import { redactDeep, type Logger } from '../logging/logger.js';
import { recordError } from '../telemetry/tracing.js';

// Every error leaves the API in one shape:
//   { "error": { "code": "stale_version", "message": "...", "details": {...} } }
// Known errors (GantryError, Nest's HttpException, Fastify's 4xx) keep their
// status and say what is wrong. Anything else is a 500 whose body names only
// the request id; the error itself goes to the log. Stacks never reach a client,
// and messages are redacted of credentials.

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
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
  body: ErrorBody;
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
      logger.warn({ err: exception }, `request failed: ${described.body.error.message}`);
    }
    this.send(response, described.status, described.body, logger);
  }

  private describe(
    exception: unknown,
    request: FastifyRequest | IncomingLike,
    requestId?: string,
  ): Described {
    if (exception instanceof GantryError) {
      const error: ErrorBody['error'] = { code: exception.code, message: redactText(exception.message) };
      if (exception.details !== undefined) error.details = redactDeep(exception.details);
      return { status: exception.status, body: { error }, log: exception.status >= 500 ? 'warn' : 'none' };
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
      );
    }
    if (
      isJsonSyntaxError(exception) ||
      (exception instanceof HttpException && isJsonSyntaxError(exception.cause))
    ) {
      return this.clientError(400, 'Request body is not valid JSON', 'invalid_json');
    }

    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === 404 && isFastifyRequest(request) && request.is404) {
        return this.clientError(
          404,
          `No route for ${request.method} ${pathOf(request.url)}`,
          'route_not_found',
        );
      }
      return {
        status,
        body: {
          error: { code: codeForStatus(status), message: redactText(httpExceptionMessage(exception)) },
        },
        log: status >= 500 ? 'warn' : 'none',
      };
    }

    const reference = requestId ? ` for request id ${requestId}` : '';
    return {
      status: 500,
      body: { error: { code: 'internal', message: `Internal error; see the server log${reference}` } },
      log: 'error',
    };
  }

  private clientError(status: number, message: string, code = codeForStatus(status)): Described {
    return { status, body: { error: { code, message: redactText(message) } }, log: 'none' };
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
    body: ErrorBody,
    logger: LogSink,
  ): void {
    if (isFastifyReply(response)) {
      if (response.sent) {
        logger.warn({ status }, 'an error happened after the response was sent');
        return;
      }
      void response.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
      return;
    }
    if (response.headersSent) {
      logger.warn({ status }, 'an error happened after the response was sent');
      response.end();
      return;
    }
    response.statusCode = status;
    response.setHeader('content-type', 'application/json; charset=utf-8');
    response.end(JSON.stringify(body));
  }
}

/** The raw request Nest hands middleware errors with. */
interface IncomingLike {
  method?: string;
  url?: string;
}
