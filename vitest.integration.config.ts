import { defineConfig } from 'vitest/config';

// `npm run test:integration`: the backbone and transport tests again, against
// real PostgreSQL, RabbitMQ and NATS JetStream named by GANTRY_TEST_DATABASE_URL,
// GANTRY_TEST_AMQP_URL and GANTRY_TEST_NATS_URL. A missing or unreachable
// service fails the run (see src/testing/integration-setup.ts); it never skips.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.backbone.test.ts', 'packages/*/src/**/*.transport.test.ts'],
    pool: 'forks',
    // Files share one PostgreSQL server and two brokers; each file has its own
    // database and broker names, but two at a time keeps a 2-core machine responsive.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    globalSetup: [
      'packages/gantry/src/testing/integration-setup.ts',
      'packages/gantry/src/testing/build-setup.ts',
    ],
    env: { GANTRY_TEST_MODE: 'integration' },
  },
});
