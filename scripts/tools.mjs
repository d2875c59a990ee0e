// @ts-check
// The real parts the tests build from their own sources with Go (tools/versions.json pins
// every version): Helm 3 and Helm 4, packaged the way get.helm.sh lays them out
// (helm-v<ver>-linux-amd64.tar.gz holding linux-amd64/helm, and its .sha256sum), so a
// loopback server can play get.helm.sh and helm-deploy installs them through
// @actions/tool-cache. Built once per machine into ~/.cache/deploy-actions/tools and reused
// while the versions are unchanged; Go's own module and build caches make a rebuild cheap.
// Without Go, nothing is built and the tests that need these parts skip (fail under CI).
// Usage: node scripts/tools.mjs   (prints the tools folder)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './actions.mjs';

/** @typedef {{ module: string, package: string, version: string }} GoTool */

/** @returns {Record<string, GoTool>} */
export function toolVersions() {
  /** @type {unknown} */
  const parsed = JSON.parse(readFileSync(join(ROOT, 'tools', 'versions.json'), 'utf8'));
  const pinned = /** @type {Record<string, unknown>} */ (parsed);
  return /** @type {Record<string, GoTool>} */ (
    Object.fromEntries(Object.entries(pinned).filter(([name]) => !name.startsWith('$')))
  );
}

export const TOOLS_DIR =
  process.env.DEPLOY_ACTIONS_TOOLS ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'deploy-actions', 'tools');

export const hasGo = () => spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;

/** The folder get.helm.sh's layout is served from: helm-v<ver>-linux-amd64.tar.gz and .sha256sum. */
export const helmDownloads = () => join(TOOLS_DIR, 'get.helm.sh');

/**
 * @param {string} command
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} [env]
 * @param {string} [cwd]
 */
function run(command, args, env = process.env, cwd) {
  const result = spawnSync(command, args, { env, cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
}

/**
 * Builds one Helm with `go install <package>@<version>`, the version stamped in as the
 * release Makefile does, then packages it as get.helm.sh serves it.
 * @param {GoTool} tool
 * @param {(line: string) => void} log
 */
function buildHelm(tool, log) {
  const downloads = helmDownloads();
  const archive = `helm-${tool.version}-linux-amd64.tar.gz`;
  if (existsSync(join(downloads, `${archive}.sha256sum`))) return;
  const started = Date.now();
  log(`tools: building ${tool.package}@${tool.version} with Go (first time on this machine)`);
  const work = join(TOOLS_DIR, `.build-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'linux-amd64'), { recursive: true });
  const ldflags = `-s -w -X ${tool.module}/internal/version.version=${tool.version} -X ${tool.module}/internal/version.gitTreeState=clean`;
  run('go', ['install', '-trimpath', `-ldflags=${ldflags}`, `${tool.package}@${tool.version}`], {
    ...process.env,
    GOBIN: join(work, 'linux-amd64'),
    CGO_ENABLED: '0',
    GOFLAGS: '-mod=mod',
  });
  chmodSync(join(work, 'linux-amd64', 'helm'), 0o755);
  mkdirSync(downloads, { recursive: true });
  // A fixed mtime and owner make the tarball (and its checksum) the same on every rebuild.
  run(
    'tar',
    ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-czf', join(work, archive), 'linux-amd64'],
    process.env,
    work,
  );
  const sum = createHash('sha256')
    .update(readFileSync(join(work, archive)))
    .digest('hex');
  renameSync(join(work, archive), join(downloads, archive));
  writeFileSync(join(downloads, `${archive}.sha256sum`), `${sum}  ${archive}\n`);
  rmSync(work, { recursive: true, force: true });
  log(`tools: ${archive} built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/**
 * Builds whatever is missing. Returns false, building nothing, when Go is not installed.
 * @param {{ log?: (line: string) => void }} [options]
 */
export function ensureTools(options = {}) {
  const log =
    options.log ??
    ((line) => {
      console.log(line);
    });
  if (!hasGo()) {
    log('tools: no Go here, so Helm is not built; the tests that need it skip (and fail under CI)');
    return false;
  }
  mkdirSync(TOOLS_DIR, { recursive: true });
  const versions = toolVersions();
  for (const name of ['helm3', 'helm4']) {
    const tool = versions[name];
    if (tool) buildHelm(tool, log);
  }
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureTools();
  console.log(TOOLS_DIR);
}
