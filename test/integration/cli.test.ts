// The local runner as a user calls it: `npx deploy-actions run <action> --input name=value`.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { REPO_ROOT } from '../../packages/runner/harness.js';
import { json, startServer, type TestServer } from '../support/http-server.js';

const execFileAsync = promisify(execFile);
/** `npx deploy-actions ...` with the CLI and the actions built from the current source. */
const deployActions = (args: string[]) =>
  execFileAsync(process.execPath, [join(inject('bundleDir'), 'cli', 'index.js'), ...args], {
    env: { ...process.env, DEPLOY_ACTIONS_ROOT: REPO_ROOT, DEPLOY_ACTIONS_DIST: inject('bundleDir') },
    timeout: 60_000,
  });
let app: TestServer;
beforeAll(async () => {
  app = await startServer((_req, res) => {
    json(res, 200, { build: { sha: 'abc123' } });
  });
});
afterAll(() => app.close());

it('runs the bundled action and prints its log, outputs and summary', async () => {
  const { stdout } = await deployActions([
    'run',
    'health-gate',
    '--input',
    `url=${app.url}/api/info`,
    '--input',
    'interval=100ms',
    '--input',
    'expect-json=build.sha=abc123',
    '--input',
    'headers=Authorization: Bearer cli-secret-42',
  ]);
  expect(stdout).toContain('round 1 pass');
  expect(stdout).toContain('── outputs ──\nhealthy: true\nprobes: 3');
  expect(stdout).toContain('── job summary ──\n### ✅ health-gate: healthy');
  expect(stdout).toMatch(/\nhealth-gate exited with 0 in [\d.]+m?s \(\d+ ms\)\n/);
  expect(stdout).not.toContain('cli-secret-42');
});

it('exits with the action exit code and shows the error as the runner would', async () => {
  const error = (await deployActions(['run', 'health-gate', '--input', 'url=ftp://x']).catch((caught: unknown) => caught)) as {
    code: number;
    stdout: string;
  };
  expect(error.code).toBe(1);
  expect(error.stdout).toContain(`Error: health-gate failed: input 'url' must be an http:// or https:// URL; got "ftp://x"`);
});

it('rejects an unknown input name', async () => {
  const error = (await deployActions(['run', 'health-gate', '--input', 'nope=1']).catch((caught: unknown) => caught)) as {
    code: number;
    stderr: string;
  };
  expect(error.code).toBe(2);
  expect(error.stderr).toContain(`health-gate has no input named 'nope'`);
});

it('lists the actions with one line of description each', async () => {
  const { stdout } = await deployActions(['list']);
  const lines = stdout.trim().split('\n');
  expect(lines.map((line) => line.split(/\s+/)[0])).toEqual(
    expect.arrayContaining(['acr-push', 'build-matrix', 'gitops-bump', 'health-gate', 'watchtower-config']),
  );
  expect(lines.find((line) => line.startsWith('health-gate'))).toMatch(/^health-gate\s+\S.{10,}$/);
});

it("prints an action's inputs with their defaults and descriptions on --help", async () => {
  const { stdout } = await deployActions(['run', 'health-gate', '--help']);
  expect(stdout).toMatch(/^health-gate: /);
  expect(stdout).toContain('  url\n      One or more http(s) URLs');
  expect(stdout).toContain('  interval (default 5s)\n      ');
  expect(stdout).toContain('Outputs:\n  healthy: ');
  const report = await deployActions(['run', 'deploy-report', '--help']);
  expect(report.stdout).toContain('  environment (required)\n      ');
});

it('says so in one line for an unknown command, and exits 2', async () => {
  const error = (await deployActions(['deploy']).catch((caught: unknown) => caught)) as { code: number; stderr: string };
  expect(error.code).toBe(2);
  expect(error.stderr.split('\n')[0]).toBe('deploy-actions: unknown command "deploy"; the commands are run and list');
});

it('reports a timeout with the same time it measured', async () => {
  const silent = await startServer(() => undefined); // never answers
  try {
    const error = (await deployActions([
      'run',
      'health-gate',
      '--input',
      `url=${silent.url}`,
      '--input',
      'timeout=60s',
      '--timeout',
      '1500ms',
    ]).catch((caught: unknown) => caught)) as { code: number; stderr: string };
    expect(error.code).toBe(124);
    const match = /health-gate was stopped by --timeout 1\.5s after ([\d.]+)s \((\d+) ms\)/.exec(error.stderr);
    expect(match).not.toBeNull();
    expect(Math.abs(Number(match![1]) * 1000 - Number(match![2]))).toBeLessThan(100);
    expect(Number(match![2])).toBeGreaterThanOrEqual(1500);
  } finally {
    await silent.close();
  }
});
