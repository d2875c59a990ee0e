import { httpRequestWithRetry } from '../../packages/shared/http.js';

export interface PullRequest {
  number: number;
  html_url: string;
  node_id: string;
  state: string;
}

export class GitHubError extends Error {
  override readonly name = 'GitHubError';
}

/** The few REST calls PR mode needs (plus one GraphQL mutation), with the shared retry. */
export class GitHubApi {
  constructor(
    private readonly baseUrl: string,
    private readonly graphqlUrl: string,
    private readonly token: string,
  ) {}

  private async call<T>(method: string, url: string, body?: unknown): Promise<T> {
    const response = await httpRequestWithRetry({
      url,
      method,
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${this.token}`,
        'x-github-api-version': '2022-11-28',
        'user-agent': 'deploy-actions-gitops-bump',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs: 60_000,
    });
    const text = response.body.toString('utf8');
    if (response.status >= 400) {
      const message = (JSON.parse(text || '{}') as { message?: string }).message ?? text.slice(0, 200);
      throw new GitHubError(`GitHub ${method} ${new URL(url).pathname} answered ${response.status}: ${message}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private rest<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.call<T>(method, `${this.baseUrl}${path}`, body);
  }

  async findOpenPull(repository: string, head: string, base: string): Promise<PullRequest | undefined> {
    const owner = repository.split('/')[0] ?? '';
    const query = new URLSearchParams({ state: 'open', head: `${owner}:${head}`, base, per_page: '100' });
    const pulls = await this.rest<PullRequest[]>('GET', `/repos/${repository}/pulls?${query.toString()}`);
    return pulls[0];
  }

  createPull(repository: string, input: { title: string; head: string; base: string; body: string }): Promise<PullRequest> {
    return this.rest('POST', `/repos/${repository}/pulls`, { ...input, maintainer_can_modify: false });
  }

  updatePull(repository: string, number: number, input: { title: string; body: string }): Promise<PullRequest> {
    return this.rest('PATCH', `/repos/${repository}/pulls/${number}`, input);
  }

  async addLabels(repository: string, number: number, labels: string[]): Promise<void> {
    await this.rest('POST', `/repos/${repository}/issues/${number}/labels`, { labels });
  }

  /** REST has no call for auto-merge; this is GitHub's GraphQL mutation for it. */
  async enableAutoMerge(pullRequestId: string, method: 'merge' | 'squash' | 'rebase'): Promise<void> {
    const result = await this.call<{ errors?: { message: string }[] }>('POST', this.graphqlUrl, {
      query:
        'mutation($id: ID!, $method: PullRequestMergeMethod!) { enablePullRequestAutoMerge(input: {pullRequestId: $id, mergeMethod: $method}) { clientMutationId } }',
      variables: { id: pullRequestId, method: method.toUpperCase() },
    });
    if (result.errors?.length) throw new GitHubError(`enabling auto-merge failed: ${result.errors[0]?.message ?? ''}`);
  }
}
