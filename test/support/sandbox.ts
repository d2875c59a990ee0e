// A sandbox for "nothing happened" assertions: a workspace and RUNNER_TEMP of the test's own,
// PATH shims for git, docker, ssh and scp that record any call and fail, and a canary HTTP
// server that counts every request. A bad input must leave all four untouched.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startServer, type TestServer } from './http-server.js';

export interface Sandbox {
  root: string;
  workspace: string;
  runnerTemp: string;
  canary: TestServer;
  /** Environment for runAction: the shims first on PATH, RUNNER_TEMP ours. */
  env: Record<string, string>;
  /** The commands the shims saw. */
  calls: () => string[];
  /** Every file and folder under the workspace, with sizes: compare before and after. */
  snapshot: () => string[];
  /** Files left in RUNNER_TEMP. */
  leftInTemp: () => string[];
  close: () => Promise<void>;
}

const SHIMMED = ['git', 'docker', 'docker-compose', 'ssh', 'scp', 'tar', 'helm'];

function listTree(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      return `${relative(dir, path)}${entry.isFile() ? ` ${statSync(path).size}` : '/'}`;
    })
    .sort();
}

export async function startSandbox(files: Record<string, string> = {}): Promise<Sandbox> {
  const root = mkdtempSync(join(tmpdir(), 'sandbox-'));
  const workspace = join(root, 'workspace');
  const runnerTemp = join(root, 'runner-temp');
  const bin = join(root, 'bin');
  const log = join(root, 'calls.log');
  for (const dir of [workspace, runnerTemp, bin]) mkdirSync(dir);
  writeFileSync(log, '');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(workspace, path, '..'), { recursive: true });
    writeFileSync(join(workspace, path), content);
  }
  for (const name of SHIMMED) {
    const shim = join(bin, name);
    writeFileSync(shim, `#!/bin/sh\necho "${name} $*" >> '${log}'\nexit 97\n`);
    chmodSync(shim, 0o755);
  }
  const canary = await startServer((_req, res) => {
    res.writeHead(500).end('the canary was called');
  });
  return {
    root,
    workspace,
    runnerTemp,
    canary,
    env: { PATH: `${bin}:${process.env.PATH ?? ''}`, RUNNER_TEMP: runnerTemp },
    calls: () => readFileSync(log, 'utf8').split('\n').filter(Boolean),
    snapshot: () => listTree(workspace),
    leftInTemp: () => listTree(runnerTemp),
    close: async () => {
      await canary.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
