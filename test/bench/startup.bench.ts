// Startup of every bundle (built from the current source) on its fastest path, a bad input,
// against a bundle that only loads @actions/core: medians of interleaved runs.
import { describe, inject, it } from 'vitest';
import { BAD_INPUTS, measureStartup } from '../../scripts/bench-startup.mjs';
import { record } from './results.js';

describe('bench: startup', () => {
  it('measures every bundle against the core-only bundle', () => {
    for (const action of Object.keys(BAD_INPUTS) as (keyof typeof BAD_INPUTS)[]) {
      const result = measureStartup(10, action, inject('bundleDir'));
      record('startup', [action, result.baselineMs.toFixed(1), result.actionMs.toFixed(1), result.overheadMs.toFixed(1)]);
    }
  });
});
