// The report job of the option workflows, as the e2e tests run it: deploy-report's bundle
// with the phases the test timed and the services it released, against the GitHub fake
// (test/support/fake-github.ts, checked against @octokit/openapi) for the alert issue.
import { expect } from 'vitest';
import type { RunResult } from '../../packages/runner/harness.js';
import { type FakeGitHub, startFakeGitHub } from './fake-github.js';
import { runAction } from './run-action.js';
import { type Entry, show } from './sample-app.js';

const TOKEN = 'ghs_e2eReportToken000000000000000000000';

interface Phase {
  name: string;
  started: string;
  finished: string;
  result: 'success' | 'failure';
}

const iso = (date: Date): string => date.toISOString();

export class ReleaseReport {
  private phases: Phase[] = [];

  private constructor(
    readonly github: FakeGitHub,
    private readonly option: string,
    private readonly environment: string,
  ) {}

  static async start(option: string, environment: string): Promise<ReleaseReport> {
    return new ReleaseReport(await startFakeGitHub('omis', 'omis-sample', TOKEN), option, environment);
  }

  /** Times one phase of the run; it failed if it threw or a step it ran exited non-zero. */
  async phase<T>(name: string, run: () => Promise<T>): Promise<T> {
    const started = new Date();
    let result: Phase['result'] = 'failure';
    try {
      const value = await run();
      const steps = [value].flat() as unknown[];
      const failed = steps.some((step) => typeof step === 'object' && step !== null && 'exitCode' in step && step.exitCode !== 0);
      result = failed ? 'failure' : 'success';
      return value;
    } finally {
      this.phases.push({ name, started: iso(started), finished: iso(new Date()), result });
    }
  }

  /** The report job: deploy-report with the alert issue on. Starts the next run's phases afresh. */
  async send(
    outcome: 'deployed' | 'failed' | 'rolled-back',
    released: { entries: Entry[]; sha: string },
    reason = '',
  ): Promise<RunResult> {
    const services = released.entries.map((entry) => ({
      service: entry.service,
      image: `${entry.registry}/${entry.repository}:${released.sha}`,
    }));
    const result = await runAction(
      'deploy-report',
      {
        environment: this.environment,
        outcome,
        option: this.option,
        services: JSON.stringify(services),
        phases: JSON.stringify(this.phases),
        reason,
        'alert-issue': 'true',
      },
      {
        env: {
          GITHUB_API_URL: this.github.url,
          GITHUB_REPOSITORY: 'omis/omis-sample',
          GITHUB_SERVER_URL: 'https://github.com',
          GITHUB_RUN_ID: '1',
          GITHUB_SHA: released.sha,
          GITHUB_TOKEN: TOKEN,
        },
      },
    );
    this.phases = [];
    return show(`deploy-report (${outcome})`, result);
  }

  /** The alert issues, as the fake holds them. */
  alerts(): { title: string; state: string; comments: string[] }[] {
    return this.github.issues.map(({ title, state, comments }) => ({ title, state, comments }));
  }

  /** One alert issue, for this environment, in `state`; the fake saw no call off GitHub's description. */
  expectAlert(state: 'open' | 'closed'): void {
    expect(this.alerts()).toMatchObject([{ title: `Deploy to ${this.environment} failing`, state }]);
    expect(this.github.violations).toEqual([]);
  }

  close(): Promise<void> {
    return this.github.close();
  }
}
