import { createHash } from 'node:crypto';
import {
  Inject,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { DATABASE, LOGGER } from '../../app/tokens.js';
import type { DatabaseHandle } from '../../platform/database/database.js';
import { PROBLEM_CONTENT_TYPE, problemForGantryError } from '../../platform/http/exception-filter.js';
import type { Logger } from '../../platform/logging/logger.js';
import { ConflictError, errorMessage, GantryError, ValidationError } from '../../shared/errors.js';
import { requestActor, WITHOUT_IDEMPOTENCY_KEY } from './access.decorators.js';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  findIdempotencyKey,
  pruneIdempotencyKeys,
  releaseIdempotencyKey,
  type IdempotencyClaim,
  type IdempotencyRecord,
} from './idempotency.repository.js';
import { nowAndThen } from '../../shared/now-and-then.js';

// Idempotency-Key on POST: a client that retries a request (after a timeout,
// a dropped connection) sends the same key and gets the first answer back
// instead of doing the work twice.
//
//   first request       → key stored in_progress, the handler runs, its answer
//                         (or its 4xx refusal) is stored
//   same key, same request → the stored answer, with Idempotent-Replayed: true
//   same key, other request → 422
//   same key while the first still runs → 409
//   a 5xx or unexpected error → the key is forgotten, so a retry runs again
//
// Keys belong to the caller (the token's name) and are kept 24 hours. The
// answer is stored after the handler's own transaction commits: a crash in
// between leaves the key in progress until IN_PROGRESS_ABANDONED_MS passes.

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';
/** 1 to 200 visible ASCII characters. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;
/** A key still in progress after this long belongs to a request that died with its process. */
export const IN_PROGRESS_ABANDONED_MS = 10 * 60 * 1000;
const PRUNE_INTERVAL_MS = 10 * 60 * 1000;

export class IdempotencyKeyReusedError extends GantryError {
  readonly status = 422;
  readonly code = 'idempotency_key_reused';
}

export class IdempotencyKeyInProgressError extends ConflictError {
  override readonly code = 'idempotency_key_in_progress';
}

/** JSON with object keys sorted, so that key order does not make two bodies differ. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return '';
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(
          Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : item,
  );
}

export function requestHash(method: string, url: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()} ${url}\n${canonicalJson(body)}`)
    .digest('hex');
}

type Claimed = { kind: 'claimed' } | { kind: 'replay'; status: number; body: unknown };

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  /** Deletes keys older than 24 hours, at most every ten minutes, without holding up the request. */
  private readonly pruneNowAndThen = nowAndThen(
    PRUNE_INTERVAL_MS,
    () => pruneIdempotencyKeys(this.database.db, new Date(Date.now() - IDEMPOTENCY_KEY_TTL_MS)),
    (error) => this.logger.warn({ error: errorMessage(error) }, 'pruning old Idempotency-Keys failed'),
  );

  constructor(
    private readonly reflector: Reflector,
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const header = request.headers[IDEMPOTENCY_KEY_HEADER];
    if (request.method !== 'POST' || header === undefined) return next.handle();
    const skip = this.reflector.getAllAndOverride<boolean>(WITHOUT_IDEMPOTENCY_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const actor = requestActor(request);
    // Public routes (webhooks) have no caller to scope keys to, and carry their own delivery ids.
    if (skip || !actor) return next.handle();
    if (typeof header !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(header)) {
      throw new ValidationError(
        'Idempotency-Key must be 1 to 200 visible ASCII characters, sent once; a UUID is a good choice',
      );
    }
    const claim: IdempotencyClaim = {
      actor: actor.name,
      key: header,
      method: request.method,
      path: request.url,
      requestHash: requestHash(request.method, request.url, request.body),
    };
    return from(this.run(claim, request, http.getResponse<FastifyReply>(), next));
  }

  private async run(
    claim: IdempotencyClaim,
    request: FastifyRequest,
    reply: FastifyReply,
    next: CallHandler,
  ): Promise<unknown> {
    this.pruneNowAndThen();
    const claimed = await this.claim(claim);
    if (claimed.kind === 'replay') {
      void reply.status(claimed.status).header(IDEMPOTENT_REPLAYED_HEADER, 'true');
      if (claimed.status >= 400) void reply.header('content-type', PROBLEM_CONTENT_TYPE);
      return claimed.body;
    }
    let result: unknown;
    try {
      result = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (error) {
      if (error instanceof GantryError && error.status < 500) {
        await this.store(claim, error.status, problemForGantryError(error, request.id));
      } else {
        await releaseIdempotencyKey(this.database.db, claim.actor, claim.key).catch((releaseError: unknown) =>
          this.logger.warn(
            { error: errorMessage(releaseError) },
            'could not forget an Idempotency-Key after a failed request; a retry waits until it is abandoned',
          ),
        );
      }
      throw error;
    }
    await this.store(
      claim,
      reply.statusCode,
      result === undefined ? null : (JSON.parse(JSON.stringify(result)) as unknown),
    );
    return result;
  }

  /** Stores the answer; a failure to store is logged, and the caller still gets the answer. */
  private async store(claim: IdempotencyClaim, status: number, body: unknown): Promise<void> {
    try {
      await completeIdempotencyKey(this.database.db, claim.actor, claim.key, { status, body });
    } catch (error) {
      this.logger.warn({ error: errorMessage(error) }, 'could not store the answer for an Idempotency-Key');
    }
  }

  private async claim(claim: IdempotencyClaim): Promise<Claimed> {
    const { db } = this.database;
    // A claim loses only to a stored record; an expired or abandoned one is removed and
    // the claim tried again. Three rounds cover a record disappearing between the two reads.
    for (let round = 0; round < 3; round += 1) {
      if (await claimIdempotencyKey(db, claim)) return { kind: 'claimed' };
      const existing = await findIdempotencyKey(db, claim.actor, claim.key);
      if (!existing) continue;
      if (this.expired(existing)) {
        await releaseIdempotencyKey(db, claim.actor, claim.key, existing.createdAt);
        continue;
      }
      if (existing.requestHash !== claim.requestHash) {
        throw new IdempotencyKeyReusedError(
          `idempotency key reused with a different request: it was first used for ${existing.method} ${existing.path} with another body; use a new key for a new request`,
        );
      }
      if (existing.status === 'in_progress') {
        throw new IdempotencyKeyInProgressError(
          'a request with this Idempotency-Key is still in progress; retry after it finishes to get its answer',
        );
      }
      return { kind: 'replay', status: existing.responseStatus ?? 200, body: existing.responseBody };
    }
    throw new IdempotencyKeyInProgressError(
      'a request with this Idempotency-Key is still in progress; retry after it finishes to get its answer',
    );
  }

  private expired(record: IdempotencyRecord): boolean {
    const age = Date.now() - record.createdAt.getTime();
    return (
      age >= IDEMPOTENCY_KEY_TTL_MS || (record.status === 'in_progress' && age >= IN_PROGRESS_ABANDONED_MS)
    );
  }
}
