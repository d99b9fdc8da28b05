import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StartupError } from '../../shared/errors.js';
import { apiTokens, auditLog } from './access.tables.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import { listAuditEntries } from './audit.repository.js';
import { bootstrapAdminToken } from './bootstrap-admin-token.js';
import { TOKEN_PATTERN } from './token-secret.js';
import { countTokens, listTokens } from './tokens.repository.js';
import { TokensService } from './tokens.service.js';

// The first start of a Gantry whose database has no API token at all.

let database: TestDatabase;
let lines: { message: string; fields: Record<string, unknown> }[];
const logger = {
  info: (fields: Record<string, unknown>, message: string) => lines.push({ fields, message }),
};

beforeAll(async () => {
  database = await createTestDatabase('pglite');
});

afterAll(async () => {
  await database?.drop();
});

beforeEach(async () => {
  await database.handle.db.delete(auditLog);
  await database.handle.db.delete(apiTokens);
  lines = [];
});

describe('bootstrapAdminToken', () => {
  it('creates an admin token, writes it to <dataDir>/admin-token with mode 0600, and logs where (not what)', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'gantry-bootstrap-')), 'not', 'yet', 'there');
    const file = await bootstrapAdminToken(database.handle, { dataDir, logger: logger as never });
    expect(file).toBe(join(dataDir, 'admin-token'));
    const secret = readFileSync(file!, 'utf8').trim();
    expect(secret).toMatch(TOKEN_PATTERN);
    expect(statSync(file!).mode & 0o777).toBe(0o600);

    const [token] = await listTokens(database.handle.db);
    expect(token).toMatchObject({
      name: 'admin',
      role: 'admin',
      stages: null,
      createdBy: 'system:bootstrap',
    });
    const actor = await new TokensService(database.handle).authenticate(secret);
    expect(actor).toMatchObject({ name: 'admin', role: 'admin' });

    const [entry] = await listAuditEntries(database.handle.db, { limit: 10 });
    expect(entry).toMatchObject({ actor: 'system:bootstrap', action: 'token.create', target: 'token/admin' });

    expect(lines).toHaveLength(1);
    expect(lines[0]!.message).toContain(file!);
    expect(JSON.stringify(lines)).not.toContain(secret);
  });

  it('does nothing when tokens exist', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gantry-bootstrap-'));
    await bootstrapAdminToken(database.handle, { dataDir, logger: logger as never });
    const again = mkdtempSync(join(tmpdir(), 'gantry-bootstrap-'));
    expect(
      await bootstrapAdminToken(database.handle, { dataDir: again, logger: logger as never }),
    ).toBeUndefined();
    expect(await countTokens(database.handle.db)).toBe(1);
  });

  it('refuses to overwrite an existing file, and creates no token then', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gantry-bootstrap-'));
    writeFileSync(join(dataDir, 'admin-token'), 'gty_from_another_database\n');
    const attempt = bootstrapAdminToken(database.handle, { dataDir, logger: logger as never });
    await expect(attempt).rejects.toBeInstanceOf(StartupError);
    await expect(attempt).rejects.toThrow(
      /admin-token, but that file already exists .*move it away or delete it/,
    );
    expect(readFileSync(join(dataDir, 'admin-token'), 'utf8')).toBe('gty_from_another_database\n');
    expect(await countTokens(database.handle.db)).toBe(0);
  });
});
