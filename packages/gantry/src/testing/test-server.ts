import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/config.js';
import { startServer, type RunningServer } from '../app/start-server.js';
import { systemActor, type Role } from '../features/access/actor.js';
import { TokensService } from '../features/access/tokens.service.js';
import type { DatabaseKind } from '../platform/database/database.js';
import type { LogDestination } from '../platform/logging/logger.js';
import type { TransportKind } from '../features/events/transports/transport.js';
import { freePort } from './free-port.js';
import { createTestTransport } from './test-backbone.js';
import { uniqueSuffix } from './test-backends.js';
import { createTestDatabase } from './test-database.js';

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestServer {
  server: RunningServer;
  adminToken: string;
  /** Creates an API token and returns its secret. */
  token(name: string, role: Role, stages?: string[]): Promise<string>;
  api<T = unknown>(
    method: string,
    path: string,
    options?: { body?: unknown; token?: string; headers?: Record<string, string> },
  ): Promise<ApiResponse<T>>;
  stop(): Promise<void>;
}

/** A whole Gantry server on a test database, with its admin token at hand. */
export async function startTestServer(options: {
  database: DatabaseKind;
  transport?: TransportKind;
  env?: Record<string, string>;
  /** Where the server's log goes (set GANTRY_LOG_LEVEL in env to fill it). */
  logDestination?: LogDestination;
}): Promise<TestServer> {
  const database = await createTestDatabase(options.database);
  const dataDir = mkdtempSync(join(tmpdir(), 'gantry-server-'));
  const config = loadConfig({
    GANTRY_PORT: String(await freePort()),
    // GANTRY_TEST_LOG_LEVEL=info shows the server's log when a test needs explaining.
    GANTRY_LOG_LEVEL: process.env.GANTRY_TEST_LOG_LEVEL ?? 'silent',
    GANTRY_RELAY_POLL_INTERVAL: '100ms',
    GANTRY_DATA_DIR: dataDir,
    ...options.env,
  });
  const server = await startServer(config, {
    handleSignals: false,
    database: { handle: database.handle, close: () => database.drop() },
    transport: createTestTransport(options.transport ?? 'in-process', uniqueSuffix()),
    logDestination: options.logDestination,
  });
  await server.backbone.ready();
  const adminToken = readFileSync(server.adminTokenFile!, 'utf8').trim();
  const tokens = server.app.get(TokensService);
  return {
    server,
    adminToken,
    async token(name, role, stages) {
      const created = await tokens.create(systemActor('test'), { name, role, stages: stages ?? null });
      return created.secret;
    },
    async api<T>(
      method: string,
      path: string,
      request: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
    ) {
      const headers: Record<string, string> = {
        authorization: `Bearer ${request.token ?? adminToken}`,
        ...request.headers,
      };
      if (request.body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
      });
      const text = await response.text();
      return {
        status: response.status,
        body: (text ? JSON.parse(text) : undefined) as T,
        headers: response.headers,
      };
    },
    stop: () => server.stop(),
  };
}
