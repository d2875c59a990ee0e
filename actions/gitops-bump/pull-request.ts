import * as core from '@actions/core';
import { describeGitHubError as describe, octokit, retryAfterOf, statusOf, withRetry } from '../../packages/shared/github.js';
import { isTransientStatus, sleep } from '../../packages/shared/retry.js';
import type { BumpConfig } from './config.js';

export interface PullRequest {
  number: number;
  html_url: string;
  node_id: string;
}

/**
 * Opens the PR of `head`, or updates the open one. Creating is not idempotent: a create
 * whose answer was lost may have made the PR, and a blind retry would end in a 422
 * ("A pull request already exists"). So after a failed create it looks the PR up first,
 * and creates again only when there is none.
 */
export async function openOrUpdatePullRequest(
  config: Pick<BumpConfig, 'repository' | 'branch' | 'token' | 'prLabels' | 'autoMerge'>,
  head: string,
  text: { title: string; body: string },
): Promise<{ pull: PullRequest; existed: boolean }> {
  const api = await octokit(config.token);
  const [owner = '', repo = ''] = config.repository.split('/');
  const find = async (): Promise<PullRequest | undefined> => {
    const { data } = await withRetry('listing pull requests', () =>
      api.rest.pulls.list({ owner, repo, state: 'open', head: `${owner}:${head}`, base: config.branch, per_page: 100 }),
    );
    return data[0];
  };

  /** Creates the PR; after a failed create, looks it up before creating again. */
  const create = async (): Promise<PullRequest> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await api.rest.pulls.create({ owner, repo, head, base: config.branch, ...text, maintainer_can_modify: false }))
          .data;
      } catch (error) {
        const status = statusOf(error);
        const transient = status === undefined || isTransientStatus(status);
        if ((!transient && status !== 422) || attempt >= 5) throw error;
        core.info(`creating the pull request failed (${status ?? 'network error'}); looking it up before trying again`);
        const made = await find();
        if (made) return made;
        if (!transient) throw error; // a 422 with no such PR: a real validation error
        await sleep((retryAfterOf(error) ?? 1000 * attempt) + Math.random() * 500);
      }
    }
  };

  let pull: PullRequest;
  let existed: boolean;
  try {
    const found = await find();
    existed = found !== undefined;
    pull = found
      ? (
          await withRetry('updating the pull request', () =>
            api.rest.pulls.update({ owner, repo, pull_number: found.number, ...text }),
          )
        ).data
      : await create();
  } catch (error) {
    throw describe(error, 'pull request');
  }
  const number = pull.number;
  try {
    if (config.prLabels.length > 0) {
      await withRetry('labelling', () =>
        api.rest.issues.addLabels({ owner, repo, issue_number: number, labels: config.prLabels }),
      );
    }
    if (config.autoMerge !== '') {
      const method = config.autoMerge.toUpperCase();
      const nodeId = pull.node_id;
      // REST has no call for auto-merge; this is GitHub's GraphQL mutation for it.
      await withRetry('enabling auto-merge', () =>
        api.graphql(
          'mutation($id: ID!, $mergeMethod: PullRequestMergeMethod!) { enablePullRequestAutoMerge(input: {pullRequestId: $id, mergeMethod: $mergeMethod}) { clientMutationId } }',
          { id: nodeId, mergeMethod: method },
        ),
      );
    }
  } catch (error) {
    throw describe(error, 'pull request #' + String(number));
  }
  return { pull, existed };
}
