// Builds the bundles from the current source once per run (cached by a hash of the source,
// see scripts/bundles.mjs) and hands their folder to the tests, which run those, never the
// committed dist/: a broken source line must fail a test with no manual build step.
import type { TestProject } from 'vitest/node';
import { ensureBundles } from '../../scripts/bundles.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    bundleDir: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  project.provide('bundleDir', await ensureBundles({ log: (line) => process.stderr.write(`${line}\n`) }));
}
