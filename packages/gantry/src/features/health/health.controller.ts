import { Controller, Get, Inject, Module, Res, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import type { MetricsRegistry } from '../../platform/metrics/metrics.js';
import { errorMessage } from '../../shared/errors.js';
import { redactText } from '../../shared/redact.js';

// Liveness (/healthz), readiness (/readyz) and Prometheus metrics (/metrics).
//
// Readiness checks come from the features that own what they check: a module
// provides READINESS_CHECKS, with one check or an array of them, e.g.
//   { provide: READINESS_CHECKS, useFactory: (db) => databaseCheck(db), inject: [DATABASE] }
// Nest has no multi-providers, so every provider under that token, in every
// module, is collected (one module may provide the token once; use an array
// for several checks).

/** The token under which modules provide their ReadinessCheck (or ReadinessCheck[]). */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

/** The token of the MetricsRegistry served at /metrics. */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

export interface ReadinessCheck {
  /** Short and stable: `database`, `broker`, `relay`. */
  name: string;
  /** ok false (or a throw, or no answer within 2 s) makes the process not ready; detail says why. */
  check(): Promise<{ ok: boolean; detail?: string }>;
}

export interface ReadinessResult {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface ReadinessReport {
  status: 'ready' | 'not_ready';
  checks: ReadinessResult[];
}

export const READINESS_TIMEOUT_MS = 2_000;

/** Runs one check, bounded by the timeout; never rejects. */
export async function runReadinessCheck(
  check: ReadinessCheck,
  timeoutMs = READINESS_TIMEOUT_MS,
): Promise<ReadinessResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ReadinessResult>((resolve) => {
    timer = setTimeout(
      () => resolve({ name: check.name, ok: false, detail: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  const run = (async (): Promise<ReadinessResult> => {
    try {
      const result = await check.check();
      const outcome: ReadinessResult = { name: check.name, ok: result.ok === true };
      if (result.detail !== undefined) outcome.detail = redactText(result.detail);
      return outcome;
    } catch (error) {
      return { name: check.name, ok: false, detail: redactText(errorMessage(error)) };
    }
  })();
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function isReadinessCheck(value: unknown): value is ReadinessCheck {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<ReadinessCheck>).name === 'string' &&
    typeof (value as Partial<ReadinessCheck>).check === 'function'
  );
}

@Controller()
export class HealthController {
  private checks: ReadinessCheck[] | undefined;

  constructor(
    @Inject(METRICS_REGISTRY) private readonly registry: MetricsRegistry,
    private readonly discovery: DiscoveryService,
  ) {}

  /** Alive: the process answers. Says nothing about its dependencies. */
  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Ready for traffic: every readiness check passes (503 otherwise, with the reasons). */
  @Get('readyz')
  async readyz(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessReport> {
    const checks = await Promise.all(this.readinessChecks().map((check) => runReadinessCheck(check)));
    const ready = checks.every((check) => check.ok);
    void reply.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not_ready', checks };
  }

  @Get('metrics')
  async metrics(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const text = await this.registry.metrics();
    void reply.header('content-type', this.registry.contentType);
    return text;
  }

  private readinessChecks(): ReadinessCheck[] {
    this.checks ??= this.discovery
      .getProviders()
      .filter((wrapper) => wrapper.token === READINESS_CHECKS && wrapper.isDependencyTreeStatic())
      .flatMap((wrapper): unknown[] => {
        const instance: unknown = wrapper.instance;
        return Array.isArray(instance) ? instance : [instance];
      })
      .filter(isReadinessCheck);
    return this.checks;
  }
}

/**
 * /healthz, /readyz and /metrics. `HealthModule.forRoot(registry)` provides the
 * registry; importing HealthModule alone expects METRICS_REGISTRY from a global module.
 */
@Module({
  imports: [DiscoveryModule],
  controllers: [HealthController],
})
export class HealthModule {
  static forRoot(registry: MetricsRegistry): DynamicModule {
    return {
      module: HealthModule,
      providers: [{ provide: METRICS_REGISTRY, useValue: registry }],
      exports: [METRICS_REGISTRY],
    };
  }
}
