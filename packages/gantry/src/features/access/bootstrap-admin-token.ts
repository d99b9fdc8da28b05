import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DatabaseHandle } from '../../platform/database/database.js';
import type { Logger } from '../../platform/logging/logger.js';
import { StartupError } from '../../shared/errors.js';
import { uuidv7 } from '../../shared/uuidv7.js';
import { systemActor } from './actor.js';
import { recordAudit } from './audit.repository.js';
import { generateTokenSecret } from './token-secret.js';
import { countTokens, insertTokenUnlessNameTaken } from './tokens.repository.js';

// The first start: a Gantry without any API token could not be used at all,
// so it creates one admin token named "admin" and writes its secret to
// <GANTRY_DATA_DIR>/admin-token (mode 0600). The log says where, never what.

export const ADMIN_TOKEN_FILE = 'admin-token';
export const BOOTSTRAP_TOKEN_NAME = 'admin';

export interface BootstrapOptions {
  /** GANTRY_DATA_DIR: the file goes there (the directory is created if needed). */
  dataDir: string;
  logger: Pick<Logger, 'info'>;
}

/**
 * Creates the admin token when the database has no token at all, and returns
 * the path of the file holding it; undefined when tokens already exist (or
 * another replica bootstrapped at the same moment). Refuses to overwrite an
 * existing file: it may be the only copy of a token for another database.
 */
export async function bootstrapAdminToken(
  database: DatabaseHandle,
  options: BootstrapOptions,
): Promise<string | undefined> {
  if ((await countTokens(database.db)) > 0) return undefined;

  const file = resolve(options.dataDir, ADMIN_TOKEN_FILE);
  const refusal = new StartupError(
    `the database has no API tokens, so Gantry would create an admin token and write it to ${file}, but that file already exists (from another database?); move it away or delete it, then start Gantry again`,
  );
  if (existsSync(file)) throw refusal;
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const generated = generateTokenSecret();
  try {
    // 'wx': never overwrite, even if the file appeared since the check above.
    writeFileSync(file, `${generated.secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw refusal;
    throw error;
  }

  let created: boolean;
  try {
    created = await database.db.transaction(async (tx) => {
      const row = await insertTokenUnlessNameTaken(tx, {
        id: uuidv7(),
        name: BOOTSTRAP_TOKEN_NAME,
        role: 'admin',
        stages: null,
        tokenHash: generated.hash,
        prefix: generated.prefix,
        createdBy: systemActor('bootstrap').name,
        createdAt: new Date(),
      });
      if (!row) return false;
      await recordAudit(tx, {
        actor: systemActor('bootstrap'),
        action: 'token.create',
        target: `token/${row.name}`,
        reason: 'first start: no API token existed',
        details: { id: row.id, role: row.role, stages: null },
      });
      return true;
    });
  } catch (error) {
    rmSync(file, { force: true });
    throw error;
  }
  if (!created) {
    // Another replica on the same database created it first; its file holds the token.
    rmSync(file, { force: true });
    return undefined;
  }
  options.logger.info(
    { file },
    `created the first API token "${BOOTSTRAP_TOKEN_NAME}" (role admin); it is in ${file}, readable only by this user: store it somewhere safe, then delete the file`,
  );
  return file;
}
