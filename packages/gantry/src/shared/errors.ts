// Errors that carry their own HTTP meaning. Services throw these; the HTTP
// error filter maps them to status codes, and the CLI prints their message.
// Messages are written for the person who has to act on them.

export abstract class GantryError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The input was well-formed JSON/YAML but not what the operation accepts. */
export class ValidationError extends GantryError {
  readonly status = 400;
  readonly code = 'validation_failed';
}

/** No credentials, or credentials Gantry does not accept (unknown or revoked API token). */
export class UnauthorizedError extends GantryError {
  readonly status = 401;
  readonly code: string = 'unauthorized';
}

/** The caller is known but may not do this; the message says what it would need. */
export class ForbiddenError extends GantryError {
  readonly status = 403;
  readonly code: string = 'forbidden';
}

export class NotFoundError extends GantryError {
  readonly status = 404;
  readonly code = 'not_found';
}

/**
 * The operation lost a race or contradicts stored state: a stale aggregate
 * version, a duplicate that differs from what exists, a second active promotion.
 */
export class ConflictError extends GantryError {
  readonly status = 409;
  readonly code: string = 'conflict';
}

/** A stale write to an aggregate with a version column (optimistic locking). */
export class StaleVersionError extends ConflictError {
  override readonly code = 'stale_version';
  constructor(
    readonly aggregate: string,
    readonly id: string,
    readonly expectedVersion: number,
  ) {
    super(
      `${aggregate} ${id} was changed by someone else (expected version ${expectedVersion}); reload it and try again`,
    );
  }
}

export class ServiceUnavailableError extends GantryError {
  readonly status = 503;
  readonly code = 'unavailable';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Start-up cannot go on for a reason the operator can fix (port taken, bad address). */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}
