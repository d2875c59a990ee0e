import { defineConfig } from 'vitest/config';

// `npm run bench`: the figures the README quotes, in one run, printed side by side at the end
// (test/bench/report.ts). One file at a time, so that no bench competes with another for the
// two cores. The e2e runs record their push-to-healthy and rollback times here too.
export default defineConfig({
  test: {
    include: ['test/bench/**/*.bench.ts', 'test/e2e/**/*.test.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 1_200_000,
    hookTimeout: 600_000,
    setupFiles: ['test/setup/quiet-core.ts'],
    globalSetup: ['test/setup/bundles.ts', 'test/bench/report.ts'],
    env: { DEPLOY_ACTIONS_BENCH: '1' },
  },
});
