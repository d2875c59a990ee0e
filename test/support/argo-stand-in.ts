// A stand-in for Argo CD's application controller, until the real one runs here: it watches
// one branch of the GitOps repository (a bare repository of the git server) and, each time
// the branch moves, renders one environment's values into a compose file and applies it with
// docker compose, as Argo CD renders the chart and applies it to the cluster. It polls every
// half second (Argo CD polls every three minutes, or syncs on a webhook), so the workflows'
// gates see a sync within seconds. Everything else in the chain (git, the registry, the
// containers) is real.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';

const run = promisify(execFile);
const POLL_MS = 500;

export interface GitopsSync {
  /** The commits applied, oldest first. */
  synced: string[];
  /** Errors of applies that failed (the stand-in keeps polling, as Argo CD retries). */
  errors: string[];
  close: () => Promise<void>;
}

export interface GitopsSyncOptions {
  /** The bare GitOps repository. */
  gitDir: string;
  branch: string;
  /** The values file of the environment, in the repository. */
  valuesFile: string;
  /** A folder of the stand-in's own: the compose file and the cluster's registry login. */
  work: string;
  /** The registry login the "cluster" pulls with. */
  registry: { host: string; username: string; password: string };
  project: string;
}

type Values = Record<string, { port: number; image: { repository: string; digest: string } }>;

export function startGitopsSync(options: GitopsSyncOptions): GitopsSync {
  const dockerConfig = join(options.work, 'docker');
  mkdirSync(dockerConfig, { recursive: true });
  const auth = Buffer.from(`${options.registry.username}:${options.registry.password}`).toString('base64');
  writeFileSync(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [options.registry.host]: { auth } } }));
  const state: GitopsSync = { synced: [], errors: [], close: async () => {} };
  let applied = '';
  let stopped = false;

  const tip = () =>
    execFileSync('git', ['--git-dir', options.gitDir, 'rev-parse', '--verify', '--quiet', `refs/heads/${options.branch}`], {
      encoding: 'utf8',
    }).trim();

  const apply = async (commit: string) => {
    const text = execFileSync('git', ['--git-dir', options.gitDir, 'show', `${commit}:${options.valuesFile}`], {
      encoding: 'utf8',
    });
    // Services whose digest CI has not set yet are not deployed, as an image-less chart renders nothing.
    const services = Object.entries(parse(text) as Values)
      .filter(([, entry]) => entry.image.digest)
      .map(
        ([name, entry]) =>
          `  ${name}:\n    image: "${entry.image.repository}@${entry.image.digest}"\n    ports: ["127.0.0.1:${entry.port}:8080"]\n`,
      );
    // Nothing to run yet (the repository before CI's first bump): in sync with nothing.
    if (services.length === 0) return;
    writeFileSync(join(options.work, 'docker-compose.yml'), `version: "3.7"\nservices:\n${services.join('')}`);
    await run('docker-compose', ['-p', options.project, 'up', '-d', '--remove-orphans'], {
      cwd: options.work,
      env: { ...process.env, DOCKER_CONFIG: dockerConfig },
      timeout: 120_000,
    });
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        const commit = tip();
        if (commit && commit !== applied) {
          await apply(commit);
          applied = commit;
          state.synced.push(commit);
        }
      } catch (error) {
        const { message, stderr } = error as Error & { stderr?: string };
        state.errors.push(`${message.split('\n')[0] ?? ''} ${(stderr ?? '').trim().split('\n').at(-1) ?? ''}`.trim());
        if (state.errors.length > 100) state.errors.shift();
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  })();

  state.close = async () => {
    stopped = true;
    await loop;
    await run('docker-compose', ['-p', options.project, 'down', '--remove-orphans'], {
      cwd: options.work,
      timeout: 120_000,
    }).catch(() => undefined);
  };
  return state;
}
