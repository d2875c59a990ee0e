// The report's phases from the run itself: each job's start, end and conclusion, as GitHub's
// API records them (`GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{n}/jobs`,
// `actions: read`). So no job needs a clock step of its own, and the times are the runner's.
import * as core from '@actions/core';
import { describeGitHubError, octokit, withRetry } from '../../packages/shared/github.js';
import { redactSecrets } from '../../packages/shared/secrets.js';
import { PHASE_RESULTS, type Phase } from './config.js';

/** The fields of a job in GitHub's answer that a phase needs. */
export interface RunJob {
  name: string;
  status: string;
  conclusion: string | null;
  started_at: string | null;
  completed_at: string | null;
}

/** A run has at most 256 jobs of a matrix each; 10 pages of 100 bounds the calls. */
const MAX_PAGES = 10;

export async function fetchRunJobs(token: string, env: NodeJS.ProcessEnv = process.env): Promise<RunJob[]> {
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const runId = Number(env.GITHUB_RUN_ID);
  const attempt = Number(env.GITHUB_RUN_ATTEMPT || '1');
  if (!owner || !repo || !Number.isSafeInteger(runId) || runId <= 0 || !Number.isSafeInteger(attempt)) {
    throw new Error('GITHUB_REPOSITORY, GITHUB_RUN_ID or GITHUB_RUN_ATTEMPT is missing or malformed');
  }
  const api = await octokit(token);
  const jobs: RunJob[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const answer = await withRetry("listing the run's jobs", () =>
      api.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}/jobs', {
        owner,
        repo,
        run_id: runId,
        attempt_number: attempt,
        per_page: 100,
        page,
      }),
    ).catch((error: unknown) => {
      throw describeGitHubError(error, "listing the run's jobs");
    });
    jobs.push(...(answer.data.jobs as RunJob[]));
    if (answer.data.jobs.length < 100 || jobs.length >= answer.data.total_count) break;
  }
  return jobs;
}

/**
 * The finished jobs as phases, in order of their start; the report's own job (still in
 * progress) and jobs that never started are left out. A reusable workflow's jobs are named
 * `<caller job> / <job>`: the part every name shares is cut, so `deploy / build` reads `build`.
 */
export function phasesOfJobs(jobs: readonly RunJob[]): Phase[] {
  const finished = jobs.filter((job) => job.status === 'completed' && job.started_at && job.completed_at);
  const parts = finished.map((job) => job.name.split(' / '));
  let shared = 0;
  while (parts.length > 0 && parts.every((name) => name.length > shared + 1 && name[shared] === parts[0]?.[shared])) {
    shared += 1;
  }
  return finished
    .map((job, index): Phase => {
      const result = (PHASE_RESULTS as readonly string[]).includes(job.conclusion ?? '')
        ? (job.conclusion as Phase['result'])
        : 'failure';
      const started = new Date(job.started_at ?? '');
      const ended = new Date(job.completed_at ?? '');
      return {
        name: (parts[index] ?? [job.name]).slice(shared).join(' / ').slice(0, 100),
        started,
        finished: ended < started ? started : ended,
        result,
      };
    })
    .filter((phase) => !Number.isNaN(phase.started.getTime()) && !Number.isNaN(phase.finished.getTime()))
    .sort((a, b) => a.started.getTime() - b.started.getTime());
}

/** The run's jobs as phases; without them (no `actions: read`, an old GHES), the given ones. */
export async function runPhasesOr(token: string, given: Phase[]): Promise<Phase[]> {
  // Outside a runner (no GITHUB_RUN_ID or GITHUB_API_URL, both set on every runner) there
  // is no run to read, and no API to guess.
  if (!process.env.GITHUB_RUN_ID || !process.env.GITHUB_API_URL) return given;
  try {
    const phases = phasesOfJobs(await fetchRunJobs(token));
    return phases.length > 0 ? phases : given;
  } catch (error) {
    core.warning(`deploy-report: the phases come from the inputs: ${redactSecrets((error as Error).message)}`);
    return given;
  }
}
