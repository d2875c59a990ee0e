import { expect, it } from 'vitest';
import { BAD_INPUTS, measureStartup } from '../../scripts/bench-startup.mjs';

// Every action must start about as fast as a bundle that only loads @actions/core: heavy
// SDKs (@azure/identity above all) are loaded lazily, on the path that needs them.
it.each(Object.keys(BAD_INPUTS) as (keyof typeof BAD_INPUTS)[])(
  '%s adds little to the startup of a core-only bundle',
  (action) => {
    const result = measureStartup(10, action);
    console.log(
      `startup medians of ${result.runs} runs: core-only ${result.baselineMs.toFixed(1)} ms, ` +
        `${action} (bad input) ${result.actionMs.toFixed(1)} ms, overhead ${result.overheadMs.toFixed(1)} ms`,
    );
    expect(result.overheadMs).toBeLessThan(25);
  },
);
