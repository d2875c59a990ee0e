// @ts-check
// `npm run demo`: (1) serves a small local app and runs the bundled health-gate against a
// healthy and a broken version of it through the local runner; (2) runs Option D end to end
// on this machine (examples/omis-sample: build-matrix, acr-push, watchtower-config apply over
// SSH, health-gate, a broken release and its rollback); (3) runs Option A the same way against
// a local GitOps repository (gitops-bump push and revert), printing each step's job summary.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './actions.mjs';
import { startDemoApp } from './demo-app.mjs';

/** @param {string[]} args @param {NodeJS.ProcessEnv} [env] @returns {Promise<number>} */
function runNode(args, env = process.env) {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'inherit', env });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      resolve(code ?? 1);
    });
  });
}

/** @param {string[]} args */
function deployActions(args) {
  console.log(`\n$ npx deploy-actions ${args.map((arg) => (/\s/.test(arg) ? `'${arg}'` : arg)).join(' ')}\n`);
  return runNode([join(ROOT, 'bin', 'deploy-actions.js'), ...args]);
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

banner('3. Option D on this machine: registry, Docker engine, sshd and compose as the VM.');
const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const optionD = await runNode([vitest, 'run', 'test/e2e/option-d.test.ts'], { ...process.env, DEMO: '1', CI: 'true' });

banner('4. Option A on this machine: a GitOps repository over smart HTTP, and a stand-in for ArgoCD.');
const optionA = await runNode([vitest, 'run', 'test/e2e/option-a.test.ts'], { ...process.env, DEMO: '1', CI: 'true' });

banner('Result');
const asExpected = goodExit === 0 && badExit === 1 && optionD === 0 && optionA === 0;
console.log(`healthy version: exit ${goodExit} (expected 0); broken version: exit ${badExit} (expected 1)`);
console.log(`option D deploy and rollback: ${optionD === 0 ? 'passed' : `FAILED (exit ${optionD})`}`);
console.log(`option A deploy and rollback: ${optionA === 0 ? 'passed' : `FAILED (exit ${optionA})`}`);
console.log(asExpected ? 'demo: all as expected' : 'demo: UNEXPECTED RESULT');
process.exitCode = asExpected ? 0 : 1;
