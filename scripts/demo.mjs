// @ts-check
// `npm run demo`: serves a small local app and runs the bundled health-gate against a healthy
// and a broken version of it through the local runner, showing each job summary.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './actions.mjs';
import { startDemoApp } from './demo-app.mjs';

/** @param {string[]} args @returns {Promise<number>} */
function deployActions(args) {
  console.log(`\n$ npx deploy-actions ${args.map((arg) => (/\s/.test(arg) ? `'${arg}'` : arg)).join(' ')}\n`);
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'deploy-actions.js'), ...args], { stdio: 'inherit' });
  return new Promise((resolve) =>
    child.on('close', (code) => {
      resolve(code ?? 1);
    }),
  );
}

/** @param {string} url @param {string} sha */
const gate = (url, sha) => [
  'run',
  'health-gate',
  '--input',
  `url=${url}/api/info`,
  '--input',
  `expect-json=build.sha=${sha}`,
  '--input',
  'interval=250ms',
  '--input',
  'timeout=20s',
  '--input',
  'failure-threshold=3',
  '--input',
  'max-latency-ms=500',
];

/** @param {string} title */
const banner = (title) => {
  console.log(`\n${'='.repeat(78)}\n${title}\n${'='.repeat(78)}`);
};

banner('1. The new version abc123: its port opens after 1 s, then it is healthy. Expect: healthy.');
const good = await startDemoApp({ sha: 'abc123', startDelayMs: 1000 });
const goodExit = await deployActions(gate(good.url, 'abc123'));
await good.close();

banner('2. A bad release: /api/info answers 503 and reports the old build old1. Expect: unhealthy.');
const bad = await startDemoApp({ sha: 'old1', broken: true });
const badExit = await deployActions(gate(bad.url, 'abc123'));
await bad.close();

banner('Result');
const asExpected = goodExit === 0 && badExit === 1;
console.log(`healthy version: exit ${goodExit} (expected 0); broken version: exit ${badExit} (expected 1)`);
console.log(asExpected ? 'demo: health-gate told the two versions apart' : 'demo: UNEXPECTED RESULT');
process.exitCode = asExpected ? 0 : 1;
