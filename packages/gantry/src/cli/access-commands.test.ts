import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../app/start-server.js';
import { loadConfig } from '../config/config.js';
import { TOKEN_PATTERN } from '../features/access/token-secret.js';
import type { AuditPageDto } from '../features/access/audit.dto.js';
import type { CreatedTokenDto } from '../features/access/tokens.dto.js';
import { freePort } from '../testing/free-port.js';
import { createTestTransport } from '../testing/test-backbone.js';
import { uniqueSuffix } from '../testing/test-backends.js';
import { createTestDatabase } from '../testing/test-database.js';

// `gantry token …` and `gantry audit` as people run them, against a running server.

const GANTRY_BIN = fileURLToPath(new URL('../../bin/gantry.js', import.meta.url));

let server: RunningServer;
let admin: string;

function gantry(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [GANTRY_BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, GANTRY_URL: server.url, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

beforeAll(async () => {
  const database = await createTestDatabase('pglite');
  const config = loadConfig({
    GANTRY_PORT: String(await freePort()),
    GANTRY_LOG_LEVEL: 'silent',
    GANTRY_DATA_DIR: mkdtempSync(join(tmpdir(), 'gantry-cli-access-')),
  });
  server = await startServer(config, {
    handleSignals: false,
    database: { handle: database.handle, close: () => database.drop() },
    transport: createTestTransport('in-process', uniqueSuffix()),
  });
  admin = readFileSync(server.adminTokenFile!, 'utf8').trim();
});

afterAll(async () => {
  await server?.stop();
});

describe('gantry token', () => {
  it('says how to pass a token when there is none', async () => {
    const run = await gantry(['token', 'list']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('gantry: missing bearer token: pass GANTRY_TOKEN or --token\n');
  });

  it('creates a token, prints its secret once with a warning, lists it without the secret and revokes it', async () => {
    const created = await gantry(
      ['token', 'create', '--name', 'ci', '--role', 'deployer', '--stages', 'develop,staging'],
      { GANTRY_TOKEN: admin },
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const secret = /^\s+(gty_\S+)$/m.exec(created.stdout)?.[1];
    expect(secret).toMatch(TOKEN_PATTERN);
    expect(created.stdout).toContain('Created API token "ci" (deployer, stages develop,staging)');
    expect(created.stdout).toContain('shown only this once');

    const listed = await gantry(['token', 'list', '--token', admin]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+NAME\s+ROLE\s+STAGES\s+PREFIX/);
    expect(listed.stdout).toMatch(/\sci\s+deployer\s+develop,staging\s+gty_/);
    expect(listed.stdout).not.toContain(secret);

    const refused = await gantry(['token', 'list'], { GANTRY_TOKEN: secret! });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'gantry: token "ci" (deployer, stages develop,staging) may not list API tokens; it needs a token with role admin\n',
    );

    const revoked = await gantry(['token', 'revoke', 'ci', '--reason', 'leaked in a build log'], {
      GANTRY_TOKEN: admin,
    });
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/^revoked API token "ci" \(/);
    const after = await gantry(['token', 'list'], { GANTRY_TOKEN: secret! });
    expect(after.stderr).toBe('gantry: unknown or revoked API token\n');
  });

  it('prints JSON with --json', async () => {
    const run = await gantry(['token', 'create', '--name', 'dash', '--role', 'viewer', '--json'], {
      GANTRY_TOKEN: admin,
    });
    expect(run.code).toBe(0);
    const created = JSON.parse(run.stdout) as CreatedTokenDto;
    expect(created.token).toMatchObject({ name: 'dash', role: 'viewer', stages: null });
    expect(created.secret).toMatch(TOKEN_PATTERN);
  });

  it('refuses an empty --stages before asking the server', async () => {
    const run = await gantry(['token', 'create', '--name', 'x', '--role', 'viewer', '--stages', ','], {
      GANTRY_TOKEN: admin,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--stages lists at least one stage');
  });
});

describe('gantry audit', () => {
  it('shows who did what, newest first, filtered', async () => {
    const run = await gantry(['audit', '--action', 'token.*', '--since', '1h'], { GANTRY_TOKEN: admin });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^AT\s+ACTOR\s+ACTION\s+TARGET\s+REASON$/);
    expect(lines.findIndex((line) => line.includes('token.revoke'))).toBeLessThan(
      lines.findIndex((line) => line.includes('token/ci') && line.includes('token.create')),
    );
    expect(run.stdout).toMatch(/admin\s+token\.revoke\s+token\/ci\s+leaked in a build log/);
    expect(run.stdout).toMatch(/system:bootstrap\s+token\.create\s+token\/admin/);

    const json = await gantry(['audit', '--target', 'token/ci', '--json'], { GANTRY_TOKEN: admin });
    const page = JSON.parse(json.stdout) as AuditPageDto;
    expect(page.items.map((item) => item.action)).toEqual(['token.revoke', 'token.create']);

    const none = await gantry(['audit', '--actor', 'nobody'], { GANTRY_TOKEN: admin });
    expect(none.stdout).toBe('No audit entries match.\n');

    const bad = await gantry(['audit', '--since', 'last week'], { GANTRY_TOKEN: admin });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^gantry: Invalid query string: since: .*duration back from now/);
  });
});
