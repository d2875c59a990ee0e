// Many gitops-bump runs at once on one values file, over smart HTTP: what Option A meets when
// many service pipelines deploy through one GitOps repository. Used by the integration test
// and by `npm run bench`.
import { execFileSync } from 'node:child_process';
import { type GitServer, seedRepo } from './git-http.js';
import { runAction } from './run-action.js';

const ACR = 'omispcacrprod.azurecr.io/omis-pc';

export interface Contention {
  runs: number;
  landed: number;
  attempts: number[];
  seconds: number;
  /** Commits on main after the seed: one per run when none was lost. */
  commits: number;
  merges: number;
  /** Every service's tag in the final file is its run's. */
  allTagsSet: boolean;
  failures: string[];
}

export async function concurrentBumps(server: GitServer, token: string, runs: number): Promise<Contention> {
  const services = Array.from({ length: runs }, (_, index) => `svc${String(index + 1).padStart(3, '0')}`);
  const values = services
    .map((service) => `${service}:\n  image:\n    repository: ${ACR}/${service}\n    tag: "old"\n`)
    .join('\n');
  const repo = seedRepo(server, { 'environments/prod/values.yaml': `# ${runs} services\n\n${values}` });
  const git = (...args: string[]) => execFileSync('git', ['--git-dir', repo.gitDir, ...args], { encoding: 'utf8' }).trim();
  const started = performance.now();
  const results = await Promise.all(
    services.map((service) =>
      runAction(
        'gitops-bump',
        {
          token,
          repository: 'omis/gitops',
          'git-url': server.url(repo.name),
          files: 'environments/prod/values.yaml',
          images: `${ACR}/${service}=new-${service}`,
        },
        {
          env: {
            GITHUB_SERVER_URL: 'https://github.com',
            GITHUB_REPOSITORY: 'omis/app',
            GITHUB_RUN_ID: '4242',
            GITHUB_SHA: 'a'.repeat(40),
          },
          timeoutMs: 240_000,
        },
      ),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const final = git('show', 'main:environments/prod/values.yaml');
  return {
    runs,
    landed: results.filter((result) => result.exitCode === 0).length,
    attempts: results.map((result) => Number(result.outputs.attempts ?? 0)),
    seconds,
    commits: Number(git('rev-list', '--count', 'main')) - 1,
    merges: git('rev-list', '--merges', 'main') === '' ? 0 : git('rev-list', '--merges', 'main').split('\n').length,
    allTagsSet: services.every((service) => final.includes(`repository: ${ACR}/${service}\n    tag: "new-${service}"`)),
    failures: results.filter((result) => result.exitCode !== 0).map((result) => result.log.split('\n').slice(-3).join(' ')),
  };
}

export const percentileOf = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};
