import { field, type RunnerEvent } from '../../packages/shared/event.js';

export interface TagContext {
  event: RunnerEvent;
  sha: string | undefined;
  ref: string | undefined;
}

const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/**
 * The default tags: the full commit SHA (the PR head on pull requests), `latest` on the
 * default branch, and `1.2.3`, `1.2`, `1` for a `v1.2.3` tag. A pre-release such as
 * `v1.2.3-rc.1` gets only its own tag: floating tags point at releases.
 */
export function defaultTags(context: TagContext): string[] {
  const tags: string[] = [];
  const { name, payload } = context.event;
  const sha = name.startsWith('pull_request') ? (field(payload, 'pull_request', 'head', 'sha') ?? context.sha) : context.sha;
  if (sha) tags.push(sha);
  const ref = context.ref ?? '';
  const defaultBranch = field(payload, 'repository', 'default_branch');
  if (defaultBranch && ref === `refs/heads/${defaultBranch}`) tags.push('latest');
  if (ref.startsWith('refs/tags/')) {
    const match = SEMVER.exec(ref.slice('refs/tags/'.length));
    if (match) {
      const [, major, minor, patch, pre] = match;
      if (pre) tags.push(`${major}.${minor}.${patch}${pre}`);
      else tags.push(`${major}.${minor}.${patch}`, `${major}.${minor}`, `${major}`);
    }
  }
  return [...new Set(tags)];
}
