import type { LoggerService } from '@nestjs/common';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino from 'pino';
import pretty from 'pino-pretty';
import type { GantryConfig } from '../../config/config.js';
import { isSecretName, REDACTED, redactText, redactUrl } from '../../shared/redact.js';

// One pino logger for the whole process: Gantry's own code, Fastify's request
// logger and Nest's framework logs (through NestPinoLogger) all write through
// it. Two layers keep credentials out of the output:
//  - pino `redact` censors fields whose name says they hold a secret;
//  - every message string, error message and stack, and every string nested in
//    a logged object, goes through redactText, so `postgres://u:pw@h` is written
//    as `postgres://u:***@h` wherever it hides.

export type Logger = pino.Logger;
export type LogDestination = pino.DestinationStream;
export type LogConfig = Pick<GantryConfig['log'], 'level' | 'format'>;

/** Field names whose values are never written (matched exactly, case-insensitively in nested objects). */
const SECRET_FIELDS = [
  'password',
  'passwd',
  'secret',
  'clientSecret',
  'client_secret',
  'webhookSecret',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'idToken',
  'id_token',
  'apiKey',
  'api_key',
  'apikey',
  'api-key',
  'x-api-key',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'signature',
  'privateKey',
  'private_key',
  'credentials',
  'x-hub-signature',
  'x-hub-signature-256',
  'x-gitlab-token',
  'x-gantry-signature',
];

const SECRET_FIELD_SET = new Set(SECRET_FIELDS.map((name) => name.toLowerCase()));

function pathSegment(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}

/** pino redact paths: each secret field at the top level and up to two levels down, plus request headers. */
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_FIELDS.flatMap((name) => {
    const segment = pathSegment(name);
    const top = segment.startsWith('.') ? segment.slice(1) : segment;
    return [top, `*${segment}`, `*.*${segment}`];
  }),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-gitlab-token"]',
  'req.headers["x-gantry-signature"]',
  'res.headers["set-cookie"]',
];

// Deeper than pino's own stringify depth limit (5): anything below is cut anyway.
const MAX_DEPTH = 8;

/**
 * A copy of a value that is safe to log: strings with credentials in URLs
 * redacted, values of secret-named fields censored, Error objects turned into
 * `{ type, message, stack, ...fields, cause }` with redacted text. Only plain
 * objects, arrays, errors and URLs are walked; other class instances are
 * returned as they are (their serializers or toJSON decide what is written).
 */
export function redactDeep(value: unknown): unknown {
  return redactValue(value, 0, new WeakSet());
}

function redactValue(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof URL) return redactUrl(value.href);
  if (depth >= MAX_DEPTH) return '[…]';
  if (seen.has(value)) return '[Circular]';
  if (value instanceof Error) {
    seen.add(value);
    return serializeError(value, depth, seen);
  }
  if (Array.isArray(value)) {
    seen.add(value);
    return value.map((item: unknown) => redactValue(item, depth + 1, seen));
  }
  if (!isPlainObject(value)) return value;
  seen.add(value);
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = redactEntry(key, item, depth, seen);
  }
  return copy;
}

function redactEntry(key: string, value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (value !== undefined && value !== null && SECRET_FIELD_SET.has(key.toLowerCase())) return REDACTED;
  return redactValue(value, depth + 1, seen);
}

