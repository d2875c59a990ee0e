import * as core from '@actions/core';
import { isTransientStatus, parseRetryAfter, retry, sleep } from '../../packages/shared/retry.js';
import type { BumpConfig } from './config.js';

export interface PullRequest {
  number: number;
  html_url: string;
  node_id: string;
}

type Octokit = ReturnType<(typeof import('@actions/github'))['getOctokit']>;

/**
 * The GitHub client of PR mode: Octokit from @actions/github, loaded here, on this path
 * only (it and undici cost more to load than the rest of the action). Its base URL is
 * GITHUB_API_URL, so GitHub Enterprise Server works, and GraphQL follows it.
 */
async function octokit(token: string): Promise<Octokit> {
  const { getOctokit } = await import('@actions/github');
  return getOctokit(token, { baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com' });
}

/** What Octokit throws: a RequestError with the HTTP status, or a network error with none. */
function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status > 0 ? status : undefined;
}

function retryAfterOf(error: unknown): number | undefined {
  const headers = (error as { response?: { headers?: Record<string, string | undefined> } } | null)?.response?.headers;
  return parseRetryAfter(headers?.['retry-after']);
}

/** Retries 408, 429, 5xx and network errors, honouring Retry-After; a 4xx is final. */
function withRetry<T>(what: string, call: () => Promise<T>): Promise<T> {
  return retry(
    call,
    (outcome) => {
      if (outcome.ok) return { retry: false };
      const status = statusOf(outcome.error);
      if (status !== undefined && !isTransientStatus(status)) return { retry: false };
      return { retry: true, why: `${what}: ${status ?? 'network error'}`, retryAfterMs: retryAfterOf(outcome.error) };
    },
    undefined,
    {
      onRetry: ({ attempt, delayMs, why }) => {
        core.info(`${why}; retry ${attempt} in ${delayMs} ms`);
      },
    },
  );
}

function describe(error: unknown, what: string): Error {
  const status = statusOf(error);
  const message = (error as { message?: string } | null)?.message ?? String(error);
  return new Error(`GitHub ${what} failed${status ? ` (HTTP ${status})` : ''}: ${message.split('\n')[0] ?? ''}`);
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
