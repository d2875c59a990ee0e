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
    'interval=50ms',
    '--input',
    'expect-json=build.sha=abc123',
    '--input',
    'headers=Authorization: Bearer cli-secret-42',
  ]);
  expect(stdout).toContain('round 1 pass');
  expect(stdout).toContain('── outputs ──\nhealthy: true\nprobes: 3');
  expect(stdout).toContain('── job summary ──\n### ✅ health-gate: healthy');
  expect(stdout).toMatch(/health-gate exited with 0 in \d+ ms/);
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
