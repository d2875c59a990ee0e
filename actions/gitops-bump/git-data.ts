import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describeGitHubError, type Octokit, statusOf, withRetry } from '../../packages/shared/github.js';
import { isTransientStatus } from '../../packages/shared/retry.js';
import type { PushOutcome, Workspace } from './workspace.js';

/**
 * `signing: github`. The change is made and committed in the clone as always, then made again
 * on GitHub through its Git Data API instead of `git push`: a blob for each changed file, a
 * tree on the parent's, a commit with no author or committer (so GitHub makes and signs it:
 * Verified, as a branch rule requiring signed commits wants), and the branch moved to it.
 * Blob and tree SHAs are content addresses, so GitHub's must equal the clone's: a check that
 * what lands is exactly what was committed and shown as the diff.
 */
export interface ApiCommit {
  sha: string;
  verified: boolean;
  reason: string;
}

/** How the ref may move: on the target branch only forward; on our PR branch over what we saw. */
export type RefUpdate = { kind: 'fast-forward' } | { kind: 'lease'; expected: string };

interface TreeEntry {
  path: string;
  mode: '100644' | '100755' | '040000' | '160000' | '120000';
  type: 'blob' | 'commit';
  sha: string | null;
}

/** Git Data calls are content-addressed, so a retried one cannot create twice. */
const call = async <T>(what: string, request: () => Promise<{ data: T }>): Promise<T> => {
  try {
    return (await withRetry(what, request)).data;
  } catch (error) {
    throw describeGitHubError(error, what);
  }
};

/** What HEAD changed against its parent, as tree entries (a deletion has sha null). */
async function changedEntries(workspace: Workspace, parent: string): Promise<TreeEntry[]> {
  const raw = await workspace.git.out(['diff-tree', '-r', '-z', '--no-renames', '--no-commit-id', parent, 'HEAD']);
  const fields = raw.split('\0').filter((field) => field !== '');
  const entries: TreeEntry[] = [];
  for (let index = 0; index + 1 < fields.length; index += 2) {
    // ":<old mode> <new mode> <old sha> <new sha> <status>" then the path.
    const [oldMode = '', newMode = '', , newSha = '', status = ''] = (fields[index] ?? '').slice(1).split(' ');
    const path = fields[index + 1] ?? '';
    entries.push(
      status === 'D'
        ? { path, mode: oldMode as TreeEntry['mode'], type: 'blob', sha: null }
        : { path, mode: newMode as TreeEntry['mode'], type: newMode === '160000' ? 'commit' : 'blob', sha: newSha },
    );
  }
  return entries;
}

/** Recreates HEAD (one commit on its parent) on GitHub; returns the signed commit, not yet on any ref. */
async function createCommit(workspace: Workspace, api: Octokit, owner: string, repo: string): Promise<ApiCommit> {
  const parent = await workspace.git.out(['rev-parse', 'HEAD^']);
  const [baseTree, localTree] = await Promise.all([
    workspace.git.out(['rev-parse', `${parent}^{tree}`]),
    workspace.git.out(['rev-parse', 'HEAD^{tree}']),
  ]);
  const message = (await workspace.git.run(['log', '-1', '--format=%B', 'HEAD'])).stdout.replace(/\n+$/, '\n');
  const changed = await changedEntries(workspace, parent);
  for (const entry of changed) {
    if (entry.sha === null || entry.type !== 'blob') continue;
    // The working tree holds HEAD's content (the change was just committed from it).
    const file = join(workspace.dir, entry.path);
    const content = entry.mode === '120000' ? Buffer.from(readlinkSync(file)) : readFileSync(file);
    const blob = await call(`creating the blob of ${entry.path}`, () =>
      api.rest.git.createBlob({ owner, repo, content: content.toString('base64'), encoding: 'base64' }),
    );
    if (blob.sha !== entry.sha) {
      throw new Error(`GitHub stored ${entry.path} as ${blob.sha}, not as ${entry.sha}: the content changed`);
    }
  }
  const tree = await call('creating the tree', () =>
    api.rest.git.createTree({ owner, repo, base_tree: baseTree, tree: changed }),
  );
  if (tree.sha !== localTree) throw new Error(`GitHub's tree ${tree.sha} is not the committed tree ${localTree}`);
  const commit = await call('creating the commit', () =>
    api.rest.git.createCommit({ owner, repo, message, tree: tree.sha, parents: [parent] }),
  );
  return { sha: commit.sha, verified: commit.verification?.verified ?? false, reason: commit.verification?.reason ?? 'unknown' };
}

/** GitHub's answers that mean another writer moved the ref first: try again on the new tip. */
const LOST_RACE = /not a fast.?forward|reference already exists|reference cannot be updated|is at .* but expected/i;

/**
 * Publishes HEAD on `branch` through the API. A ref update GitHub refuses because the branch
 * moved (422 "Update is not a fast forward": our commit's parent is the tip we fetched, so
 * fast-forward-only is a compare-and-swap on it) is a lost race, retried by the caller on the
 * new tip; a rule or permission refusal is final, with GitHub's message.
 */
export async function publishThroughApi(
  workspace: Workspace,
  api: Octokit,
  repository: string,
  branch: string,
  update: RefUpdate,
  log: (line: string) => void,
): Promise<PushOutcome> {
  const [owner = '', repo = ''] = repository.split('/');
  const commit = await createCommit(workspace, api, owner, repo);
  log(`GitHub made ${commit.sha}: signature ${commit.verified ? 'verified' : `not verified (${commit.reason})`}`);
  try {
    if (update.kind === 'fast-forward') {
      await withRetry(`moving ${branch}`, () =>
        api.rest.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha: commit.sha, force: false }),
      );
    } else if (update.expected === '') {
      await withRetry(`creating ${branch}`, () =>
        api.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha: commit.sha }),
      );
    } else {
      // Our own branch, rewritten: the REST API has no lease, so read, compare, then force.
      const { data } = await withRetry(`reading ${branch}`, () => api.rest.git.getRef({ owner, repo, ref: `heads/${branch}` }));
      if (data.object.sha !== update.expected) return { landed: false, failure: { kind: 'lost-race' } };
      await withRetry(`moving ${branch}`, () =>
        api.rest.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha: commit.sha, force: true }),
      );
    }
  } catch (error) {
    const message = (error as { message?: string } | null)?.message ?? String(error);
    const status = statusOf(error);
    if ((status === 409 || status === 422) && LOST_RACE.test(message)) return { landed: false, failure: { kind: 'lost-race' } };
    if (status === undefined || isTransientStatus(status)) return { landed: false, failure: { kind: 'transient' } };
    return { landed: false, failure: { kind: 'final', reason: describeGitHubError(error, `moving ${branch}`).message } };
  }
  return { landed: true, sha: commit.sha, pushed: true, verified: commit.verified };
}
