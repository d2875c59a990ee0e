// REAL: BuildKit's daemon (buildkitd, built by scripts/tools.mjs) on 127.0.0.1 with its OCI
// worker on Debian's runc, behind a buildx builder of the `remote` driver, as a runner set up
// by docker/setup-buildx-action has one. The docker config it returns is the runner's: the
// buildx CLI plugin in its cli-plugins folder and the builder selected (`docker buildx use`).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildkitBin } from '../../scripts/tools.mjs';
import { requirePart } from './daemons.js';
import { delay, freePort } from './http-server.js';

export const BUILDER = 'deploy-actions-remote';

/** buildkitd and buildx built from source (Go) and Debian's runc. */
export const hasBuildkit = (): boolean =>
  requirePart(
    'BuildKit and buildx built with Go (scripts/tools.mjs) and runc',
    existsSync(join(buildkitBin(), 'buildkitd')) &&
      existsSync(join(buildkitBin(), 'docker-buildx')) &&
      existsSync('/usr/sbin/runc'),
  );

export interface Buildkit {
  /** The runner's DOCKER_CONFIG: buildx installed, the remote builder current. */
  dockerConfig: string;
  /** Logs of buildkitd, to check what it was and was not given. */
  log: () => string;
  close: () => Promise<void>;
}

/** Whether something accepts connections on the port. */
const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });

/**
 * Starts buildkitd for the given registries (`host:port` on loopback, spoken to over plain
 * http, as dockerd does with 127.0.0.0/8) and a docker config whose current builder uses it.
 */
export async function startBuildkit(registries: readonly string[]): Promise<Buildkit> {
  const dir = mkdtempSync(join(tmpdir(), 'buildkit-'));
  const root = join(dir, 'root');
  const dockerConfig = join(dir, 'docker');
  mkdirSync(join(dockerConfig, 'cli-plugins'), { recursive: true });
  symlinkSync(join(buildkitBin(), 'docker-buildx'), join(dockerConfig, 'cli-plugins', 'docker-buildx'));
  const config = join(dir, 'buildkitd.toml');
  writeFileSync(
    config,
    [
      '[worker.oci]',
      '  enabled = true',
      '[worker.containerd]',
      '  enabled = false',
      ...registries.flatMap((host) => [`[registry."${host}"]`, '  http = true']),
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const output: Buffer[] = [];
  const daemon: ChildProcess = spawn(
    join(buildkitBin(), 'buildkitd'),
    ['--addr', `tcp://127.0.0.1:${port}`, '--root', root, '--config', config],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  daemon.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
  daemon.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
  const exited = new Promise<void>((resolve) =>
    daemon.once('exit', () => {
      resolve();
    }),
  );
  const started = Date.now();
  while (!(await accepts(port))) {
    if (daemon.exitCode !== null || Date.now() - started > 30_000) {
      daemon.kill('SIGKILL');
      throw new Error(`buildkitd did not start in 30 s: ${Buffer.concat(output).toString('utf8').slice(-2000)}`);
    }
    await delay(100);
  }
  const env = { ...process.env, DOCKER_CONFIG: dockerConfig };
  execFileSync('docker', ['buildx', 'create', '--name', BUILDER, '--driver', 'remote', '--use', `tcp://127.0.0.1:${port}`], {
    env,
    stdio: 'pipe',
  });
  execFileSync('docker', ['buildx', 'inspect', '--bootstrap', BUILDER], { env, stdio: 'pipe', timeout: 60_000 });
  return {
    dockerConfig,
    log: () => Buffer.concat(output).toString('utf8'),
    close: async () => {
      daemon.kill('SIGTERM');
      await Promise.race([exited, delay(10_000)]);
      if (daemon.exitCode === null) daemon.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
