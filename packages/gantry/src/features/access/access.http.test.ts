import { Writable } from 'node:stream';
import { Body, Controller, Get, Global, HttpCode, Module, Post, type DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DATABASE, LOGGER } from '../../app/tokens.js';
import type { DatabaseHandle } from '../../platform/database/database.js';
import { createHttpApp } from '../../platform/http/http-app.js';
import { createLogger, type Logger } from '../../platform/logging/logger.js';
import { HttpMetrics, MetricsRegistry } from '../../platform/metrics/metrics.js';
import { ConflictError } from '../../shared/errors.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import { waitFor } from '../../testing/wait-for.js';
import { CurrentActor, Public, RequireRole, WithoutIdempotencyKey } from './access.decorators.js';
import { AccessModule } from './access.module.js';
import { apiTokens, idempotencyKeys } from './access.tables.js';
import { systemActor, type Actor, type Role } from './actor.js';
import type { AuditPageDto } from './audit.dto.js';
import { findIdempotencyKey, pruneIdempotencyKeys } from './idempotency.repository.js';
import { hashToken, TOKEN_PATTERN } from './token-secret.js';
import type { CreatedTokenDto, TokenDto, TokenListDto } from './tokens.dto.js';
import { TokensService } from './tokens.service.js';

// The access feature through the real Nest application on PGlite: the token
// guard, roles, the token and audit APIs, and Idempotency-Key.

const probe = { calls: 0, flakyFailures: 0, release: () => {} };

@Controller('api/v1/probe')
class ProbeController {
  @Get('whoami')
  whoami(@CurrentActor() actor: Actor): Actor {
    return actor;
  }

  @Post('items')
  @RequireRole('deployer', 'create probe items')
  create(@Body() body: unknown, @CurrentActor() actor: Actor) {
    probe.calls += 1;
    return { call: probe.calls, body, actor: actor.name };
  }

  @Post('refuse')
  @RequireRole('deployer')
  refuse(): never {
    probe.calls += 1;
    throw new ConflictError(`refused call ${probe.calls}`, { explanations: [] });
  }

  @Post('flaky')
  @HttpCode(202)
  @RequireRole('deployer')
  flaky() {
    probe.calls += 1;
    if (probe.flakyFailures > 0) {
      probe.flakyFailures -= 1;
      throw new Error('the database went away');
    }
    return { call: probe.calls };
  }

  @Post('slow')
  @RequireRole('deployer')
  async slow() {
    probe.calls += 1;
    await new Promise<void>((resolve) => (probe.release = resolve));
    return { call: probe.calls };
  }

  @Post('unstored')
  @RequireRole('deployer')
  @WithoutIdempotencyKey()
  unstored() {
    probe.calls += 1;
    return { call: probe.calls };
  }

  @Post('admin-only')
  adminOnly() {
    return { ok: true };
  }

  @Post('hook')
  @Public()
  hook() {
    return { public: true };
  }
}

@Controller()
class OutsideController {
  @Get('outside')
  outside() {
    return { open: true };
  }
}

@Global()
@Module({})
class TestCoreModule {
  static register(database: DatabaseHandle, logger: Logger): DynamicModule {
    return {
      module: TestCoreModule,
      providers: [
        { provide: DATABASE, useValue: database },
        { provide: LOGGER, useValue: logger },
      ],
      exports: [DATABASE, LOGGER],
    };
  }
}

class MemoryDestination extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString('utf8');
    callback();
  }
}

const logs = new MemoryDestination();
let database: TestDatabase;
let app: NestFastifyApplication;
let tokens: TokensService;
const secrets: Record<string, string> = {};

async function token(name: string, role: Role, stages?: string[]): Promise<string> {
  const created = await tokens.create(systemActor('test'), { name, role, stages });
  secrets[name] = created.secret;
  return created.secret;
}

interface Call {
  method?: 'GET' | 'POST' | 'DELETE';
  url: string;
  as?: string;
  payload?: unknown;
  headers?: Record<string, string>;
}

