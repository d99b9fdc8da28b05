import { defineConfig } from 'vitest/config';

// `npm run test:e2e`: the dashboard in Debian's Chromium against a real Gantry
// running the demo (see packages/dashboard/e2e). One browser, one demo: the
// files run one after another.
export default defineConfig({
  test: {
    include: ['packages/dashboard/e2e/**/*.e2e.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 300_000,
  },
});
