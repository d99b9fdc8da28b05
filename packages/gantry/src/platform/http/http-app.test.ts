import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { Writable } from 'node:stream';
import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  Module,
  Param,
  Post,
  Req,
  type RawBodyRequest,
} from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConflictError } from '../../shared/errors.js';
import { createLogger } from '../logging/logger.js';
import { HttpMetrics, MetricsRegistry } from '../metrics/metrics.js';
import { initTracing, traceHeaders, type TracingHandle } from '../telemetry/tracing.js';
import { createHttpApp } from './http-app.js';
import { ZodValidationPipe } from './validation.js';

const itemSchema = z.object({
  name: z.string().min(1),
  replicas: z.number().int().positive(),
  stages: z.array(z.object({ target: z.string() })).default([]),
});

function activeTrace() {
  return { headers: traceHeaders(), traceId: trace.getActiveSpan()?.spanContext().traceId };
}

@Controller('test')
class TestController {
  @Get('items/:id')
  item(@Param('id') id: string) {
    return { id };
  }

  @Post('items')
  create(@Body(new ZodValidationPipe(itemSchema)) body: z.output<typeof itemSchema>) {
    return body;
  }

  @Get('conflict')
  conflict(): never {
    throw new ConflictError('release 2026.01.1 is already being promoted to qa', { stage: 'qa' });
  }

  @Get('refused')
  refused(): never {
    throw new ConflictError('release 2026.01.3 cannot enter prod', {
      explanations: [
        { kind: 'gate', name: 'tests', state: 'failed', reason: '3 of 412 tests failed' },
        { kind: 'gate', name: 'coverage', state: 'passed', reason: 'coverage 84% ≥ 80%' },
      ],
    });
  }

  @Get('sneaky')
  sneaky(): never {
    throw new ConflictError('sneaky', { status: 200, type: 'about:blank', code: 'ok', other: 1 });
  }

  @Get('forbidden')
  forbidden(): never {
    throw new ForbiddenException('only the owning team can approve prod');
  }

  @Get('boom')
  boom(): never {
    throw new Error('query failed on postgres://gantry:hunter2@db:5432/gantry');
  }

  @Post('webhook')
  webhook(@Req() request: RawBodyRequest<FastifyRequest>) {
    return { raw: request.rawBody?.toString('utf8') };
  }

  @Get('trace')
  async traceGet() {
    await delay(1);
    return activeTrace();
  }

  @Post('trace')
  async tracePost(@Body() body: unknown) {
    await delay(1);
    return { ...activeTrace(), body };
  }
}

@Module({ controllers: [TestController] })
class TestModule {}

class MemoryDestination extends Writable {
  lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    callback();
  }
}

const exporter = new InMemorySpanExporter();
const logs = new MemoryDestination();
const registry = new MetricsRegistry({ defaultMetrics: false });
let tracing: TracingHandle;
let app: NestFastifyApplication;
let startupLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  tracing = initTracing({ serviceName: 'gantry-http-test', exporter });
  app = await createHttpApp(TestModule, {
    logger: createLogger({ level: 'debug', format: 'json' }, logs),
    metrics: new HttpMetrics(registry),
    bodyLimitBytes: 1024,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  startupLines = [...logs.lines];
});

afterAll(async () => {
  await app.close();
  await tracing.shutdown();
});

beforeEach(() => {
  exporter.reset();
  logs.lines = [];
});

function serverSpans(): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.SERVER);
}

describe('request ids', () => {
  it('reuses a sane incoming x-request-id and echoes it', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/test/items/7',
      headers: { 'x-request-id': 'ci-run-42.7' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ id: '7' });
    expect(response.headers['x-request-id']).toBe('ci-run-42.7');
  });

  it('replaces a missing, oversized or odd x-request-id with a UUID', async () => {
    for (const headers of [{}, { 'x-request-id': 'x'.repeat(129) }, { 'x-request-id': 'a b<script>' }]) {
      const response = await app.inject({ method: 'GET', url: '/test/items/1', headers });
      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('is echoed on error responses too', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/nowhere',
      headers: { 'x-request-id': 'req-404' },
    });
    expect(response.headers['x-request-id']).toBe('req-404');
  });
});