async function call({ method = 'GET', url, as, payload, headers = {} }: Call) {
  return app.inject({
    method,
    url,
    headers: { ...(as ? { authorization: `Bearer ${secrets[as]}` } : {}), ...headers },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

beforeAll(async () => {
  database = await createTestDatabase('pglite');
  const logger = createLogger({ level: 'info', format: 'json' }, logs);
  @Module({
    imports: [TestCoreModule.register(database.handle, logger), AccessModule],
    controllers: [ProbeController, OutsideController],
  })
  class TestAppModule {}
  app = await createHttpApp(TestAppModule, { logger, metrics: new HttpMetrics(new MetricsRegistry()) });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  tokens = app.get(TokensService);
  await token('root', 'admin');
  await token('viewer', 'viewer');
  await token('deploy', 'deployer', ['develop', 'staging']);
  await token('approve', 'approver');
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

beforeEach(() => {
  probe.calls = 0;
});

describe('authentication', () => {
  it('answers a request without a token with a 401 problem that says how to pass one', async () => {
    const response = await call({ url: '/api/v1/probe/whoami' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="gantry"');
    expect(response.json()).toMatchObject({
      type: 'https://gantry.dev/problems/unauthorized',
      status: 401,
      code: 'unauthorized',
      detail: 'missing bearer token: pass GANTRY_TOKEN or --token',
    });
    const basic = await call({
      url: '/api/v1/probe/whoami',
      headers: { authorization: 'Basic YWRtaW46YWRtaW4=' },
    });
    expect(basic.statusCode).toBe(401);
  });

  it('refuses unknown and malformed tokens alike', async () => {
    for (const secret of [`gty_${'A'.repeat(43)}`, 'gty_short', 'not-a-token']) {
      const response = await call({
        url: '/api/v1/probe/whoami',
        headers: { authorization: `Bearer ${secret}` },
      });
      expect(response.statusCode).toBe(401);
      expect(response.json<{ detail: string }>().detail).toBe('unknown or revoked API token');
      expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
    }
  });

  it('puts the actor, with the request id, on the request', async () => {
    const response = await call({
      url: '/api/v1/probe/whoami',
      as: 'deploy',
      headers: { 'x-request-id': 'req-who' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      name: 'deploy',
      role: 'deployer',
      stages: ['develop', 'staging'],
      tokenId: expect.any(String) as unknown,
      requestId: 'req-who',
    });
  });

  it('needs no token outside /api/ or on a @Public() route', async () => {
    expect((await call({ url: '/outside' })).statusCode).toBe(200);
    const hook = await call({ method: 'POST', url: '/api/v1/probe/hook' });
    expect(hook.statusCode).toBe(201);
    expect(hook.json()).toEqual({ public: true });
  });

  it('records when a token was last used, at most once a minute', async () => {
    const lastUsed = async () =>
      (await database.handle.db.select().from(apiTokens).where(eq(apiTokens.name, 'viewer')))[0]!.lastUsedAt;
    expect((await call({ url: '/api/v1/probe/whoami', as: 'viewer' })).statusCode).toBe(200);
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    expect((await call({ url: '/api/v1/probe/whoami', as: 'viewer' })).statusCode).toBe(200);
    expect(await lastUsed()).toEqual(first);
  });
});

describe('roles', () => {
  it('lets a viewer read, and keeps POST without @RequireRole for admins', async () => {
    expect((await call({ url: '/api/v1/probe/whoami', as: 'viewer' })).statusCode).toBe(200);
    const refused = await call({ method: 'POST', url: '/api/v1/probe/admin-only', as: 'deploy' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({
      code: 'forbidden',
      detail:
        'token "deploy" (deployer, stages develop,staging) may not call POST /api/v1/probe/admin-only; it needs a token with role admin',
    });
    expect((await call({ method: 'POST', url: '/api/v1/probe/admin-only', as: 'root' })).statusCode).toBe(
      201,
    );
  });

  it('refuses a weaker token with the action the route names', async () => {
    const refused = await call({ method: 'POST', url: '/api/v1/probe/items', as: 'viewer', payload: {} });
    expect(refused.statusCode).toBe(403);
    expect(refused.json<{ detail: string }>().detail).toBe(
      'token "viewer" (viewer) may not create probe items; it needs a token with role deployer, approver or admin',
    );
    expect(probe.calls).toBe(0);
  });
});

describe('the token API', () => {
  it('creates a token and shows its secret once; lists never show secrets or hashes', async () => {
    const response = await call({
      method: 'POST',
      url: '/api/v1/tokens',
      as: 'root',
      payload: { name: 'ci', role: 'deployer', stages: ['develop', 'staging'] },
    });
    expect(response.statusCode).toBe(201);
    const created = response.json<CreatedTokenDto>();
    expect(created.secret).toMatch(TOKEN_PATTERN);
    expect(created.token).toMatchObject({
      name: 'ci',
      role: 'deployer',
      stages: ['develop', 'staging'],
      prefix: created.secret.slice(4, 12),
      createdBy: 'root',
      lastUsedAt: null,
      revokedAt: null,
    });
    secrets.ci = created.secret;

    const [row] = await database.handle.db.select().from(apiTokens).where(eq(apiTokens.name, 'ci'));
    expect(row!.tokenHash).toBe(hashToken(created.secret));

    const list = await call({ url: '/api/v1/tokens', as: 'root' });
    expect(list.statusCode).toBe(200);
    expect(list.json<TokenListDto>().items.map((item) => item.name)).toEqual(
      expect.arrayContaining(['root', 'viewer', 'deploy', 'approve', 'ci']),
    );
    expect(list.body).not.toContain(created.secret);
    expect(list.body).not.toContain(row!.tokenHash);
    expect(list.body).not.toMatch(/tokenHash|token_hash|secret/);
    expect((await call({ url: '/api/v1/probe/whoami', as: 'ci' })).json()).toMatchObject({ name: 'ci' });
  });

  it('refuses a second token with the same name, and invalid input with every issue', async () => {
    await token('dup', 'viewer');
    const duplicate = await call({
      method: 'POST',
      url: '/api/v1/tokens',
      as: 'root',
      payload: { name: 'dup', role: 'viewer' },
    });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json<{ detail: string }>().detail).toContain('an API token named "dup" already exists');

    const invalid = await call({
      method: 'POST',
      url: '/api/v1/tokens',
      as: 'root',
      payload: { name: 'bad name', role: 'owner', stages: [] },
    });
    expect(invalid.statusCode).toBe(400);
    const problem = invalid.json<{ code: string; issues: { path: string }[] }>();
    expect(problem.code).toBe('validation_failed');
    expect(problem.issues.map((issue) => issue.path).sort()).toEqual(['name', 'role', 'stages']);
  });

  it('is for admins only', async () => {
    for (const as of ['viewer', 'deploy', 'approve']) {
      expect((await call({ url: '/api/v1/tokens', as })).statusCode).toBe(403);
      const create = await call({
        method: 'POST',
        url: '/api/v1/tokens',
        as,
        payload: { name: `x-${as}`, role: 'admin' },
      });
      expect(create.statusCode).toBe(403);
      expect(create.json<{ detail: string }>().detail).toContain('may not create API tokens');
    }
  });

  it('revokes by name or id; a revoked token stops working on the next request', async () => {
    const gone = await token('gone', 'viewer');
    expect((await call({ url: '/api/v1/probe/whoami', as: 'gone' })).statusCode).toBe(200);
    const revoked = await call({
      method: 'POST',
      url: '/api/v1/tokens/gone/revoke',
      as: 'root',
      payload: { reason: 'left the team' },
    });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json<TokenDto>().revokedAt).not.toBeNull();
    expect(revoked.body).not.toContain(gone);
    const after = await call({ url: '/api/v1/probe/whoami', as: 'gone' });
    expect(after.statusCode).toBe(401);
    expect(after.json<{ detail: string }>().detail).toBe('unknown or revoked API token');

    // Again: nothing changes.
    const again = await call({
      method: 'POST',
      url: `/api/v1/tokens/${revoked.json<TokenDto>().id}/revoke`,
      as: 'root',
    });
    expect(again.statusCode).toBe(200);
    expect(again.json<TokenDto>().revokedAt).toBe(revoked.json<TokenDto>().revokedAt);

    const missing = await call({ method: 'POST', url: '/api/v1/tokens/nobody/revoke', as: 'root' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json<{ detail: string }>().detail).toContain('gantry token list');
  });

  it('keeps the last active admin token', async () => {
    const refused = await call({ method: 'POST', url: '/api/v1/tokens/root/revoke', as: 'root' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json<{ detail: string }>().detail).toBe(
      '"root" is the last active admin token; create another admin token before revoking it, or nobody could manage tokens any more',
    );
    await token('root2', 'admin');
    expect((await call({ method: 'POST', url: '/api/v1/tokens/root2/revoke', as: 'root' })).statusCode).toBe(
      200,
    );
  });

  it('never logs a secret or a hash', () => {
    expect(logs.text).toContain('request completed');
    for (const secret of Object.values(secrets)) {
      expect(logs.text).not.toContain(secret);
      expect(logs.text).not.toContain(hashToken(secret));
    }
  });
});

describe('the audit log', () => {
  it('records token changes with actor, request id and reason, newest first', async () => {
    await call({
      method: 'POST',
      url: '/api/v1/tokens',
      as: 'root',
      payload: { name: 'audited', role: 'viewer' },
      headers: { 'x-request-id': 'req-audit-create' },
    });
    await call({
      method: 'POST',
      url: '/api/v1/tokens/audited/revoke',
      as: 'root',
      payload: { reason: 'rotated' },
      headers: { 'x-request-id': 'req-audit-revoke' },
    });
    const response = await call({ url: '/api/v1/audit?target=token/audited', as: 'approve' });
    expect(response.statusCode).toBe(200);
    const page = response.json<AuditPageDto>();
    expect(page.items).toHaveLength(2);
    expect(page.items[0]).toMatchObject({
      actor: 'root',
      action: 'token.revoke',
      target: 'token/audited',
      reason: 'rotated',
      requestId: 'req-audit-revoke',
      details: { role: 'viewer' },
    });
    expect(page.items[1]).toMatchObject({
      actor: 'root',
      action: 'token.create',
      requestId: 'req-audit-create',
      reason: null,
      details: { role: 'viewer', stages: null },
    });
    expect(page.nextCursor).toBeUndefined();
  });

  it('filters by actor, action prefix and time, and pages with a cursor', async () => {
    const bySystem = await call({
      url: '/api/v1/audit?actor=system:test&action=token.*&limit=500',
      as: 'approve',
    });
    const names = bySystem.json<AuditPageDto>().items.map((item) => item.target);
    expect(names).toEqual(
      expect.arrayContaining(['token/root', 'token/viewer', 'token/deploy', 'token/approve']),
    );
    expect(bySystem.json<AuditPageDto>().items.every((item) => item.actor === 'system:test')).toBe(true);

    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const query = `action=token.create&since=1h&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await call({ url: `/api/v1/audit?${query}`, as: 'root' })).json<AuditPageDto>();
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.length).toBeGreaterThan(4);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
    expect(new Set(seen).size).toBe(seen.length);

    const future = await call({
      url: `/api/v1/audit?since=${new Date(Date.now() + 60_000).toISOString()}`,
      as: 'root',
    });
    expect(future.json<AuditPageDto>().items).toEqual([]);
  });

  it('refuses bad filters with a 400 and readers below approver with a 403', async () => {
    const cursor = await call({ url: '/api/v1/audit?cursor=garbage', as: 'root' });
    expect(cursor.statusCode).toBe(400);
    const since = await call({ url: '/api/v1/audit?since=yesterday', as: 'root' });
    expect(since.statusCode).toBe(400);
    expect(since.json<{ detail: string }>().detail).toContain('since');
    const deployer = await call({ url: '/api/v1/audit', as: 'deploy' });
    expect(deployer.statusCode).toBe(403);
    expect(deployer.json<{ detail: string }>().detail).toContain(
      'may not read the audit log; it needs a token with role approver or admin',
    );
  });
});

describe('Idempotency-Key', () => {
  const post = (url: string, key: string | undefined, payload: unknown = { a: 1 }, as = 'deploy') =>
    call({ method: 'POST', url, as, payload, headers: key === undefined ? {} : { 'idempotency-key': key } });

  it('replays the stored answer to a repeated request, with Idempotent-Replayed', async () => {
    const first = await post('/api/v1/probe/items', 'key-replay', { b: 2, a: 1 });
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const second = await post('/api/v1/probe/items', 'key-replay', { a: 1, b: 2 });
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json()).toEqual(first.json());
    expect(probe.calls).toBe(1);
  });

  it('refuses the same key for a different request with 422', async () => {
    await post('/api/v1/probe/items', 'key-reuse', { a: 1 });
    const other = await post('/api/v1/probe/items', 'key-reuse', { a: 2 });
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({
      code: 'idempotency_key_reused',
      detail: expect.stringContaining('idempotency key reused with a different request') as unknown,
    });
    expect(probe.calls).toBe(1);
  });

  it('answers 409 while the first request is still running, then replays its answer', async () => {
    const first = post('/api/v1/probe/slow', 'key-slow');
    await waitFor(
      async () =>
        (await findIdempotencyKey(database.handle.db, 'deploy', 'key-slow'))?.status === 'in_progress',
      { what: 'the first request to claim the key' },
    );
    const during = await post('/api/v1/probe/slow', 'key-slow');
    expect(during.statusCode).toBe(409);
    expect(during.json<{ detail: string }>().detail).toContain(
      'a request with this Idempotency-Key is still in progress',
    );
    probe.release();
    expect((await first).statusCode).toBe(201);
    const after = await post('/api/v1/probe/slow', 'key-slow');
    expect(after.statusCode).toBe(201);
    expect(after.headers['idempotent-replayed']).toBe('true');
    expect(probe.calls).toBe(1);
  });

  it('stores a 4xx refusal and replays it as problem+json', async () => {
    const first = await post('/api/v1/probe/refuse', 'key-refuse');
    expect(first.statusCode).toBe(409);
    const second = await post('/api/v1/probe/refuse', 'key-refuse');
    expect(second.statusCode).toBe(409);
    expect(second.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json()).toEqual(first.json());
    expect(probe.calls).toBe(1);
  });

  it('forgets the key after a 5xx, so a retry runs', async () => {
    probe.flakyFailures = 1;
    const failed = await post('/api/v1/probe/flaky', 'key-flaky');
    expect(failed.statusCode).toBe(500);
    expect(await findIdempotencyKey(database.handle.db, 'deploy', 'key-flaky')).toBeUndefined();
    const retried = await post('/api/v1/probe/flaky', 'key-flaky');
    expect(retried.statusCode).toBe(202);
    expect(retried.json()).toEqual({ call: 2 });
    const replayed = await post('/api/v1/probe/flaky', 'key-flaky');
    expect(replayed.statusCode).toBe(202);
    expect(replayed.json()).toEqual({ call: 2 });
  });

  it('keeps keys apart per caller, and leaves requests without a key alone', async () => {
    await post('/api/v1/probe/items', 'key-shared');
    const other = await post('/api/v1/probe/items', 'key-shared', { a: 1 }, 'root');
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    await post('/api/v1/probe/items', undefined);
    await post('/api/v1/probe/items', undefined);
    expect(probe.calls).toBe(4);
  });

  it('refuses a malformed key with 400', async () => {
    for (const key of ['', 'has space', 'x'.repeat(201)]) {
      const response = await post('/api/v1/probe/items', key);
      expect(response.statusCode).toBe(400);
      expect(response.json<{ detail: string }>().detail).toContain(
        'Idempotency-Key must be 1 to 200 visible',
      );
    }
    expect(probe.calls).toBe(0);
  });

  it('is ignored where the answer must not be stored, such as a new token', async () => {
    await post('/api/v1/probe/unstored', 'key-unstored');
    await post('/api/v1/probe/unstored', 'key-unstored');
    expect(probe.calls).toBe(2);
    const created = await call({
      method: 'POST',
      url: '/api/v1/tokens',
      as: 'root',
      payload: { name: 'with-key', role: 'viewer' },
      headers: { 'idempotency-key': 'key-token' },
    });
    expect(created.statusCode).toBe(201);
    expect(await findIdempotencyKey(database.handle.db, 'root', 'key-token')).toBeUndefined();
  });

  it('treats keys older than 24 hours as gone, and prunes them', async () => {
    const old = new Date(Date.now() - 25 * 60 * 60 * 1000);
    await database.handle.db.insert(idempotencyKeys).values({
      actor: 'deploy',
      key: 'key-old',
      method: 'POST',
      path: '/api/v1/probe/items',
      requestHash: 'another request',
      status: 'done',
      responseStatus: 201,
      responseBody: { stale: true },
      createdAt: old,
    });
    const fresh = await post('/api/v1/probe/items', 'key-old');
    expect(fresh.statusCode).toBe(201);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
    expect(probe.calls).toBe(1);

    await database.handle.db.insert(idempotencyKeys).values({
      actor: 'deploy',
      key: 'key-older',
      method: 'POST',
      path: '/x',
      requestHash: 'h',
      status: 'done',
      createdAt: old,
    });
    expect(await pruneIdempotencyKeys(database.handle.db, new Date(Date.now() - 24 * 60 * 60 * 1000))).toBe(
      1,
    );
    expect(await findIdempotencyKey(database.handle.db, 'deploy', 'key-older')).toBeUndefined();
    expect(await findIdempotencyKey(database.handle.db, 'deploy', 'key-old')).toBeDefined();
  });
});
