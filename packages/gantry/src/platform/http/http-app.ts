import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { NestFactory, type IEntryNestModule } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { context, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import { isSecretName, REDACTED } from '../../shared/redact.js';
import { NestPinoLogger, redactRequestUrl, type Logger } from '../logging/logger.js';
import type { HttpMetrics } from '../metrics/metrics.js';
import { contextFromHeaders, tracer } from '../telemetry/tracing.js';
import { GantryExceptionFilter } from './exception-filter.js';

// The HTTP server's plumbing, shared by every feature controller: request ids,
// one SERVER span per request (continuing the caller's traceparent), one log
// line per completed request, HTTP metrics and the uniform error body.

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

export const REQUEST_ID_HEADER = 'x-request-id';

/** The route label of a request no route matched. */
export const UNMATCHED_ROUTE = 'unmatched';

export interface HttpAppOptions {
  logger: Logger;
  metrics: HttpMetrics;
  /** Largest accepted request body; larger ones get 413. Default 1 MiB. */
  bodyLimitBytes?: number;
  /**
   * Keep the unparsed body as `request.rawBody` (a Buffer), which webhook
   * signature checks need. Default true.
   */
  rawBody?: boolean;
}

/**
 * Creates the Nest application on Fastify with Gantry's logging, tracing,
 * metrics and error handling. The caller adds nothing but its modules, then
 * calls `listen()` (or `init()` and `inject()` in tests).
 */
export async function createHttpApp(
  rootModule: IEntryNestModule,
  options: HttpAppOptions,
): Promise<NestFastifyApplication> {
  const bodyLimitBytes = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const adapter = new FastifyAdapter({
    loggerInstance: options.logger,
    // Each completed request is logged once by the onResponse hook below.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestIdFor,
    requestIdHeader: false,
    bodyLimit: bodyLimitBytes,
    trustProxy: false,
  });
  // Added before Nest registers its middleware, so that they run inside the request's span too.
  instrument(adapter.getInstance(), options);

  const app = await NestFactory.create<NestFastifyApplication>(rootModule, adapter, {
    logger: new NestPinoLogger(options.logger),
    bufferLogs: true,
    autoFlushLogs: true,
    abortOnError: false,
    rawBody: options.rawBody ?? true,
  });
  app.useGlobalFilters(new GantryExceptionFilter({ logger: options.logger, bodyLimitBytes }));
  return app;
}

// Letters, digits and a few separators, at most 128 characters: safe to echo and to log.
const SANE_REQUEST_ID = /^[\w.:+=/@-]{1,128}$/;

/** Reuses a caller's x-request-id when it is a sane token, otherwise a new UUID. */
export function requestIdFor(request: IncomingMessage): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

interface RequestState {
  readonly span: Span;
  readonly context: Context;
  readonly route: string;
  readonly startedAt: number;
}

const requestStates = new WeakMap<FastifyRequest, RequestState>();

/** The route pattern the request matched (`/releases/:id`), or `unmatched`. */
export function routeOf(request: FastifyRequest): string {
  return (!request.is404 && request.routeOptions.url) || UNMATCHED_ROUTE;
}

export interface ServedRoute {
  /** Upper case: GET, POST, … (HEAD routes Fastify adds for GET are left out). */
  method: string;
  /** The route pattern, as Fastify knows it: `/api/v1/dead-letters/:id`. */
  url: string;
}

const servedRouteLists = new WeakMap<FastifyInstance, ServedRoute[]>();

/**
 * Every route the application serves, in registration order. The OpenAPI test
 * compares them with the document, so a route nobody described fails it.
 */
export function servedRoutes(app: NestFastifyApplication): ServedRoute[] {
  return [...(servedRouteLists.get(app.getHttpAdapter().getInstance()) ?? [])];
}

// Probes and scrapes come every few seconds: their lines are debug, not info.
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

function instrument(instance: FastifyInstance, options: HttpAppOptions): void {
  const routes: ServedRoute[] = [];
  servedRouteLists.set(instance, routes);
  instance.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method.toUpperCase() !== 'HEAD') routes.push({ method: method.toUpperCase(), url: route.url });
    }
  });

  instance.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    const route = routeOf(request);
    const parent = contextFromHeaders(request.headers);
    const span = tracer().startSpan(
      `HTTP ${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          'http.route': route,
          'url.path': pathOf(request.url),
          'gantry.request.id': request.id,
        },
      },
      parent,
    );
    const active = trace.setSpan(parent, span);
    requestStates.set(request, { span, context: active, route, startedAt: performance.now() });
    // Fastify hooks do not carry AsyncLocalStorage into the handler by
    // themselves: the rest of the request's hook chain runs inside the span's
    // context from here. Body chunks arrive in socket events, outside any
    // context; binding the raw request runs its listeners (the body parser)
    // in the span's context too.
    context.bind(active, request.raw);
    context.with(active, done);
  });

  // The handler starts inside the span's context even if an asynchronous hook
  // or parser before it lost the context.
  instance.addHook('preHandler', (request, _reply, done) => {
    const state = requestStates.get(request);
    if (state) context.with(state.context, done);
    else done();
  });

  instance.addHook('onResponse', (request, reply, done) => {
    finish(request, reply.statusCode, options, false);
    done();
  });

  instance.addHook('onRequestAbort', (request, done) => {
    finish(request, 499, options, true);
    done();
  });
}

function finish(request: FastifyRequest, status: number, options: HttpAppOptions, aborted: boolean): void {
  const state = requestStates.get(request);
  if (!state) return;
  requestStates.delete(request);
  const seconds = (performance.now() - state.startedAt) / 1000;

  state.span.setAttribute('http.response.status_code', status);
  if (aborted) state.span.setAttribute('gantry.request.aborted', true);
  if (status >= 500) state.span.setStatus({ code: SpanStatusCode.ERROR });
  state.span.end();

  options.metrics.observe(request.method, state.route, status, seconds);

  const line = {
    req: {
      method: request.method,
      url: redactRequestUrl(request.url),
      route: state.route,
      remoteAddress: request.ip,
      headers: redactHeaders(request.headers),
    },
    res: { statusCode: status },
    responseTimeMs: Math.round(seconds * 1000 * 10) / 10,
  };
  const message = aborted ? 'request aborted by the client' : 'request completed';
  if (QUIET_ROUTES.has(state.route) && status < 400) request.log.debug(line, message);
  else request.log.info(line, message);
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** A copy of request headers safe to log: credentials, cookies and signatures censored. */
export function redactHeaders(headers: FastifyRequest['headers']): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) {
    copy[name] = value !== undefined && isSecretName(name) ? REDACTED : value;
  }
  return copy;
}
