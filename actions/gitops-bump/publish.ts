import { createHash } from 'node:crypto';
import { formatDuration } from '../../packages/shared/duration.js';
import { backoffDelay, sleep } from '../../packages/shared/retry.js';
import type { BumpConfig } from './config.js';
import { openOrUpdatePullRequest, type PullRequest } from './pull-request.js';
import { classifyPushFailure, type PushOutcome, type Workspace } from './workspace.js';
import { publishThroughApi, type RefUpdate } from './git-data.js';
import { octokit } from '../../packages/shared/github.js';

/** Builds the change on the current remote tip; returns false when there is nothing to commit. */
export type Change = (attempt: number) => Promise<boolean>;

export interface Published {
  changed: boolean;
  commitSha: string;
  pull?: PullRequest;
  attempts: number;
  diff: string;
  /** signing: github: whether GitHub reported its signature verified. */
  verified?: boolean;
}

// Full jitter over a window that doubles with each push lost (0-2 s, 0-4 s, ... 0-32 s):
// pipelines that collided are spread out instead of colliding again, and the more a run has
// lost, the wider it spreads, so a hundred pushing to one branch at once all land. The loop
// ends on the time budget (timeout), not on a count, unless max-attempts caps it.
const BACKOFF = { attempts: 0, baseDelayMs: 2000, maxDelayMs: 32_000, jitter: 'full' } as const;

async function diffOf(workspace: Workspace): Promise<string> {
  const diff = await workspace.git.out(['show', '--format=', '--no-color', 'HEAD']);
  return diff.length > 60_000 ? `${diff.slice(0, 60_000)}\n... (diff cut at 60000 characters)` : diff;
}

/**
 * The loop both modes share: from a fresh fetch of the tip, build the change and push it.
 * A push lost to another pipeline (non-fast-forward), or hit by a network fault, starts over
 * after a fully jittered wait that widens with each loss, while the time budget lasts (and
 * up to max-attempts when that is set); any other failure ends it at once.
 */
async function landChange(
  workspace: Workspace,
  config: BumpConfig,
  target: string,
  change: Change,
  push: () => Promise<PushOutcome>,
  log: (line: string) => void,
): Promise<
  { changed: false; attempts: number } | { changed: true; sha: string; pushed: boolean; attempts: number; verified?: boolean }
> {
  const started = Date.now();
  const deadline = started + config.timeoutMs;
  let lost = 0;
  let faults = 0;
  let attempt = 1;
  for (; ; attempt++) {
    await workspace.syncToRemote();
    if (!(await change(attempt))) return { changed: false, attempts: attempt };
    const outcome = await push();
    if (outcome.landed) return { changed: true, ...outcome, attempts: attempt };
    const lastFailure = outcome.failure;
    if (lastFailure.kind === 'final') {
      // Refused on purpose (a protected branch, a hook): no retry can change the answer.
      throw new Error(`push to ${target} was refused by the server (${lastFailure.reason}); not retried`);
    }
    if (lastFailure.kind === 'lost-race') lost += 1;
    else faults += 1;
    if (config.maxAttempts > 0 && attempt >= config.maxAttempts) break;
    const left = deadline - Date.now();
    if (left <= 0) break;
    // Every attempt so far failed (lost or faulted), so the attempt number is the count to widen by.
    const delay = Math.min(backoffDelay(BACKOFF, attempt, Math.random), left);
    const why =
      lastFailure.kind === 'lost-race' ? 'was rejected (another pipeline pushed first)' : 'hit a network or server fault';
    log(`push attempt ${attempt} ${why}; retrying on the new tip in ${delay} ms`);
    await sleep(delay);
  }
  const note = target === config.branch ? '; nothing was force-pushed' : '';
  const tried = `${attempt} attempts over ${formatDuration(Date.now() - started)}`;
  const limit =
    config.maxAttempts > 0 && attempt >= config.maxAttempts
      ? `max-attempts ${config.maxAttempts}`
      : `timeout ${formatDuration(config.timeoutMs)}`;
  throw new Error(
    `push to ${target} did not land in ${tried} (${limit}): lost the race to other pipelines ${lost} times, hit network or server faults ${faults} times${note}`,
  );
}

