// A self-hosted runner for the sample's callers under act, as the e2e tests of every option
// set it up: its own folder (act's action copies, workspaces and tool cache), the Azure Stack
// cloud file that points azure-cloud at the Entra and ARM stand-ins, the runner's ID-token
// endpoint, GITHUB_API_URL at the GitHub stand-in, and the caller's repository variables and
// secrets.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiJobsOf, type Event, runWorkflow, type WorkflowRun } from './act.js';
import type { FakeAcr } from './fake-acr.js';
import type { FakeGitHub } from './fake-github.js';
import { reportTimes, type SampleApp } from './sample-app.js';

export interface SampleRunner {
  /** The runner's tool cache (RUNNER_TOOL_CACHE under act): seed tools here. */
  toolCache: string;
  /** Runs `.github/workflows/<workflow>` of the sample for `event`. */
  run: (workflow: string, event: Event) => Promise<WorkflowRun>;
  close: () => void;
}

export interface SampleRunnerOptions {
  app: SampleApp;
  acr: FakeAcr;
  github: FakeGitHub;
  /** The GitHub token the runner hands the jobs (`github.token`). */
  token: string;
  /** ARM's origin; an option that calls no ARM passes none. */
  armEndpoint?: string;
  vars?: Record<string, string>;
  secrets?: Record<string, string>;
  /** More of the runner's environment, e.g. GITHUB_SERVER_URL for a git server of the test. */
  env?: Record<string, string>;
}

export function sampleRunner(options: SampleRunnerOptions): SampleRunner {
  const dir = mkdtempSync(join(tmpdir(), 'sample-runner-'));
  const cloudFile = join(dir, 'azure-cloud.json');
  writeFileSync(
    cloudFile,
    JSON.stringify({
      name: 'AzureStackCloud',
      activeDirectoryEndpoint: options.acr.authorityHost,
      resourceManagerEndpoint: options.armEndpoint ?? options.acr.authorityHost,
    }),
  );
  // Each run has an ID of its own; the GitHub stand-in lists its jobs from act's log so far.
  let runs = 0;
  return {
    toolCache: join(dir, 'cache', 'tool_cache'),
    run: (workflow, event) => {
      runs += 1;
      const runId = 7000 + runs;
      let log = '';
      options.github.runs.set(runId, () => apiJobsOf(log));
      return runWorkflow({
        repo: options.app.repo.work,
        workflow: `.github/workflows/${workflow}`,
        event,
        cacheDir: join(dir, 'cache'),
        env: {
          ...options.acr.oidcEnv,
          AZURE_ENVIRONMENT_FILEPATH: cloudFile,
          GITHUB_API_URL: options.github.url,
          GITHUB_RUN_ID: String(runId),
          ...options.env,
        },
        // HEALTH_INTERVAL: the gates probe every second rather than every 5 s (their default),
        // so a healthy gate takes 2 s, not 10; the thresholds and what they count are unchanged.
        vars: { AZURE_CLOUD: 'AzureStack', HEALTH_INTERVAL: '1s', ...options.vars },
        secrets: { GITHUB_TOKEN: options.token, ...options.secrets },
        timeoutMs: 420_000,
        onLog: (text) => {
          log = text;
        },
      });
    },
    close: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The timing lines of an option's run under act: the wall time of each release and of the
 * dispatched rollback, then push-to-healthy (the first release) and the rollback against
 * their targets.
 */
export function reportRuns(option: string, releases: readonly WorkflowRun[], rollback: WorkflowRun): void {
  const times = releases.map((result) => result.seconds.toFixed(1)).join(' / ');
  console.log(
    `option ${option} under act, wall time of each run (s): releases ${times}, rollback ${rollback.seconds.toFixed(1)}`,
  );
  reportTimes(option, releases[0]?.seconds ?? 0, rollback.seconds);
}
