import { expect, it } from 'vitest';
import { measureStartup } from '../../scripts/bench-startup.mjs';

it('adds little to the startup of a bundle that only loads @actions/core', () => {
  const result = measureStartup(10);
  console.log(
    `startup medians of ${result.runs} runs: core-only ${result.baselineMs.toFixed(1)} ms, ` +
      `health-gate (bad input) ${result.actionMs.toFixed(1)} ms, overhead ${result.overheadMs.toFixed(1)} ms`,
  );
  expect(result.overheadMs).toBeLessThan(25);
});