describe('bodies', () => {
  it('keeps the raw body for signature checks', async () => {
    const payload = '{"ref":"refs/heads/main",  "after":"abc"}';
    const response = await app.inject({
      method: 'POST',
      url: '/test/webhook',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    expect(response.json()).toEqual({ raw: payload });
  });
});

describe('error mapping', () => {
  it('maps a GantryError to problem+json with its status, code, message and details as extensions', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/test/conflict',
      headers: { 'x-request-id': 'req-409' },
    });
    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response.json()).toEqual({
      type: 'https://gantry.dev/problems/conflict',
      title: 'Conflict',
      status: 409,
      detail: 'release 2026.01.1 is already being promoted to qa',
      code: 'conflict',
      requestId: 'req-409',
      stage: 'qa',
    });
  });

  it('lists the explanations of a refusal as an extension member', async () => {
    const response = await app.inject({ method: 'GET', url: '/test/refused' });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({
      code: 'conflict',
      detail: 'release 2026.01.3 cannot enter prod',
      explanations: [
        { kind: 'gate', name: 'tests', state: 'failed', reason: '3 of 412 tests failed' },
        { kind: 'gate', name: 'coverage', state: 'passed', reason: 'coverage 84% ≥ 80%' },
      ],
    });
  });

  it('keeps the standard members when details try to override them', async () => {
    const response = await app.inject({ method: 'GET', url: '/test/sneaky' });
    const body = response.json<Record<string, unknown>>();
    expect(body).toMatchObject({ status: 409, code: 'conflict', detail: 'sneaky', other: 1 });
    expect(body.type).toBe('https://gantry.dev/problems/conflict');
  });

  it('maps a Nest HttpException to its status in the same shape', async () => {
    const response = await app.inject({ method: 'GET', url: '/test/forbidden' });
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({
      type: 'https://gantry.dev/problems/forbidden',
      title: 'Forbidden',
      status: 403,
      code: 'forbidden',
      detail: 'only the owning team can approve prod',
    });
  });

  it('answers invalid input with 400 and every problem listed', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/test/items',
      payload: { name: '', replicas: 1.5, stages: [{ target: 3 }] },
    });
    expect(response.statusCode).toBe(400);
    const problem = response.json<{ code: string; title: string; detail: string; issues: unknown }>();
    expect(problem.code).toBe('validation_failed');
    expect(problem.title).toBe('Validation failed');
    expect(problem.detail).toMatch(/^Invalid request body: /);
    expect(problem.detail).toContain('name: ');
    expect(problem.detail).toContain('replicas: ');
    expect(problem.detail).toContain('stages[0].target: ');
    expect(problem.issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'stages[0].target' })]),
    );
  });

  it('passes valid input through the schema', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/test/items',
      payload: { name: 'api', replicas: 2 },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ name: 'api', replicas: 2, stages: [] });
  });

  it('answers an unknown route with a JSON 404', async () => {
    const response = await app.inject({ method: 'GET', url: '/releases/unknown?token=abc' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({
      type: 'https://gantry.dev/problems/route_not_found',
      status: 404,
      code: 'route_not_found',
      detail: 'No route for GET /releases/unknown',
    });
  });

  it('answers an oversized body with 413', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/test/items',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(2048), replicas: 1 }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({
      status: 413,
      code: 'payload_too_large',
      detail: 'Request body is larger than the limit of 1024 bytes',
    });
  });

  it('answers malformed JSON with 400', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/test/items',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": "api",',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      status: 400,
      code: 'invalid_json',
      detail: 'Request body is not valid JSON',
    });
  });

  it('answers an empty JSON body with 400', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/test/items',
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ code: string }>().code).toBe('invalid_json');
  });

  it('answers an unexpected error with 500 naming the request id, and logs it redacted', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/test/boom',
      headers: { 'x-request-id': 'req-500' },
    });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      type: 'https://gantry.dev/problems/internal',
      title: 'Internal error',
      status: 500,
      detail: 'Internal error; see the server log for request id req-500',
      code: 'internal',
      requestId: 'req-500',
    });
    expect(response.body).not.toContain('hunter2');
    expect(response.body).not.toContain('postgres');
    expect(response.body).not.toMatch(/\bat /);

    const logged = logs.lines.find((line) => line.msg === 'request failed with an unexpected error');
    expect(logged).toMatchObject({ level: 'error', reqId: 'req-500' });
    const err = logged!.err as { message: string; stack: string };
    expect(err.message).toBe('query failed on postgres://gantry:***@db:5432/gantry');
    expect(err.stack).toContain('TestController.boom');
    expect(JSON.stringify(logs.lines)).not.toContain('hunter2');

    const [span] = serverSpans();
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.events.map((event) => event.name)).toContain('exception');
  });
});

