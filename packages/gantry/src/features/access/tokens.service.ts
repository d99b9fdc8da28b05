import { Inject, Injectable } from '@nestjs/common';
import { DATABASE } from '../../app/tokens.js';
import type { DatabaseHandle } from '../../platform/database/database.js';
import { ConflictError, NotFoundError, UnauthorizedError } from '../../shared/errors.js';
import { uuidv7 } from '../../shared/uuidv7.js';
import { assertRole, type Actor, type Role } from './actor.js';
import { recordAudit } from './audit.repository.js';
import { generateTokenSecret, hashToken, looksLikeToken } from './token-secret.js';
import {
  findTokenByHash,
  findTokenForUpdate,
  insertTokenUnlessNameTaken,
  listTokens,
  lockActiveAdminTokens,
  markTokenRevoked,
  touchTokenLastUsed,
  type ApiToken,
} from './tokens.repository.js';

/** last_used_at is written at most this often per token, not on every request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export const MISSING_TOKEN_MESSAGE = 'missing bearer token: pass GANTRY_TOKEN or --token';
export const UNKNOWN_TOKEN_MESSAGE = 'unknown or revoked API token';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface NewToken {
  name: string;
  role: Role;
  /** null or absent: every stage. */
  stages?: string[] | null;
}

export interface CreatedToken {
  token: ApiToken;
  /** The token itself; Gantry keeps only its hash, so this is the only time it exists. */
  secret: string;
}

/**
 * API tokens: creating (the secret is returned once), listing, revoking, and
 * turning a presented secret into an Actor. Authentication reads the database
 * on every request (one indexed lookup by hash) and caches nothing, so a
 * revocation takes effect on the very next request.
 */
@Injectable()
export class TokensService {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  async create(actor: Actor, input: NewToken): Promise<CreatedToken> {
    assertRole(actor, 'admin', 'create API tokens');
    const generated = generateTokenSecret();
    const stages = input.stages && input.stages.length > 0 ? [...input.stages] : null;
    const token = await this.database.db.transaction(async (tx) => {
      const row = await insertTokenUnlessNameTaken(tx, {
        id: uuidv7(),
        name: input.name,
        role: input.role,
        stages,
        tokenHash: generated.hash,
        prefix: generated.prefix,
        createdBy: actor.name,
        createdAt: new Date(),
      });
      if (!row) {
        throw new ConflictError(
          `an API token named "${input.name}" already exists; pick another name (the names of revoked tokens stay taken, so the audit log keeps meaning one token per name)`,
        );
      }
      await recordAudit(tx, {
        actor,
        action: 'token.create',
        target: `token/${row.name}`,
        details: { id: row.id, role: row.role, stages: row.stages ?? null },
      });
      return row;
    });
    return { token, secret: generated.secret };
  }

  list(): Promise<ApiToken[]> {
    return listTokens(this.database.db);
  }

  /**
   * Revokes a token by id or name. Revoking a revoked token changes nothing.
   * The last active admin token cannot be revoked: nobody could manage tokens after it.
   */
  async revoke(actor: Actor, idOrName: string, reason?: string): Promise<ApiToken> {
    assertRole(actor, 'admin', 'revoke API tokens');
    return this.database.db.transaction(async (tx) => {
      const admins = await lockActiveAdminTokens(tx);
      const row =
        (UUID.test(idOrName) ? await findTokenForUpdate(tx, { id: idOrName }) : undefined) ??
        (await findTokenForUpdate(tx, { name: idOrName }));
      if (!row) {
        throw new NotFoundError(
          `there is no API token with id or name "${idOrName}"; list them with: gantry token list`,
        );
      }
      if (row.revokedAt) return row;
      if (row.role === 'admin' && admins.length === 1 && admins[0] === row.id) {
        throw new ConflictError(
          `"${row.name}" is the last active admin token; create another admin token before revoking it, or nobody could manage tokens any more`,
        );
      }
      const revoked = await markTokenRevoked(tx, row.id, new Date());
      await recordAudit(tx, {
        actor,
        action: 'token.revoke',
        target: `token/${row.name}`,
        reason: reason ?? null,
        details: { id: row.id, role: row.role },
      });
      return revoked;
    });
  }

  /** The actor a presented token stands for; UnauthorizedError when it is unknown or revoked. */
  async authenticate(secret: string, requestId?: string): Promise<Actor> {
    if (!looksLikeToken(secret)) throw new UnauthorizedError(UNKNOWN_TOKEN_MESSAGE);
    const row = await findTokenByHash(this.database.db, hashToken(secret));
    if (!row || row.revokedAt) throw new UnauthorizedError(UNKNOWN_TOKEN_MESSAGE);
    const now = Date.now();
    if (!row.lastUsedAt || now - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
      await touchTokenLastUsed(this.database.db, row.id, new Date(now - LAST_USED_RESOLUTION_MS));
    }
    return {
      name: row.name,
      role: row.role,
      stages: row.stages ?? null,
      tokenId: row.id,
      ...(requestId ? { requestId } : {}),
    };
  }
}
