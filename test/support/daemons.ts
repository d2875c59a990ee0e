import { execFileSync } from 'node:child_process';

function works(file: string, args: string[]): boolean {
  try {
    execFileSync(file, args, { stdio: 'ignore', timeout: 15_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a daemon or program a test needs is here. Missing, the test is skipped with a
 * message on a developer machine; under CI=true a missing daemon fails the run instead,
 * so a green CI always means the real parts ran.
 */
export function requirePart(name: string, present: boolean): boolean {
  if (present) return true;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(`${name} is required under CI but is not available (.ci/run installs and starts it)`);
  }
  console.warn(`SKIPPED: ${name} is not available here; run \`npm test\` (its pre step installs it) or .ci/run`);
  return false;
}

export const hasDocker = (): boolean =>
  requirePart('a Docker engine (dockerd)', works('docker', ['version', '--format', '{{.Server.Version}}']));
export const hasRegistry = (): boolean => requirePart("Debian's docker-registry", works('docker-registry', ['--version']));
export const hasSshd = (): boolean =>
  requirePart('sshd', works('/usr/sbin/sshd', ['-t', '-f', '/dev/null']) || works('test', ['-x', '/usr/sbin/sshd']));
export const hasCompose = (): boolean =>
  requirePart(
    'docker compose or docker-compose',
    works('docker', ['compose', 'version']) || works('docker-compose', ['version']),
  );

/** Helm 3 and 4 built from source by scripts/tools.mjs (needs Go), packaged as get.helm.sh serves them. */
export const hasHelmBuilds = (): boolean =>
  requirePart("Helm built from source with Go (scripts/tools.mjs, run by npm test's pre step)", works('go', ['version']));

/** The control plane built by scripts/tools.mjs (needs Go): etcd, the Kubernetes parts and kwok. */
export const hasControlPlane = (): boolean =>
  requirePart(
    'a Kubernetes control plane (Go, to build etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok)',
    works('go', ['version']),
  );
