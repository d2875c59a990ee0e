// @ts-check
// `npm run demo`: (1) serves a small local app and runs the bundled health-gate against a
// healthy and a broken version of it through the local runner; (2) runs Options D, C and E
// end to end on this machine, the sample's caller workflows under act, job by job; (3) runs
// Option A through its actions in the workflow's order against a local GitOps repository.
// `npm run demo -- --option c` runs one option.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './actions.mjs';
import { ensureBundles } from './bundles.mjs';
import { startDemoApp } from './demo-app.mjs';
import { ensureTools } from './tools.mjs';

// `npm run demo -- --option c` runs one option's section (a, c, d or e) and nothing else.
const optionAt = process.argv.indexOf('--option');
const only = optionAt >= 0 ? (process.argv[optionAt + 1] ?? '').toLowerCase() : undefined;
if (only !== undefined && !['a', 'c', 'd', 'e'].includes(only)) {
  console.error(`demo: --option must be a, c, d or e; got "${only}"`);
  process.exit(1);
}
/** @param {string} option */
const wanted = (option) => only === undefined || only === option;

// The Go-built parts each option runs on: act for the workflows, and for C, Helm and the
// control plane. Only those of the chosen options are built, each saying how long it took.
/** @type {Record<string, string[]>} */
const PARTS_OF = { a: [], c: ['helm4', 'etcd', 'kubernetes', 'act'], d: ['act'], e: ['act'] };
const parts = [...new Set(Object.entries(PARTS_OF).flatMap(([option, names]) => (wanted(option) ? names : [])))];
if (parts.length > 0) {
  console.log(`demo: the real parts these options need, built with Go where missing: ${parts.join(', ')}`);
  const started = Date.now();
  ensureTools({ parts });
  console.log(`demo: parts ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

// Colour only for a terminal: a log file or a pipe gets plain text.
const color = process.stdout.isTTY ? {} : { NO_COLOR: '1', FORCE_COLOR: '0' };
// The demo runs what the source builds, as the tests do.
const bundles = await ensureBundles();
const baseEnv = { ...process.env, ...color, DEPLOY_ACTIONS_DIST: bundles };

/** @param {string[]} args @param {NodeJS.ProcessEnv} [env] @returns {Promise<number>} */
function runNode(args, env = baseEnv) {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'inherit', env });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      resolve(code ?? 1);
    });
  });
}

/**
 * Runs one e2e test file and prints only what it narrates (DEMO_LOG, see
 * test/support/sample-app.ts) as it comes; the test runner's own output is shown only
 * when the test fails, to say why.
 * @param {string} file
 * @returns {Promise<number>}
 */
async function runScenario(file) {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-actions-demo-'));
  const logPath = join(dir, 'demo.log');
  writeFileSync(logPath, '');
  const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
  const env = { ...baseEnv, DEMO_LOG: logPath, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' };
  const child = spawn(process.execPath, [vitest, 'run', '--project', 'e2e', file], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  /** @type {Buffer[]} */
  const runnerOutput = [];
  child.stdout.on('data', (/** @type {Buffer} */ chunk) => runnerOutput.push(chunk));
  child.stderr.on('data', (/** @type {Buffer} */ chunk) => runnerOutput.push(chunk));
  const fd = openSync(logPath, 'r');
  let offset = 0;
  const drain = () => {
    const buffer = Buffer.alloc(64 * 1024);
    for (
      let read = readSync(fd, buffer, 0, buffer.length, offset);
      read > 0;
      read = readSync(fd, buffer, 0, buffer.length, offset)
    ) {
      process.stdout.write(buffer.subarray(0, read));
      offset += read;
    }
  };
  const timer = setInterval(drain, 200);
  /** @type {number} */
  const code = await new Promise((resolve) => {
    child.on('close', (exit) => {
      resolve(exit ?? 1);
    });
  });
  clearInterval(timer);
  drain();
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
  if (code !== 0) {
    console.log(`\n${file} failed; the test runner said:\n${Buffer.concat(runnerOutput).toString('utf8')}`);
  }
  return code;
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

let goodExit = 0;
let badExit = 1;
if (only === undefined) {
  banner('1. The new version abc123: its port opens after 1 s, then it is healthy. Expect: healthy.');
  const good = await startDemoApp({ sha: 'abc123', startDelayMs: 1000 });
  goodExit = await deployActions(gate(good.url, 'abc123'));
  await good.close();

  banner('2. A bad release: /api/info answers 503 and reports the old build old1. Expect: unhealthy.');
  const bad = await startDemoApp({ sha: 'old1', broken: true });
  badExit = await deployActions(gate(bad.url, 'abc123'));
  await bad.close();
}

/**
 * One option's section: its banner, then its e2e file, which runs the sample's callers
 * through act (C, D, E) job by job. Undefined, and reported as not run, when not chosen.
 * @param {string} option @param {string} title @param {string} file
 * @returns {Promise<number | undefined>}
 */
async function section(option, title, file) {
  if (!wanted(option)) return undefined;
  banner(title);
  const started = Date.now();
  const code = await runScenario(file);
  console.log(`\n(option ${option.toUpperCase()}: ${((Date.now() - started) / 1000).toFixed(0)} s)`);
  return code;
}

const optionD = await section(
  'd',
  '3. Option D on this machine: registry, Docker engine, sshd and compose as the VM.\n' +
    'Expect, under act (deploy.yml, then rollback.yml dispatched): release 1 deployed and\n' +
    'healthy; release 2 changes the backend alone (the frontend\n' +
    'keeps release 1); release 3 (broken backend) fails its gate; the rollback restores the\n' +
    'last good images; then the timings against their targets.',
  'test/e2e/option-d.test.ts',
);

const optionA = await section(
  'a',
  '4. Option A on this machine: a GitOps repository over smart HTTP, and a stand-in for ArgoCD.\n' +
    'Expect: release 1 bumped and healthy; release 2 bumps the backend alone; release 3\n' +
    '(broken backend) fails its gate; a revert of that bump makes it healthy on release 2\n' +
    'again; then the timings against their targets.',
  'test/e2e/option-a.test.ts',
);

const optionC = await section(
  'c',
  '5. Option C on this machine: real Helm 4 and a real Kubernetes control plane (kwok nodes),\n' +
    'signed in through OIDC; a stand-in runs what Kubernetes rolled out as containers.\n' +
    'Expect, under act (deploy-aks.yml, then rollback-aks.yml dispatched): release 1 installed\n' +
    'and healthy; release 2 upgrades the backend alone (the others keep their tags); release 3\n' +
    '(broken backend) rolls out but fails its gate, and the deploy job rolls it back to release\n' +
    '2; release 4 (fixed) closes the alert issue; the dispatched rollback; then the timings.',
  'test/e2e/option-c.test.ts',
);

const optionE = await section(
  'e',
  '6. Option E on this machine: Web App for Containers with a staging slot. ARM is a fake\n' +
    '(checked against the official client); the images it serves are real containers.\n' +
    'Expect, under act (deploy-webapp.yml, then rollback-webapp.yml dispatched): release 1\n' +
    'staged, gated, swapped and healthy; release 2 stages the backend alone (the others keep\n' +
    'what production runs); release 3 (broken backend) fails the slot gate and promote never\n' +
    'runs; release 4 passes the slot but fails in production and is swapped back; release 5\n' +
    'closes the alert issue; the dispatched swap back; then the timings.',
  'test/e2e/option-e.test.ts',
);

banner('Result');
/** @param {number | undefined} code */
const outcome = (code) => (code === undefined ? 'not run' : code === 0 ? 'passed' : `FAILED (exit ${code})`);
const sections = [optionD, optionA, optionC, optionE];
const asExpected = goodExit === 0 && badExit === 1 && sections.every((code) => code === undefined || code === 0);
if (only === undefined) {
  console.log(`healthy version: exit ${goodExit} (expected 0); broken version: exit ${badExit} (expected 1)`);
}
console.log(`option D deploy and rollback: ${outcome(optionD)}`);
console.log(`option A deploy and rollback: ${outcome(optionA)}`);
console.log(`option C deploy and rollback: ${outcome(optionC)}`);
console.log(`option E swap and swap-back: ${outcome(optionE)}`);
console.log(asExpected ? 'demo: all as expected' : 'demo: UNEXPECTED RESULT');
process.exitCode = asExpected ? 0 : 1;
