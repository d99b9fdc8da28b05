import { Readable } from 'node:stream';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GANTRY_CONFIG, LOGGER } from '../../app/tokens.js';
import type { GantryConfig } from '../../config/config.js';
import type { Logger } from '../../platform/logging/logger.js';
import {
  errorMessage,
  GantryError,
  NotFoundError,
  ServiceUnavailableError,
  UnauthorizedError,
  ValidationError,
} from '../../shared/errors.js';
import {
  checkWebhookAuth,
  configuredSecret,
  isWebhookProvider,
  resolveWebhookSecret,
  WEBHOOK_SECRET_SETTINGS,
  type WebhookProvider,
} from './webhook-auth.js';
import { outcomeForStatus, WebhookMetrics, type WebhookOutcome } from './webhook-metrics.js';

// The front door of the webhook routes, before any body is parsed. A route
// is a webhook route when its Fastify route config names a provider
// (`@RouteConfig({ webhook: 'github' })`). For those, in Fastify's
// preParsing stage:
//   1. no secret configured              → 404, the body is not read
//      (a secret file that cannot be read → 503, and the log says why)
//   2. the body is read, at most 1 MiB   → 413 beyond (by Content-Length, or while reading a chunked body)
//   3. the signature or token is checked → 401, before the body is parsed
// and only then does the JSON parser see the body (a replay of the bytes
// read). The handler finds the verified raw body with `verified(request)`;
// a request that did not pass here has none and is refused.
// Every webhook response is counted once, by provider and outcome.

/** The largest webhook body accepted. */
export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

export class PayloadTooLargeError extends GantryError {
  readonly status = 413;
  readonly code = 'payload_too_large';
}

/** Route config of a webhook route: `@RouteConfig(webhookRoute('github'))`. */
export function webhookRoute(provider: WebhookProvider): { webhook: WebhookProvider } {
  return { webhook: provider };
}

/** The provider of a webhook route; undefined for every other route. */
export function webhookProviderOf(request: FastifyRequest): WebhookProvider | undefined {
  if (request.is404) return undefined;
  const config = request.routeOptions.config as { webhook?: unknown } | undefined;
  return isWebhookProvider(config?.webhook) ? config.webhook : undefined;
}

export interface VerifiedDelivery {
  provider: WebhookProvider;
  /** The body exactly as it arrived, which the signature covers. */
  rawBody: Buffer;
}

@Injectable()
export class WebhookIntake implements OnModuleInit {
  private readonly verifiedRequests = new WeakMap<FastifyRequest, VerifiedDelivery>();
  private readonly outcomes = new WeakMap<FastifyRequest, WebhookOutcome>();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: WebhookMetrics,
    @Inject(GANTRY_CONFIG) private readonly config: GantryConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Runs before the HTTP server is ready, so the hooks apply to every route (Fastify binds them at ready). */
  onModuleInit(): void {
    const instance = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!instance) return;
    instance.addHook('preParsing', (request, reply, payload) => this.preParsing(request, reply, payload));
    instance.addHook('onResponse', (request, reply, done) => {
      this.count(request, reply.statusCode);
      done();
    });
  }

  /** The verified delivery of a webhook request; refuses one that did not pass the front door. */
  verified(request: FastifyRequest, provider: WebhookProvider): VerifiedDelivery {
    const delivery = this.verifiedRequests.get(request);
    if (!delivery || delivery.provider !== provider) {
      throw new UnauthorizedError(`the ${provider} webhook delivery was not verified`);
    }
    return delivery;
  }

  /** What the handler made of the delivery, for the deliveries metric. */
  setOutcome(request: FastifyRequest, outcome: WebhookOutcome): void {
    this.outcomes.set(request, outcome);
  }

  private async preParsing(
    request: FastifyRequest,
    reply: FastifyReply,
    payload: Readable,
  ): Promise<Readable> {
    const provider = webhookProviderOf(request);
    if (!provider) return payload;
    const configured = configuredSecret(this.config, provider);
    if (configured === undefined) {
      this.outcomes.set(request, 'not_configured');
      throw new NotFoundError(
        `the ${provider} webhook is not enabled on this Gantry; set ${WEBHOOK_SECRET_SETTINGS[provider]} to enable it`,
      );
    }
    let secret: string;
    try {
      secret = await resolveWebhookSecret(provider, configured);
    } catch (error) {
      // The message names the reference (file:/path), never the secret.
      this.logger.warn({ provider, error: errorMessage(error) }, 'webhook secret cannot be read');
      throw new ServiceUnavailableError(
        `the ${provider} webhook's secret cannot be read right now; the server log says why`,
      );
    }
    const rawBody = await readLimited(request, payload, WEBHOOK_BODY_LIMIT_BYTES);
    const failure = checkWebhookAuth(provider, request.headers, rawBody, secret);
    if (failure) {
      if (failure.challenge) void reply.header('www-authenticate', failure.challenge);
      throw new UnauthorizedError(failure.message);
    }
    this.verifiedRequests.set(request, { provider, rawBody });
    return Readable.from([rawBody], { objectMode: false });
  }

  private count(request: FastifyRequest, status: number): void {
    const provider = webhookProviderOf(request);
    if (!provider) return;
    const recorded = this.outcomes.get(request);
    const outcome =
      recorded !== undefined && (status < 400 || recorded === 'not_configured')
        ? recorded
        : outcomeForStatus(status);
    this.metrics.count(provider, outcome);
  }
}

function tooLarge(limit: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`the webhook body is larger than the limit of ${limit} bytes`);
}

/**
 * The whole body, refusing it as soon as it passes `limit` bytes. What follows
 * is discarded unread, as Fastify does past its own body limit (Node's
 * request timeout bounds a sender that never stops); a body whose
 * Content-Length is over the limit is refused before a byte is read.
 */
function readLimited(request: FastifyRequest, payload: Readable, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      payload.off('data', onData);
      payload.off('end', onEnd);
      payload.off('error', onError);
      payload.off('close', onClose);
    };
    const onData = (chunk: Buffer | string) => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size > limit) {
        cleanup();
        payload.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(buffer);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = () => {
      cleanup();
      reject(new ValidationError('the request body could not be read'));
    };
    const onClose = () => {
      cleanup();
      reject(new ValidationError('the request body ended before it was complete'));
    };
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onError);
    payload.on('close', onClose);
  });
}
