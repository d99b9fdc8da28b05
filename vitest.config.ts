import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// `npm test`: every test, with the embedded defaults (PGlite, in-process broker),
// and the dashboard's component tests in a simulated browser (happy-dom).
export default defineConfig({
  test: {
    globalSetup: ['packages/gantry/src/testing/build-setup.ts'],
    // Two files at a time (Vitest's default on two cores is one): most tests wait on servers,
    // child processes and timers more than they compute. Each file has its own database.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'gantry',
          include: ['packages/gantry/src/**/*.test.ts'],
          // Broker transport tests need RabbitMQ and NATS; they run in test:integration only.
          exclude: ['**/node_modules/**', 'packages/*/src/**/*.transport.test.ts'],
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          env: { GANTRY_TEST_MODE: 'embedded' },
        },
      },
      {
        plugins: [react()],
        test: {
          name: 'dashboard',
          include: ['packages/dashboard/src/**/*.test.{ts,tsx}', 'packages/dashboard/scripts/**/*.test.ts'],
          environment: 'happy-dom',
          setupFiles: ['packages/dashboard/src/testing/setup.ts'],
        },
      },
    ],
  },
});
