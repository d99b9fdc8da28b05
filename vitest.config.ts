import { defineConfig } from 'vitest/config';

// `npm test`: every test, with the embedded defaults (PGlite, in-process broker).
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { GANTRY_TEST_MODE: 'embedded' },
  },
});
