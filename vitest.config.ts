import { defineConfig } from 'vitest/config';

// `npm test`: every test, with the embedded defaults (PGlite, in-process broker).
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts'],
    // Broker transport tests need RabbitMQ and NATS; they run in test:integration only.
    exclude: ['**/node_modules/**', 'packages/*/src/**/*.transport.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['packages/gantry/src/testing/build-setup.ts'],
    env: { GANTRY_TEST_MODE: 'embedded' },
  },
});
