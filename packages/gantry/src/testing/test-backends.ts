import type { TransportKind } from '../features/events/transports/transport.js';
import type { DatabaseKind } from '../platform/database/database.js';

// Which real services a test file runs against. `npm test` uses the embedded
// defaults; `npm run test:integration` the real ones from the environment.

export type TestMode = 'embedded' | 'integration';

export function testMode(): TestMode {
  return process.env.GANTRY_TEST_MODE === 'integration' ? 'integration' : 'embedded';
}

export interface BackendCombo {
  name: string;
  database: DatabaseKind;
  transport: TransportKind;
}

/** The database + broker pairs the backbone tests run on in this mode. */
export function backboneCombos(): BackendCombo[] {
  if (testMode() === 'embedded')
    return [{ name: 'PGlite + in-process', database: 'pglite', transport: 'in-process' }];
  return [
    { name: 'PostgreSQL + in-process', database: 'postgres', transport: 'in-process' },
    { name: 'PostgreSQL + RabbitMQ', database: 'postgres', transport: 'rabbitmq' },
    { name: 'PostgreSQL + NATS', database: 'postgres', transport: 'nats' },
  ];
}

/** The databases of this mode's combos, each once (for tests that need no broker). */
export function databaseKinds(): DatabaseKind[] {
  return [...new Set(backboneCombos().map((combo) => combo.database))];
}

export const TEST_SERVICE_VARIABLES = {
  GANTRY_TEST_DATABASE_URL: 'PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432/test',
  GANTRY_TEST_AMQP_URL: 'RabbitMQ, e.g. amqp://guest:guest@127.0.0.1:5672',
  GANTRY_TEST_NATS_URL: 'NATS with JetStream, e.g. nats://127.0.0.1:4222',
} as const;

export type TestServiceVariable = keyof typeof TEST_SERVICE_VARIABLES;

/** The URL of a real service; integration-setup.ts has already checked it answers. */
export function testServiceUrl(variable: TestServiceVariable): string {
  const value = process.env[variable];
  if (!value) {
    throw new Error(`${variable} is not set: it names ${TEST_SERVICE_VARIABLES[variable]}`);
  }
  return value;
}

/** The broker URL for a transport kind in tests (undefined for in-process). */
export function testBrokerUrl(kind: TransportKind): string | undefined {
  switch (kind) {
    case 'in-process':
      return undefined;
    case 'rabbitmq':
      return testServiceUrl('GANTRY_TEST_AMQP_URL');
    case 'nats':
      return testServiceUrl('GANTRY_TEST_NATS_URL');
  }
}

/** A short random suffix so each test file's databases, queues and streams are its own. */
export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}
