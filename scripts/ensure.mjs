// @ts-check
// The `pre` step of `npm test` and `npm run demo`: installs whatever is missing so that either
// works as the first command on a fresh clone. Plain node with no dependencies, since it runs
// before any are installed.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');

/** @param {string} command @param {string[]} args */
function run(command, args) {
  console.log(`ensure: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`ensure: ${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}

function ensureNode() {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    console.error(`ensure: Node.js 20.19 or newer is needed (vitest and vite); this is ${process.version}`);
    process.exit(1);
  }
}

/** npm ci when node_modules is missing or was installed from another package-lock.json. */
function ensureNpmPackages() {
  const lock = join(root, 'package-lock.json');
  const stamp = join(root, 'node_modules', '.deploy-actions-lock');
  const hash = createHash('sha256').update(readFileSync(lock)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return;
  run('npm', ['ci', '--no-audit', '--no-fund']);
  writeFileSync(stamp, hash);
}

/**
 * The real parts the integration tests run against: a Docker engine, Debian's registry,
 * sshd and compose for the VM, static busybox for images built without any pull.
 */
const DEBIAN_PACKAGES = [
  'git',
  'openssl',
  'docker.io',
  'docker-registry',
  'docker-compose',
  'openssh-server',
  'busybox-static',
  // The OCI runtime of BuildKit's worker (docker.io brings it too; named for what needs it).
  'runc',
  // Info-ZIP: the AKS run-command stand-in unpacks helm-deploy's context with a reader not our own.
  'unzip',
  // Argo CD's cache (the GitOps stand-up of Option A's end-to-end test).
  'redis-server',
];

/** @param {string} name */
const installed = (name) =>
  spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' }).stdout?.includes('install ok installed');

function ensureDebianPackages() {
  if (spawnSync('dpkg-query', ['--version']).status !== 0) {
    console.warn(
      'ensure: not a Debian system: install docker, docker-registry, sshd and busybox yourself; their tests are skipped',
    );
    return;
  }
  const missing = DEBIAN_PACKAGES.filter((name) => !installed(name));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    console.warn(`ensure: missing Debian packages (${missing.join(', ')}) and not root: their tests are skipped`);
    return;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  console.log(`ensure: apt-get install ${missing.join(' ')}`);
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', ...missing],
  ]) {
    const result = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (result.status !== 0) {
      console.error(`ensure: apt-get ${args[0]} failed (exit ${result.status ?? result.signal})`);
      process.exit(1);
    }
  }
}

const dockerAnswers = () =>
  spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { stdio: 'ignore', timeout: 10_000 }).status === 0;

/**
 * Why a dockerd that did not come up failed, as one line with the fix, when its log shows
 * another daemon in the way: a stale or live pid file, a containerd or socket already taken.
 * @param {string} log
 * @returns {string | undefined}
 */
export function explainDockerdFailure(log) {
  const tail = log.split('\n').slice(-40).join('\n');
  if (/pid file found|docker\.pid/i.test(tail)) {
    return 'another dockerd holds /var/run/docker.pid but does not answer on /var/run/docker.sock: stop it (`pkill dockerd`) or, if none runs, delete the stale /var/run/docker.pid; or set DOCKER_HOST to the daemon you use';
  }
  if (/containerd/i.test(tail) && /(address already in use|already running|timeout|in use|lock)/i.test(tail)) {
    return 'containerd is held by another Docker daemon (its exec-root /var/run/docker or /run/containerd is in use): stop that daemon (`pkill dockerd containerd`), or set DOCKER_HOST to it';
  }
  if (/address already in use|bind: /i.test(tail)) {
    return 'the Docker socket /var/run/docker.sock is taken by another process: stop it, or set DOCKER_HOST to the daemon you use';
  }
  return undefined;
}

/**
 * Starts dockerd in the background when nothing answers (on DOCKER_HOST when it is set, else
 * the default socket), and waits up to 60 s. When it cannot start, one line says why and
 * what to do, rather than a wall of daemon log.
 */
async function ensureDockerDaemon() {
  if (dockerAnswers() || !existsSync('/usr/sbin/dockerd') || process.getuid?.() !== 0) return;
  if (process.env.DOCKER_HOST) {
    console.error(`ensure: DOCKER_HOST=${process.env.DOCKER_HOST} does not answer; start that daemon or unset DOCKER_HOST`);
    process.exit(1);
  }
  const log = '/tmp/deploy-actions-dockerd.log';
  console.log(`ensure: starting dockerd (log: ${log})`);
  const started = readLog(log).length;
  const daemon = spawn('/usr/sbin/dockerd', [], { detached: true, stdio: ['ignore', openSync(log, 'a'), openSync(log, 'a')] });
  daemon.unref();
  let exited = false;
  daemon.on('exit', () => {
    exited = true;
  });
  for (let waited = 0; waited < 60_000 && !exited; waited += 500) {
    if (dockerAnswers()) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (dockerAnswers()) return;
  const why = explainDockerdFailure(readLog(log).slice(started));
  console.error(`ensure: dockerd ${exited ? 'exited' : 'did not answer within 60 s'}: ${why ?? `see ${log}`}`);
  process.exit(1);
}

/** @param {string} path */
function readLog(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureNode();
  ensureNpmPackages();
  ensureDebianPackages();
  await ensureDockerDaemon();
  // The Go-built real parts: built once per machine, reused after. `npm run demo` builds
  // only what the options it runs need (scripts/demo.mjs), so its pre step passes --no-tools.
  if (!process.argv.includes('--no-tools')) {
    const { ensureTools } = await import('./tools.mjs');
    ensureTools();
    const { ensureRunnerNode } = await import('./runner-node.mjs');
    ensureRunnerNode();
  }
}
