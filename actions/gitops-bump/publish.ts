import { createHash } from 'node:crypto';
import { backoffDelay, sleep } from '../../packages/shared/retry.js';
import type { BumpConfig } from './config.js';
import { GitHubApi, type PullRequest } from './github-api.js';
import { isRejectedPush, isTransientGitFailure, lastLine, type Workspace } from './workspace.js';

/** Builds the change on the current remote tip; returns false when there is nothing to commit. */
export type Change = (attempt: number) => Promise<boolean>;

export interface Published {
  changed: boolean;
  commitSha: string;
  pull?: PullRequest;
  attempts: number;
  diff: string;
}

// Full jitter over 0-4 s, 0-8 s, 0-16 s, 0-16 s: pipelines that collided once are spread
// out instead of colliding again, so twenty pushing to one branch at once all land within
// the default five attempts, even on a busy two-core runner.
const BACKOFF = { attempts: 0, baseDelayMs: 4000, maxDelayMs: 16_000, jitter: 'full' } as const;

async function diffOf(workspace: Workspace): Promise<string> {
  const diff = await workspace.gitOut(['show', '--format=', '--no-color', 'HEAD']);
  return diff.length > 60_000 ? `${diff.slice(0, 60_000)}\n... (diff cut at 60000 characters)` : diff;
}

/**
 * Push mode: rebuild the change on the newest tip and push; a push lost to another pipeline
 * (non-fast-forward) starts over from a fresh fetch, after a jittered wait, up to
 * max-attempts. The target branch is never force-pushed, so no one's commit is lost and
 * history stays linear.
 */
export async function pushToBranch(
  workspace: Workspace,
  config: BumpConfig,
  change: Change,
  log: (line: string) => void,
): Promise<Published> {
  for (let attempt = 1; attempt <= config.maxAttempts; attempt++) {
    await workspace.syncToRemote();
    if (!(await change(attempt))) return { changed: false, commitSha: '', attempts: attempt, diff: '' };
    const push = await workspace.git(['push', '--porcelain', 'origin', `HEAD:refs/heads/${config.branch}`]);
    if (push.code === 0) {
      return {
        changed: true,
        commitSha: await workspace.gitOut(['rev-parse', 'HEAD']),
        attempts: attempt,
        diff: await diffOf(workspace),
      };
    }
    const output = `${push.stdout}\n${push.stderr}`;
    if (!isRejectedPush(output) && !isTransientGitFailure(output))
      throw new Error(`push to ${config.branch} failed: ${lastLine(push.stderr)}`);
    if (attempt < config.maxAttempts) {
      const delay = backoffDelay(BACKOFF, attempt, Math.random);
      log(`push attempt ${attempt} was rejected (another pipeline pushed first); retrying on the new tip in ${delay} ms`);
      await sleep(delay);
    }
  }
  throw new Error(
    `push to ${config.branch} was rejected ${config.maxAttempts} times as other pipelines landed first; nothing was force-pushed`,
  );
}

/** The deterministic PR branch: one per target branch and set of files, so re-runs find it. */
export function defaultPrBranch(config: BumpConfig): string {
  const hash = createHash('sha256')
    .update([...config.files].sort().join('\n'))
    .digest('hex')
    .slice(0, 12);
  return `deploy-actions/${config.branch}/${hash}`;
}

/**
 * Pull-request mode: the change goes to the PR branch (ours, so it may be force-pushed,
 * with a lease), and the open PR of that branch is reused and updated, never duplicated.
 */
export async function openOrUpdatePull(
  workspace: Workspace,
  config: BumpConfig,
  change: Change,
  text: { title: string; body: string },
  log: (line: string) => void,
): Promise<Published> {
  const prBranch = config.prBranch ?? defaultPrBranch(config);
  let commitSha = '';
  let attempts = 0;
  let pushed = false;
  for (let attempt = 1; attempt <= config.maxAttempts; attempt++) {
    attempts = attempt;
    await workspace.syncToRemote();
    if (!(await change(attempt))) return { changed: false, commitSha: '', attempts, diff: '' };
    commitSha = await workspace.gitOut(['rev-parse', 'HEAD']);
    const remote = (await workspace.gitOut(['ls-remote', 'origin', `refs/heads/${prBranch}`])).split('\t')[0] ?? '';
    if (remote) {
      await workspace.gitOut([
        'fetch',
        '--quiet',
        '--no-tags',
        'origin',
        `+refs/heads/${prBranch}:refs/remotes/origin/${prBranch}`,
      ]);
      const sameTree =
        (await workspace.gitOut(['rev-parse', `${remote}^{tree}`])) === (await workspace.gitOut(['rev-parse', 'HEAD^{tree}']));
      const sameBase =
        (await workspace.git(['merge-base', '--is-ancestor', `refs/remotes/origin/${config.branch}`, remote])).code === 0;
      if (sameTree && sameBase) {
        log(`${prBranch} already holds this change (${remote.slice(0, 12)}); not pushing again`);
        commitSha = remote;
        break;
      }
    }
    const push = await workspace.git([
      'push',
      '--porcelain',
      `--force-with-lease=refs/heads/${prBranch}:${remote}`,
      'origin',
      `HEAD:refs/heads/${prBranch}`,
    ]);
    if (push.code === 0) {
      pushed = true;
      break;
    }
    const output = `${push.stdout}\n${push.stderr}`;
    if (!isRejectedPush(output) && !isTransientGitFailure(output))
      throw new Error(`push to ${prBranch} failed: ${lastLine(push.stderr)}`);
    if (attempt === config.maxAttempts) throw new Error(`push to ${prBranch} was rejected ${attempts} times`);
    await sleep(backoffDelay(BACKOFF, attempt, Math.random));
  }
  const diff = await diffOf(workspace);

  const api = new GitHubApi(
    process.env.GITHUB_API_URL ?? 'https://api.github.com',
    process.env.GITHUB_GRAPHQL_URL ?? `${process.env.GITHUB_API_URL ?? 'https://api.github.com'}/graphql`,
    config.token,
  );
  const existing = await api.findOpenPull(config.repository, prBranch, config.branch);
  const pull = existing
    ? await api.updatePull(config.repository, existing.number, text)
    : await api.createPull(config.repository, { ...text, head: prBranch, base: config.branch });
  log(`${existing ? 'Updated' : 'Opened'} pull request #${pull.number} (${pull.html_url})${pushed ? '' : ' without a new push'}`);
  if (config.prLabels.length > 0) await api.addLabels(config.repository, pull.number, config.prLabels);
  if (config.autoMerge !== '') await api.enableAutoMerge(pull.node_id, config.autoMerge);
  return { changed: true, commitSha, pull, attempts, diff };
}
