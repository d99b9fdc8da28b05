import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiOperations, openApiDocument } from '../../app/api-operations.js';
import { startServer, type RunningServer } from '../../app/start-server.js';
import { loadConfig } from '../../config/config.js';
import { systemActor } from '../../features/access/actor.js';
import { TokensService } from '../../features/access/tokens.service.js';
import { freePort } from '../../testing/free-port.js';
import { createTestTransport } from '../../testing/test-backbone.js';
import { uniqueSuffix } from '../../testing/test-backends.js';
import { createTestDatabase } from '../../testing/test-database.js';
import { servedRoutes } from '../http/http-app.js';
import { routePath, type OpenApiDocument } from './openapi-registry.js';

// The document the whole application serves, against the routes it serves:
// a controller whose routes have no operation (or an operation whose route
// is gone) fails here.

let server: RunningServer;
let admin: string;
let viewer: string;

beforeAll(async () => {
  const database = await createTestDatabase('pglite');
  const config = loadConfig({
    GANTRY_PORT: String(await freePort()),
    GANTRY_LOG_LEVEL: 'silent',
    GANTRY_DATA_DIR: mkdtempSync(join(tmpdir(), 'gantry-openapi-')),
  });
  server = await startServer(config, {
    handleSignals: false,
    database: { handle: database.handle, close: () => database.drop() },
    transport: createTestTransport('in-process', uniqueSuffix()),
  });
  admin = readFileSync(server.adminTokenFile!, 'utf8').trim();
  viewer = (
    await server.app.get(TokensService).create(systemActor('test'), { name: 'viewer', role: 'viewer' })
  ).secret;
});

afterAll(async () => {
  await server?.stop();
});

async function fetchDocument(): Promise<OpenApiDocument> {
  const response = await fetch(`${server.url}/api/openapi.json`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return (await response.json()) as OpenApiDocument;
}

describe('GET /api/openapi.json', () => {
  it('is committed as generated (packages/gantry/schema/openapi.json, which the dashboard is typed from)', async () => {
    const committed: unknown = JSON.parse(
      readFileSync(new URL('../../../schema/openapi.json', import.meta.url), 'utf8'),
    );
    expect(committed, 'packages/gantry/schema/openapi.json is stale: run npm run schema:api').toEqual(
      openApiDocument(),
    );
    expect(await fetchDocument()).toEqual(openApiDocument());
  });

  it('is served without a token, as OpenAPI 3.1 with every registered operation once', async () => {
    const document = await fetchDocument();
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.version).toMatch(/^\d+\.\d+\.\d+/);
    const operations = Object.values(document.paths).flatMap((item) => Object.values(item));
    const ids = operations.map((operation) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const operation of apiOperations) {
      const path = operation.path.replace(/:(\w+)/g, '{$1}');
      expect(
        document.paths[path]?.[operation.method.toLowerCase()]?.operationId,
        `${operation.method} ${path}`,
      ).toBe(operation.operationId);
    }
    for (const operation of operations) {
      expect(operation.summary).toBeTruthy();
      expect(operation.tags).toHaveLength(1);
      expect(operation.responses['500']).toEqual({ $ref: '#/components/responses/InternalError' });
    }
  });

  it('describes every route served under /api/v1, and no route that is not served', async () => {
    const document = await fetchDocument();
    const served = servedRoutes(server.app)
      .filter((route) => route.url.startsWith('/api/v1/'))
      .map((route) => `${route.method} ${route.url}`);
    const described = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${routePath(path)}`),
    );
    expect(served.length).toBeGreaterThan(0);
    expect(
      served.filter((route) => !described.includes(route)),
      'served but not in the OpenAPI document',
    ).toEqual([]);
    expect(
      described.filter((route) => !served.includes(route)),
      'in the OpenAPI document but not served',
    ).toEqual([]);
  });

  it('says the same role as the guard: a viewer is refused exactly where the document asks for more', async () => {
    const document = await fetchDocument();
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const role = operation['x-gantry-required-role'];
        // Only requests the guard refuses before the handler runs, and reads, are sent.
        if (role === 'viewer' && method !== 'get') continue;
        const url = `${server.url}${path.replace(/\{\w+\}/g, '0193aaaa-0000-7000-8000-000000000000')}`;
        const response = await fetch(url, {
          method: method.toUpperCase(),
          headers: { authorization: `Bearer ${viewer}` },
        });
        const label = `${method.toUpperCase()} ${path} (${role})`;
        if (role === 'public' || role === 'viewer') expect([401, 403], label).not.toContain(response.status);
        else expect(response.status, label).toBe(403);
      }
    }
    const withoutToken = await fetch(`${server.url}/api/v1/tokens`);
    expect(withoutToken.status).toBe(401);
    const asAdmin = await fetch(`${server.url}/api/v1/tokens`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(asAdmin.status).toBe(200);
  });
});
