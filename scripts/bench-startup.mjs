// @ts-check
// Startup cost of an action on its fastest path (a bad input), against a minimal ncc bundle
// that only imports @actions/core and reads one input: median of interleaved runs.
// Usage: node scripts/bench-startup.mjs [runs]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './actions.mjs';

/** @param {number[]} values */
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/** @param {string} script @param {Record<string, string>} inputs */
function timeRun(script, inputs) {
  const env = { ...process.env, ...inputs };
  const started = performance.now();
  const result = spawnSync(process.execPath, [script], { env, stdio: 'ignore' });
  const elapsed = performance.now() - started;
  if (result.status !== 1) throw new Error(`${script} exited ${result.status ?? result.signal}, expected 1 (bad input)`);
  return elapsed;
}

export function measureStartup(runs = 10) {
  const out = mkdtempSync(join(tmpdir(), 'startup-baseline-'));
  try {
    const ncc = join(ROOT, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
    execFileSync(process.execPath, [ncc, 'build', 'test/fixtures/startup-baseline.js', '-o', out, '--minify', '--quiet'], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    const baseline = join(out, 'index.js');
    const action = join(ROOT, 'dist', 'health-gate', 'index.js');
    const badInput = { INPUT_INTERVAL: 'abc', INPUT_URL: 'http://127.0.0.1:9/' };
    // Warm the file cache for both, then interleave so that background load hits both alike.
    timeRun(baseline, badInput);
    timeRun(action, badInput);
    const base = [];
    const ours = [];
    for (let run = 0; run < runs; run++) {
      base.push(timeRun(baseline, badInput));
      ours.push(timeRun(action, badInput));
    }
    const baselineMs = median(base);
    const actionMs = median(ours);
    return { runs, baselineMs, actionMs, overheadMs: actionMs - baselineMs };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = measureStartup(Number(process.argv[2] ?? 10));
  console.log(
    `startup, median of ${result.runs}: core-only bundle ${result.baselineMs.toFixed(1)} ms, ` +
      `health-gate with a bad input ${result.actionMs.toFixed(1)} ms, overhead ${result.overheadMs.toFixed(1)} ms`,
  );
}
