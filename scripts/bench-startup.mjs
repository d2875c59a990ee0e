// @ts-check
// Startup cost of each action on its fastest path (a bad input), against a minimal ncc bundle
// that only imports @actions/core and reads one input: medians of interleaved runs.
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

/** A bad input for each action: it must fail at once, before any work. */
export const BAD_INPUTS = {
  'acr-push': { INPUT_REGISTRY: 'https://bad', INPUT_REPOSITORY: 'a' },
  'build-matrix': { INPUT_ALL: 'maybe' },
  'gitops-bump': { INPUT_REPOSITORY: 'not a repository' },
  'health-gate': { INPUT_INTERVAL: 'abc', INPUT_URL: 'http://127.0.0.1:9/' },
  'helm-deploy': { INPUT_RELEASE: 'Bad_Name' },
  'slot-swap': { INPUT_ACTION: 'swap-all' },
  'deploy-report': { INPUT_ENVIRONMENT: 'production', INPUT_OUTCOME: 'succeeded' },
  'watchtower-config': { INPUT_MODE: 'deploy' },
};

/** @type {string | undefined} */
let baselineBundle;

/** The core-only bundle, built with ncc once per process and removed at exit. */
function baselinePath() {
  if (baselineBundle) return baselineBundle;
  const out = mkdtempSync(join(tmpdir(), 'startup-baseline-'));
  process.on('exit', () => {
    rmSync(out, { recursive: true, force: true });
  });
  const ncc = join(ROOT, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
  execFileSync(process.execPath, [ncc, 'build', 'test/fixtures/startup-baseline.js', '-o', out, '--minify', '--quiet'], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  baselineBundle = join(out, 'index.js');
  return baselineBundle;
}

/**
 * @param {number} runs
 * @param {keyof typeof BAD_INPUTS} [action]
 * @param {string} [distDir] the bundles to measure; default the committed dist/
 */
export function measureStartup(runs = 10, action = 'health-gate', distDir = join(ROOT, 'dist')) {
  const baseline = baselinePath();
  const bundle = join(distDir, action, 'index.js');
  const badInput = { INPUT_INTERVAL: 'abc', ...BAD_INPUTS[action] };
  // Warm the file cache for both, then interleave so that background load hits both alike.
  timeRun(baseline, badInput);
  timeRun(bundle, badInput);
  const base = [];
  const ours = [];
  for (let run = 0; run < runs; run++) {
    base.push(timeRun(baseline, badInput));
    ours.push(timeRun(bundle, badInput));
  }
  const baselineMs = median(base);
  const actionMs = median(ours);
  return { runs, baselineMs, actionMs, overheadMs: actionMs - baselineMs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const action of /** @type {(keyof typeof BAD_INPUTS)[]} */ (Object.keys(BAD_INPUTS))) {
    const result = measureStartup(Number(process.argv[2] ?? 10), action);
    console.log(
      `${action}: median of ${result.runs}: core-only bundle ${result.baselineMs.toFixed(1)} ms, ` +
        `${action} with a bad input ${result.actionMs.toFixed(1)} ms, overhead ${result.overheadMs.toFixed(1)} ms`,
    );
  }
}