/** A git push: landed with HEAD's SHA, or why not. */
async function pushHead(workspace: Workspace, args: readonly string[]): Promise<PushOutcome> {
  const result = await workspace.git.run(['push', '--porcelain', ...args]);
  return result.code === 0
    ? { landed: true, sha: await workspace.git.out(['rev-parse', 'HEAD']), pushed: true }
    : { landed: false, failure: classifyPushFailure(`${result.stdout}\n${result.stderr}`) };
}

/**
 * Publishes HEAD on `branch`: `git push` (signed by the clone with signing: ssh), or with
 * signing: github through GitHub's Git Data API, which signs it (git-data.ts).
 */
function publisher(
  workspace: Workspace,
  config: BumpConfig,
  log: (line: string) => void,
): (branch: string, update: RefUpdate, pushArgs: readonly string[]) => Promise<PushOutcome> {
  if (config.signing !== 'github') return (_branch, _update, pushArgs) => pushHead(workspace, pushArgs);
  let api: Awaited<ReturnType<typeof octokit>> | undefined;
  return async (branch, update) => {
    api ??= await octokit(config.token);
    return publishThroughApi(workspace, api, config.repository, branch, update, log);
  };
}

/**
 * Push mode: the change lands on the target branch, which is never force-pushed, so no
 * one's commit is lost and history stays linear.
 */
export async function pushToBranch(
  workspace: Workspace,
  config: BumpConfig,
  change: Change,
  log: (line: string) => void,
): Promise<Published> {
  const publish = publisher(workspace, config, log);
  const landed = await landChange(
    workspace,
    config,
    config.branch,
    change,
    () => publish(config.branch, { kind: 'fast-forward' }, ['origin', `HEAD:refs/heads/${config.branch}`]),
    log,
  );
  if (!landed.changed) return { changed: false, commitSha: '', attempts: landed.attempts, diff: '' };
  const diff = await diffOf(workspace);
  return { changed: true, commitSha: landed.sha, attempts: landed.attempts, diff, ...signed(landed.verified) };
}

const signed = (verified: boolean | undefined) => (verified === undefined ? {} : { verified });

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
  const publish = publisher(workspace, config, log);
  const landed = await landChange(
    workspace,
    config,
    prBranch,
    change,
    async () => {
      const remote = (await workspace.git.out(['ls-remote', 'origin', `refs/heads/${prBranch}`])).split('\t')[0] ?? '';
      if (remote) {
        await workspace.git.out([
          'fetch',
          '--quiet',
          '--no-tags',
          'origin',
          `+refs/heads/${prBranch}:refs/remotes/origin/${prBranch}`,
        ]);
        const sameTree =
          (await workspace.git.out(['rev-parse', `${remote}^{tree}`])) ===
          (await workspace.git.out(['rev-parse', 'HEAD^{tree}']));
        const sameBase =
          (await workspace.git.run(['merge-base', '--is-ancestor', `refs/remotes/origin/${config.branch}`, remote])).code === 0;
        if (sameTree && sameBase) {
          log(`${prBranch} already holds this change (${remote.slice(0, 12)}); not pushing again`);
          return { landed: true, sha: remote, pushed: false };
        }
      }
      // Our own branch: force is fine, but only over the commit we saw (a lease).
      return publish(prBranch, { kind: 'lease', expected: remote }, [
        `--force-with-lease=refs/heads/${prBranch}:${remote}`,
        'origin',
        `HEAD:refs/heads/${prBranch}`,
      ]);
    },
    log,
  );
  if (!landed.changed) return { changed: false, commitSha: '', attempts: landed.attempts, diff: '' };
  const { sha: commitSha, pushed, attempts, verified } = landed;
  const diff = await diffOf(workspace);

  const { pull, existed } = await openOrUpdatePullRequest(config, prBranch, text);
  log(`${existed ? 'Updated' : 'Opened'} pull request #${pull.number} (${pull.html_url})${pushed ? '' : ' without a new push'}`);
  return { changed: true, commitSha, pull, attempts, diff, ...signed(verified) };
}
