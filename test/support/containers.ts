// REAL Docker containers for the stand-ins of what runs an image (test/support/serving.ts
// for Kubernetes, fake-appservice.ts's `serve` for App Service): a docker client with its own
// config folder, logged in to the test registry as a node or an App Service worker would
// pull, and a pool that runs each image once, published on a loopback port.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface RegistryLogin {
  host: string;
  username: string;
  password: string;
}

export interface DockerClient {
  docker: (...args: string[]) => Promise<{ stdout: string }>;
  /** Removes the client's config folder (and its registry credentials). */
  cleanup: () => void;
}

/** A docker client whose credentials live in a folder of its own, logged in to `registry`. */
export async function dockerClient(registry?: RegistryLogin): Promise<DockerClient> {
  const config = mkdtempSync(join(tmpdir(), 'stand-in-docker-'));
  const docker = (...args: string[]) => run('docker', ['--config', config, ...args], { timeout: 120_000 });
  if (registry) {
    const login = execFile('docker', [
      '--config',
      config,
      'login',
      registry.host,
      '--username',
      registry.username,
      '--password-stdin',
    ]);
    login.stdin?.end(registry.password);
    await new Promise<void>((resolve, reject) => {
      login.on('exit', (code) => {
        if (code === 0) resolve();
        else reject(new Error(`docker login ${registry.host} exited ${String(code)}`));
      });
    });
  }
  return {
    docker,
    cleanup: () => {
      rmSync(config, { recursive: true, force: true });
    },
  };
}

export interface ContainerPool {
  /** The origin (http://127.0.0.1:<port>) of a container running `image`, started on first use. */
  originOf: (image: string) => Promise<string>;
  close: () => Promise<void>;
}

/** Each image runs once, its `containerPort` published on an ephemeral loopback port. */
export async function startContainerPool(registry?: RegistryLogin, containerPort = 8080): Promise<ContainerPool> {
  const client = await dockerClient(registry);
  const prefix = `pool-${process.pid}-${Date.now().toString(36)}`;
  const started = new Map<string, Promise<string>>();
  const names: string[] = [];
  const start = async (image: string): Promise<string> => {
    const name = `${prefix}-${names.length}`;
    names.push(name);
    await client.docker('run', '-d', '--name', name, '-p', `127.0.0.1::${containerPort}`, '--', image);
    const { stdout } = await client.docker('port', name, `${containerPort}/tcp`);
    const port = /127\.0\.0\.1:(\d+)/.exec(stdout)?.[1];
    if (!port) throw new Error(`docker port ${name} gave no loopback port: ${stdout}`);
    return `http://127.0.0.1:${port}`;
  };
  return {
    originOf: (image) => {
      let origin = started.get(image);
      if (!origin) {
        origin = start(image);
        started.set(image, origin);
      }
      return origin;
    },
    close: async () => {
      await Promise.all(names.map((name) => client.docker('rm', '-f', name).catch(() => undefined)));
      client.cleanup();
    },
  };
}