function serializeError(error: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const serialized: Record<string, unknown> = {
    type: error.name || error.constructor.name,
    message: redactText(error.message),
  };
  if (error.stack) serialized.stack = redactText(error.stack);
  for (const [key, item] of Object.entries(error)) {
    if (key in serialized) continue;
    serialized[key] = redactEntry(key, item, depth, seen);
  }
  if (error.cause !== undefined && !('cause' in serialized)) {
    serialized.cause = redactValue(error.cause, depth + 1, seen);
  }
  if (error instanceof AggregateError && !('errors' in serialized)) {
    serialized.errors = redactValue(error.errors, depth + 1, seen);
  }
  return serialized;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isPlainObject(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** A request path and query with the values of secret-looking parameters (`?token=`) censored. */
export function redactRequestUrl(url: string): string {
  const query = url.indexOf('?');
  if (query === -1) return redactText(url);
  const params = new URLSearchParams(url.slice(query + 1));
  let changed = false;
  for (const name of new Set(params.keys())) {
    if (isSecretName(name)) {
      params.set(name, REDACTED);
      changed = true;
    }
  }
  return redactText(changed ? `${url.slice(0, query)}?${params.toString()}` : url);
}

function serializeRequest(value: unknown): unknown {
  if (!isRecord(value) || isPlainObject(value)) return value;
  const { method, url } = value as { method?: unknown; url?: unknown };
  return { method, url: typeof url === 'string' ? redactRequestUrl(url) : url };
}

function serializeResponse(value: unknown): unknown {
  if (!isRecord(value) || isPlainObject(value)) return value;
  return { statusCode: (value as { statusCode?: unknown }).statusCode };
}

/**
 * Redacts the strings passed to a log method (the message and printf-style
 * arguments). pino takes the message of a logged error as the line's message
 * when none is given; that happens after this hook, so the redacted message is
 * supplied here instead.
 */
function redactLogArguments(args: unknown[]): unknown[] {
  const redacted = args.map((arg) => (typeof arg === 'string' ? redactText(arg) : arg));
  if (redacted.length === 1) {
    const [first] = redacted;
    if (first instanceof Error) {
      redacted.push(redactText(first.message));
    } else if (isRecord(first) && first.msg === undefined && first.err instanceof Error) {
      redacted.push(redactText(first.err.message));
    }
  }
  return redacted;
}

/** traceId/spanId of the active span, so log lines can be joined with traces. */
function traceFields(): Record<string, string> {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { traceId: spanContext.traceId, spanId: spanContext.spanId };
}

function resolveFormat(
  format: LogConfig['format'],
  destination: LogDestination | undefined,
): 'json' | 'pretty' {
  if (format !== 'auto') return format;
  // A given destination is a file, a pipe or a test buffer: JSON.
  return destination === undefined && process.stdout.isTTY === true ? 'pretty' : 'json';
}

/**
 * Creates Gantry's logger. Format `auto` writes readable lines on a terminal
 * and JSON lines otherwise; `json` and `pretty` force one. Without a
 * destination, lines go to stdout.
 */
export function createLogger(config: LogConfig, destination?: LogDestination): Logger {
  const options: pino.LoggerOptions = {
    level: config.level,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    // formatters.log has already turned errors into plain objects; pino's
    // default `err` serializer would rename their type to "Object". `req` and
    // `res` also replace Fastify's serializers: a plain object (a request line
    // with headers) is kept, a framework object is reduced to a summary.
    serializers: { err: redactDeep, req: serializeRequest, res: serializeResponse },
    formatters: {
      level: (label) => ({ level: label }),
      bindings: (bindings) => redactDeep(bindings) as pino.Bindings,
      log: (object) => redactDeep(object) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        method.apply(this, redactLogArguments(args) as Parameters<pino.LogFn>);
      },
    },
    mixin: traceFields,
  };
  if (resolveFormat(config.format, destination) === 'pretty') {
    const stream = pretty({
      colorize: destination === undefined && process.stdout.isTTY === true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,context,traceId,spanId',
      messageFormat: '{if context}[{context}] {end}{msg}',
      sync: true,
      ...(destination ? { destination } : {}),
    });
    return redactChildBindings(pino(options, stream));
  }
  return redactChildBindings(destination ? pino(options, destination) : pino(options));
}

/**
 * pino applies `formatters.bindings` to the root logger's bindings only;
 * bindings of child loggers (`logger.child({ url })`, Fastify's per-request
 * loggers) are redacted here. Children inherit the patched method.
 */
function redactChildBindings(logger: Logger): Logger {
  type Child = (this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) => Logger;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the right `this`
  const child = logger.child as unknown as Child;
  const redactingChild: Child = function (bindings, options) {
    return child.call(this, redactDeep(bindings) as pino.Bindings, options);
  };
  logger.child = redactingChild as unknown as Logger['child'];
  return logger;
}

type PinoLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

// Nest's start-up chatter (one line per module and route) is useful when
// debugging, noise otherwise.
const QUIET_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory']);

const STACK_LINE = /\n\s+at /;

/**
 * Nest's LoggerService over a pino logger, so the framework's own messages
 * (start-up, unhandled exceptions) are written like every other line. Nest
 * passes the context (the class name) as the last argument, and for errors a
 * stack before it.
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: PinoLevel, message: unknown, params: unknown[]): void {
    const rest = [...params];
    const fields: Record<string, unknown> = {};
    const last = rest.at(-1);
    if (typeof last === 'string' && !(level === 'error' && rest.length === 1 && STACK_LINE.test(last))) {
      fields.context = last;
      rest.pop();
    }
    if (level === 'error' && rest.length > 0) {
      const stack = rest.at(-1);
      if (typeof stack === 'string' || stack === undefined) {
        if (stack) fields.stack = stack;
        rest.pop();
      }
    }
    if (rest.length > 0) fields.params = rest;
    const effective =
      level === 'info' && typeof fields.context === 'string' && QUIET_CONTEXTS.has(fields.context)
        ? 'debug'
        : level;

    if (message instanceof Error) {
      this.logger[effective]({ ...fields, err: message }, message.message);
    } else if (isRecord(message) && !Array.isArray(message)) {
      this.logger[effective]({ ...message, ...fields });
    } else {
      this.logger[effective](fields, typeof message === 'string' ? message : String(message));
    }
  }
}
