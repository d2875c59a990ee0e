import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests run bundled actions as child processes against local servers;
    // two workers match the two cores here and keep timing-based tests honest.
    maxWorkers: 2,
  },
});