describe('tracing', () => {
  const incomingTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const incomingSpanId = '00f067aa0ba902b7';
  const traceparent = `00-${incomingTraceId}-${incomingSpanId}-01`;

  it('continues the incoming traceparent in a SERVER span that is active in the controller', async () => {
    const response = await app.inject({ method: 'GET', url: '/test/trace', headers: { traceparent } });
    const body = response.json<{ headers: Record<string, string>; traceId: string }>();
    expect(body.traceId).toBe(incomingTraceId);
    expect(response.headers['x-request-id']).toBeDefined();

    const [span] = serverSpans();
    expect(span!.name).toBe('HTTP GET /test/trace');
    expect(span!.spanContext().traceId).toBe(incomingTraceId);
    expect(span!.parentSpanContext?.spanId).toBe(incomingSpanId);
    expect(body.headers.traceparent).toBe(`00-${incomingTraceId}-${span!.spanContext().spanId}-01`);
    expect(span!.attributes['http.route']).toBe('/test/trace');
    expect(span!.attributes['http.response.status_code']).toBe(200);
    expect(span!.attributes['gantry.request.id']).toBe(response.headers['x-request-id']);
  });

  it('keeps the span active after the body is parsed', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/test/trace',
      headers: { traceparent },
      payload: { hello: 'world' },
    });
    const body = response.json<{ traceId: string; body: unknown }>();
    expect(body).toMatchObject({ traceId: incomingTraceId, body: { hello: 'world' } });
  });

  it('keeps the span active over a real socket when the body arrives after the headers', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.getHttpServer().address() as AddressInfo;
    const payload = JSON.stringify({ late: 'body' });
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/test/trace',
          headers: {
            traceparent,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        },
      );
      request.on('error', reject);
      // Headers now, body in a later packet: Fastify has finished its hooks
      // and waits for the body in socket events.
      request.flushHeaders();
      setTimeout(() => request.end(payload), 50);
    });
    expect(status).toBe(201);
    const body = JSON.parse(text) as { traceId: string; headers: Record<string, string>; body: unknown };
    expect(body.body).toEqual({ late: 'body' });
    expect(body.traceId).toBe(incomingTraceId);
    const [span] = serverSpans();
    expect(body.headers.traceparent).toBe(`00-${incomingTraceId}-${span!.spanContext().spanId}-01`);
  });

  it('starts a new trace without a traceparent, and one span per request', async () => {
    const first = (await app.inject({ method: 'GET', url: '/test/trace' })).json<{ traceId: string }>();
    const second = (await app.inject({ method: 'GET', url: '/test/trace' })).json<{ traceId: string }>();
    expect(first.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(first.traceId).not.toBe(second.traceId);
    expect(serverSpans()).toHaveLength(2);
  });

  it('names the span of an unmatched request without its URL', async () => {
    await app.inject({ method: 'GET', url: '/does/not/exist' });
    const [span] = serverSpans();
    expect(span!.name).toBe('HTTP GET unmatched');
    expect(span!.attributes['http.response.status_code']).toBe(404);
  });
});

describe('request logging and metrics', () => {
  it('logs one line per completed request with the request id and redacted headers, no body', async () => {
    await app.inject({
      method: 'POST',
      url: '/test/items?token=abc&page=2',
      headers: { authorization: 'Bearer s3cret', 'x-request-id': 'req-log', 'x-gitlab-token': 'glt-s3cret' },
      payload: { name: 'api', replicas: 1, password: 'hunter2' },
    });
    const completed = logs.lines.filter((line) => line.msg === 'request completed');
    expect(completed).toHaveLength(1);
    const [line] = completed;
    expect(line).toMatchObject({
      level: 'info',
      reqId: 'req-log',
      req: {
        method: 'POST',
        url: '/test/items?token=***&page=2',
        route: '/test/items',
        headers: { authorization: '***', 'x-gitlab-token': '***' },
      },
      res: { statusCode: 201 },
    });
    expect(typeof line!.responseTimeMs).toBe('number');
    const text = JSON.stringify(logs.lines);
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('hunter2');
  });

  it('records requests by route pattern, not by URL', async () => {
    await app.inject({ method: 'GET', url: '/test/items/1' });
    await app.inject({ method: 'GET', url: '/test/items/2' });
    await app.inject({ method: 'GET', url: '/unknown/path' });
    const text = await registry.metrics();
    expect(text).toMatch(
      /gantry_http_requests_total\{method="GET",route="\/test\/items\/:id",status="200"\} \d+/,
    );
    expect(text).toMatch(/gantry_http_requests_total\{method="GET",route="unmatched",status="404"\} \d+/);
    expect(text).toMatch(
      /gantry_http_request_duration_seconds_count\{method="GET",route="\/test\/items\/:id"\} \d+/,
    );
    expect(text).not.toContain('/test/items/1');
    expect(text).not.toContain('/unknown/path');
  });

  it('routes Nest framework logs through pino', () => {
    expect(startupLines).toContainEqual(
      expect.objectContaining({
        level: 'debug',
        context: 'RouterExplorer',
        msg: expect.stringContaining('/test/items') as unknown,
      }),
    );
  });
});
