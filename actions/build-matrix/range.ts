import * as core from '@actions/core';
import { field, type RunnerEvent } from '../../packages/shared/event.js';
import { isFullSha, isRefName } from '../../packages/shared/git-ref.js';
import { type Git, ZERO_SHA } from '../../packages/shared/git.js';

/** What to compare: everything, a plain range, or a head against where it left a branch. */
export type RangePlan =
  | { kind: 'all'; reason: string }
  | { kind: 'diff'; base: string; head: string; reason: string }
  | { kind: 'fork-point'; head: string; against: string; reason: string };

export interface RangeRequest {
  event: RunnerEvent;
  base?: string | undefined;
  head?: string | undefined;
  all: boolean;
  /** GITHUB_SHA: the head when only base is given. */
  sha?: string | undefined;
}

const BUILD_EVERYTHING = new Set(['workflow_dispatch', 'schedule', 'repository_dispatch', 'release', 'workflow_call']);

/**
 * Decides the range from the inputs and the event alone (no git), so it is easy to test.
 * Every commit the event names is checked to be a full SHA, and the default branch a ref
 * name, before git sees them: the event file is input like any other.
 */
export function planRange(request: RangeRequest): RangePlan {
  const plan = planFromInputs(request);
  for (const [what, value] of Object.entries(commitsOf(plan))) {
    if (!isFullSha(value) && !(what.startsWith('input') && value !== '')) {
      throw new Error(`the ${what} "${value.slice(0, 80)}" is not a full commit SHA`);
    }
  }
  if (plan.kind === 'fork-point' && !isFullSha(plan.against) && !isRefName(plan.against)) {
    throw new Error(`the event's default branch "${plan.against.slice(0, 80)}" is not a branch name`);
  }
  return plan;
}

/** The commits a plan names, by where they came from. Inputs were checked by readConfig. */
function commitsOf(plan: RangePlan): Record<string, string> {
  if (plan.kind === 'all') return {};
  const from = plan.reason === 'base and head inputs' ? 'input' : 'event';
  if (plan.kind === 'diff') return { [`${from} base`]: plan.base, [`${from} head`]: plan.head };
  return { [`${from} head`]: plan.head };
}

function planFromInputs(request: RangeRequest): RangePlan {
  if (request.all) return { kind: 'all', reason: 'input all is true' };
  if (request.base !== undefined) {
    const head = request.head ?? request.sha ?? 'HEAD'; // GITHUB_SHA, a full SHA
    return { kind: 'diff', base: request.base, head, reason: 'base and head inputs' };
  }
  const { name, payload } = request.event;
  if (name === 'push') {
    const ref = field(payload, 'ref') ?? '';
    if (ref.startsWith('refs/tags/')) return { kind: 'all', reason: `tag push ${ref.slice('refs/tags/'.length)}` };
    const before = field(payload, 'before');
    const after = field(payload, 'after') ?? request.sha;
    if (!after) return { kind: 'all', reason: 'push event without an after SHA' };
    if (!before || before === ZERO_SHA || payload.created === true) {
      const branch = field(payload, 'repository', 'default_branch');
      if (!branch) return { kind: 'all', reason: 'new branch and no default branch in the event' };
      return {
        kind: 'fork-point',
        head: after,
        against: branch,
        reason: `new branch: diff against its merge-base with ${branch}`,
      };
    }
    return { kind: 'diff', base: before, head: after, reason: 'push before..after' };
  }
  if (name === 'pull_request' || name === 'pull_request_target') {
    const base = field(payload, 'pull_request', 'base', 'sha');
    const head = field(payload, 'pull_request', 'head', 'sha');
    if (!base || !head) return { kind: 'all', reason: `${name} event without base and head SHAs` };
    // The PR's own changes: from where head left base, never the merge commit.
    return { kind: 'fork-point', head, against: base, reason: 'pull request base...head' };
  }
  if (name === 'merge_group') {
    const base = field(payload, 'merge_group', 'base_sha');
    const head = field(payload, 'merge_group', 'head_sha');
    if (base && head) return { kind: 'diff', base, head, reason: 'merge group base..head' };
  }
  if (BUILD_EVERYTHING.has(name)) return { kind: 'all', reason: `${name} builds everything` };
  return { kind: 'all', reason: name ? `event ${name} has no range` : 'no event: building everything' };
}

