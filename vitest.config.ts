import { defineConfig } from 'vitest/config';

// Three projects, each runnable alone (`npm test -- --project unit`). Each project's test
// timeout is longer than the longest child-process timeout inside it, so a hung child is
// reported by the harness (exit code, timedOut) and never by a bare vitest timeout.
export default defineConfig({
  test: {
    // Integration tests run bundled actions as child processes against local servers;
    // two workers match the two cores here and keep timing-based tests honest. (Three were
    // tried: 10% faster, but a bundle's start then took over 2.5 s at times, and a test that
    // waits for a service to come up saw it up before its first probe.)
    maxWorkers: 2,
    // Only the unit project's in-process code may call @actions/core; it must not print
    // workflow commands into the test log (test/setup/quiet-core.ts).
    setupFiles: ['test/setup/quiet-core.ts'],
    // Toolkit packages that call @actions/core themselves go through vitest too, so that
    // the mock above reaches them (node_modules are otherwise loaded untouched).
    server: { deps: { inline: [/@actions\/(tool-cache|exec|io|github)/] } },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 30_000 },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // Children run at most 4 minutes (test/support/run-action.ts caps them).
          testTimeout: 300_000,
          hookTimeout: 300_000,
          globalSetup: ['test/setup/bundles.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // One test runs an option's whole story under act: five or six workflow runs of up
          // to 7 minutes each (test/support/sample-runner.ts); E takes about 7 minutes in all.
          testTimeout: 1_800_000,
          hookTimeout: 300_000,
          globalSetup: ['test/setup/bundles.ts'],
        },
      },
    ],
  },
});
