import { Writable } from 'node:stream';
import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../platform/http/http-app.js';
import { createLogger } from '../../platform/logging/logger.js';
import { BackboneMetrics } from '../events/backbone-metrics.js';
import { HttpMetrics, MetricsRegistry } from '../../platform/metrics/metrics.js';
import {
  HealthModule,
  READINESS_CHECKS,
  runReadinessCheck,
  type ReadinessCheck,
} from './health.controller.js';

const state = { databaseUp: true, brokerError: undefined as Error | undefined };

const databaseCheck: ReadinessCheck = {
  name: 'database',
  check: () =>
    Promise.resolve(
      state.databaseUp ? { ok: true } : { ok: false, detail: 'PostgreSQL at db:5432 refused the connection' },
    ),
};

@Module({ providers: [{ provide: READINESS_CHECKS, useValue: databaseCheck }] })
class DatabaseModule {}

@Module({
  providers: [
    {
      provide: READINESS_CHECKS,
      useFactory: (): ReadinessCheck[] => [
        {
          name: 'broker',
          check: () =>
            state.brokerError
              ? Promise.reject(state.brokerError)
              : Promise.resolve({ ok: true, detail: 'connected' }),
        },
        { name: 'relay', check: () => Promise.resolve({ ok: true }) },
      ],
    },
  ],
})
class EventsModule {}

const registry = new MetricsRegistry();
const backbone = new BackboneMetrics(registry);
backbone.setDeadLetterCountSource(() => Promise.resolve(3));

@Module({ imports: [HealthModule.forRoot(registry), DatabaseModule, EventsModule] })
class AppModule {}

const silent = new Writable({ write: (_chunk, _encoding, callback) => callback() });
let app: NestFastifyApplication;

beforeAll(async () => {
  app = await createHttpApp(AppModule, {
    logger: createLogger({ level: 'info', format: 'json' }, silent),
    metrics: new HttpMetrics(registry),
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
});

afterAll(async () => {
  await app.close();
});

beforeEach(() => {
  state.databaseUp = true;
  state.brokerError = undefined;
});

describe('/healthz', () => {
  it('answers 200 while the process is alive, whatever its dependencies', async () => {
    state.databaseUp = false;
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });
});

describe('/readyz', () => {
  it('answers 200 when every check from every module passes', async () => {
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ status: string; checks: { name: string }[] }>();
    expect(body.status).toBe('ready');
    expect(body.checks.map((check) => check.name).sort()).toEqual(['broker', 'database', 'relay']);
    expect(body.checks).toContainEqual({ name: 'broker', ok: true, detail: 'connected' });
  });

  it('answers 503 with the failing checks and why', async () => {
    state.databaseUp = false;
    state.brokerError = new Error('connect ECONNREFUSED amqp://gantry:hunter2@rabbitmq:5672');
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    const body = response.json<{ status: string; checks: unknown[] }>();
    expect(body.status).toBe('not_ready');
    expect(body.checks).toEqual(
      expect.arrayContaining([
        { name: 'database', ok: false, detail: 'PostgreSQL at db:5432 refused the connection' },
        { name: 'broker', ok: false, detail: 'connect ECONNREFUSED amqp://gantry:***@rabbitmq:5672' },
        { name: 'relay', ok: true },
      ]),
    );
    expect(response.body).not.toContain('hunter2');
  });
});

describe('/metrics', () => {
  it('serves the registry in the Prometheus text format', async () => {
    await app.inject({ method: 'GET', url: '/healthz' });
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe(registry.contentType);
    expect(response.body).toContain('# TYPE gantry_process_cpu_seconds_total counter');
    expect(response.body).toContain('gantry_dead_letters 3');
    expect(response.body).toMatch(
      /gantry_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/,
    );
  });
});

describe('runReadinessCheck', () => {
  it('fails a check that does not answer in time', async () => {
    const hanging: ReadinessCheck = { name: 'slow', check: () => new Promise(() => undefined) };
    expect(await runReadinessCheck(hanging, 20)).toEqual({
      name: 'slow',
      ok: false,
      detail: 'no answer within 20 ms',
    });
  });

  it('treats a throw as a failure with the redacted message', async () => {
    const throwing: ReadinessCheck = {
      name: 'database',
      check: () => {
        throw new Error('bad url postgres://u:pw@h/db');
      },
    };
    expect(await runReadinessCheck(throwing)).toEqual({
      name: 'database',
      ok: false,
      detail: 'bad url postgres://u:***@h/db',
    });
  });
});