export interface ResolvedRange {
  base: string;
  head: string;
  reason: string;
}

const DEEPEN_STEPS = [50, 200, 1000];

/**
 * Turns a plan into two commits present in the checkout, fetching what a shallow checkout
 * lacks: the commits themselves, and enough history to find a merge-base.
 */
export async function resolveRange(plan: Exclude<RangePlan, { kind: 'all' }>, git: Git): Promise<ResolvedRange> {
  if (plan.kind === 'diff') {
    await git.ensureCommit(plan.base);
    await git.ensureCommit(plan.head);
    return { base: await revParse(git, plan.base), head: await revParse(git, plan.head), reason: plan.reason };
  }
  await git.ensureCommit(plan.head);
  let against = plan.against;
  if (!/^[0-9a-f]{40}$/.test(against)) {
    // A branch name: fetch it as a remote-tracking ref so merge-base can see it.
    const ref = `refs/remotes/origin/${against}`;
    const fetched = await git.run([
      'fetch',
      '--no-tags',
      '--quiet',
      '--end-of-options',
      'origin',
      `+refs/heads/${against}:${ref}`,
    ]);
    if (fetched.code !== 0) throw new Error(`could not fetch the default branch ${against}: ${fetched.stderr.trim()}`);
    against = ref;
  } else {
    await git.ensureCommit(against);
  }
  let base = await git.mergeBase(against, plan.head);
  for (const depth of DEEPEN_STEPS) {
    if (base !== undefined || !(await git.isShallow())) break;
    await git.run(['fetch', '--no-tags', '--quiet', `--deepen=${depth}`, 'origin']);
    base = await git.mergeBase(against, plan.head);
  }
  if (base === undefined && (await git.isShallow())) {
    await git.run(['fetch', '--no-tags', '--quiet', '--unshallow', 'origin']);
    base = await git.mergeBase(against, plan.head);
  }
  if (base === undefined) throw new Error(`${plan.head} shares no history with ${plan.against}`);
  return { base, head: await revParse(git, plan.head), reason: plan.reason };
}

/** The full SHA of a commit-ish already checked to be a SHA or a ref name. */
const revParse = (git: Git, commitish: string): Promise<string> =>
  git.out(['rev-parse', '--verify', '--end-of-options', `${commitish}^{commit}`]);

/** Files changed between two commits; a rename counts for both its old and new path. */
export async function changedFiles(git: Git, base: string, head: string): Promise<string[]> {
  const output = await git.out(['diff', '--name-status', '-z', '--find-renames', '--end-of-options', base, head, '--']);
  const parts = output.split('\0').filter((part) => part !== '');
  const files = new Set<string>();
  for (let index = 0; index < parts.length;) {
    const status = parts[index] ?? '';
    if (status.startsWith('R')) {
      files.add(parts[index + 1] ?? '');
      files.add(parts[index + 2] ?? '');
      index += 3;
    } else if (status.startsWith('C')) {
      files.add(parts[index + 2] ?? '');
      index += 3;
    } else {
      files.add(parts[index + 1] ?? '');
      index += 2;
    }
  }
  files.delete('');
  return [...files].sort();
}

/** The range to compare and the files changed in it; `files` is absent when everything is built. */
export interface ChangedRange {
  base: string;
  head: string;
  reason: string;
  files?: string[];
}

/** From the inputs and the event to the changed files, fetching what a shallow checkout lacks. */
export async function changedRange(
  request: { base: string | undefined; head: string | undefined; all: boolean },
  event: RunnerEvent,
  sha: string | undefined,
  git: Git,
): Promise<ChangedRange> {
  const plan = planRange({ event, base: request.base, head: request.head, all: request.all, sha });
  if (plan.kind === 'all') {
    core.info(`Building everything: ${plan.reason}`);
    return { base: '', head: sha ?? '', reason: plan.reason };
  }
  const resolved = await resolveRange(plan, git);
  const files = await changedFiles(git, resolved.base, resolved.head);
  core.info(
    `Comparing ${resolved.base.slice(0, 12)}..${resolved.head.slice(0, 12)} (${resolved.reason}): ${files.length} files changed`,
  );
  return { ...resolved, files };
}
