import { describeGitHubError, type Octokit, octokit, withRetry } from '../../packages/shared/github.js';
import type { ReportConfig } from './config.js';
import { failing } from './report.js';

/** The label every alert issue carries; with the title it finds the environment's open one. */
export const ALERT_LABEL = 'deploy-alert';
/** Pages of open issues looked through for the alert (100 each): bounded, and plenty. */
const MAX_PAGES = 10;

export const alertTitle = (environment: string): string => `Deploy to ${environment} failing`;

export type IssueAction = 'opened' | 'commented' | 'closed' | 'none';

export interface IssueChange {
  action: IssueAction;
  number: number | undefined;
  url: string | undefined;
}

interface Repository {
  owner: string;
  repo: string;
}

export function repositoryOf(env: NodeJS.ProcessEnv): Repository {
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo) throw new Error('GITHUB_REPOSITORY is not set: the alert issue needs the repository');
  return { owner, repo };
}

/** What the run will do to the alert issue, for dry-run: no call to GitHub is made. */
export function plannedChange(config: Pick<ReportConfig, 'outcome' | 'environment'>): string {
  const title = alertTitle(config.environment);
  return failing(config.outcome)
    ? `comment on the open issue "${title}" (label ${ALERT_LABEL}), or open it`
    : `close the open issue "${title}" with a comment, if there is one`;
}

async function findOpen(
  api: Octokit,
  where: Repository,
  title: string,
): Promise<{ number: number; html_url: string } | undefined> {
  let page = 0;
  for await (const { data } of api.paginate.iterator(api.rest.issues.listForRepo, {
    ...where,
    state: 'open',
    labels: ALERT_LABEL,
    per_page: 100,
  })) {
    // The list holds pull requests too; an alert is an issue with exactly this title.
    const found = data.filter((issue) => !issue.pull_request && issue.title === title).sort((a, b) => a.number - b.number)[0];
    if (found) return found;
    page += 1;
    if (page >= MAX_PAGES) break;
  }
  return undefined;
}

/**
 * One alert issue per environment: a failed or rolled-back release opens it, or comments on
 * the open one; the next deployed release closes it with a comment.
 */
export async function updateAlertIssue(
  token: string,
  where: Repository,
  config: Pick<ReportConfig, 'outcome' | 'environment'>,
  text: { body: string; comment: string; closing: string },
): Promise<IssueChange> {
  const api = await octokit(token);
  const title = alertTitle(config.environment);
  try {
    const open = await withRetry('listing issues', () => findOpen(api, where, title));
    if (failing(config.outcome)) {
      if (open) {
        await withRetry('commenting', () =>
          api.rest.issues.createComment({ ...where, issue_number: open.number, body: text.comment }),
        );
        return { action: 'commented', number: open.number, url: open.html_url };
      }
      // A create whose answer was lost may have made the issue: each retry looks first.
      let tries = 0;
      const made = await withRetry('opening the issue', async () => {
        tries += 1;
        const found = tries > 1 ? await findOpen(api, where, title) : undefined;
        return found ?? (await api.rest.issues.create({ ...where, title, body: text.body, labels: [ALERT_LABEL] })).data;
      });
      return { action: 'opened', number: made.number, url: made.html_url };
    }
    if (!open) return { action: 'none', number: undefined, url: undefined };
    await withRetry('commenting', () =>
      api.rest.issues.createComment({ ...where, issue_number: open.number, body: text.closing }),
    );
    await withRetry('closing the issue', () =>
      api.rest.issues.update({ ...where, issue_number: open.number, state: 'closed', state_reason: 'completed' }),
    );
    return { action: 'closed', number: open.number, url: open.html_url };
  } catch (error) {
    throw describeGitHubError(error, `alert issue "${title}"`);
  }
}
