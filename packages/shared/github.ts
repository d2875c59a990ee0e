import * as core from '@actions/core';
import { isTransientStatus, parseRetryAfter, retry } from './retry.js';

export type Octokit = ReturnType<(typeof import('@actions/github'))['getOctokit']>;

/**
 * Octokit from @actions/github, loaded here, on the paths that talk to GitHub only (it and
 * undici cost more to load than the rest of an action). Its base URL is GITHUB_API_URL, so
 * GitHub Enterprise Server works, and GraphQL follows it.
 */
export async function octokit(token: string): Promise<Octokit> {
  const { getOctokit } = await import('@actions/github');
  return getOctokit(token, { baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com' });
}

/** What Octokit throws: a RequestError with the HTTP status, or a network error with none. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status > 0 ? status : undefined;
}

export function retryAfterOf(error: unknown): number | undefined {
  const headers = (error as { response?: { headers?: Record<string, string | undefined> } } | null)?.response?.headers;
  return parseRetryAfter(headers?.['retry-after']);
}

/** Retries 408, 429, 5xx and network errors, honouring Retry-After; any other 4xx is final. */
export function withRetry<T>(what: string, call: () => Promise<T>): Promise<T> {
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

/** One line for a failed GitHub call: what, the status, and the first line of the message. */
export function describeGitHubError(error: unknown, what: string): Error {
  const status = statusOf(error);
  const message = (error as { message?: string } | null)?.message ?? String(error);
  return new Error(`GitHub ${what} failed${status ? ` (HTTP ${status})` : ''}: ${message.split('\n')[0] ?? ''}`);
}
