// How the e2e harness reads act's --json log (test/support/act.ts): jobs by their padded
// names, step results and outputs, skipped jobs, and lines outside any job; and how a test
// names a job (jobsOf).
import { describe, expect, it } from 'vitest';
import { type JobRun, jobOf, jobsOf, parseActLog, type WorkflowRun } from '../../test/support/act.js';

const line = (fields: Record<string, unknown>) => JSON.stringify({ level: 'info', time: '2026-12-04T10:00:00Z', ...fields });

const LOG = [
  line({ msg: 'Start server on http://127.0.0.1:34567' }),
  line({
    job: 'production/option-c-aks/deploy  ',
    jobID: 'deploy',
    msg: '⭐ Run Main Upgrade',
    stage: 'Main',
    step: 'Upgrade',
    stepID: ['helm'],
  }),
  line({
    job: 'production/option-c-aks/deploy  ',
    jobID: 'deploy',
    msg: 'helm says hi\n',
    raw_output: true,
    stage: 'Main',
    stepID: ['helm'],
  }),
  line({
    job: 'production/option-c-aks/deploy  ',
    jobID: 'deploy',
    command: 'set-output',
    name: 'revision',
    arg: '3',
    msg: '  ⚙  ::set-output:: revision=3',
    stage: 'Main',
    stepID: ['helm'],
  }),
  line({
    job: 'production/option-c-aks/deploy  ',
    jobID: 'deploy',
    msg: '  ✅  Success - Main Upgrade',
    stage: 'Main',
    stepID: ['helm'],
    stepResult: 'success',
  }),
  line({
    job: 'production/option-c-aks/deploy  ',
    jobID: 'deploy',
    msg: '  ❌  Failure - Post Upgrade',
    stage: 'Post',
    stepID: ['helm'],
    stepResult: 'failure',
  }),
  line({ job: 'production/option-c-aks/deploy  ', jobID: 'deploy', msg: '🏁  Job failed', jobResult: 'failure' }),
  line({
    job: 'production/option-c-aks/rollback',
    jobID: 'rollback',
    msg: "Skipping job 'rollback' due to 'failure()'",
    jobResult: 'skipped',
  }),
  // A job that calls a reusable workflow: no steps, no result of its own.
  line({ job: 'production/option-c-aks/build', jobID: 'build', msg: 'LocalRepositoryCache read cachedir org/deploy-actions@v1' }),
  'not json at all',
].join('\n');

describe('parseActLog', () => {
  const { jobs, log } = parseActLog(LOG);

  it('names jobs without act’s padding and keeps their results, skipped ones too; a reusable workflow’s caller is no job', () => {
    expect(jobs.map((job) => [job.name, job.id, job.result])).toEqual([
      ['production/option-c-aks/deploy', 'deploy', 'failure'],
      ['production/option-c-aks/rollback', 'rollback', 'skipped'],
    ]);
  });

  it('gives each main step its result and outputs; a post step does not overwrite them', () => {
    expect(jobs[0]?.steps).toEqual([{ id: 'helm', name: 'Upgrade', result: 'success', outputs: { revision: '3' } }]);
    expect(jobs[0]?.log).toContain('helm says hi');
  });

  it('keeps the lines outside any job, JSON or not', () => {
    expect(log).toEqual(['Start server on http://127.0.0.1:34567', 'not json at all']);
  });
});

describe('jobsOf', () => {
  const job = (name: string, id: string): JobRun => ({ name, id, steps: [], log: [] });
  const run: WorkflowRun = {
    exitCode: 0,
    timedOut: false,
    seconds: 1,
    log: [],
    jobs: [
      job('deploy/staging/option-a-gitops/build/build/build-1', 'build'),
      job('deploy/staging/option-a-gitops/build/build/build-2', 'build'),
      job('deploy/staging/option-a-gitops/bump', 'bump'),
      job('deploy/staging/option-a-gitops/report', 'report'),
      job('deploy/staging/option-a-gitops/rollback/rollback/gitops-revert', 'gitops-revert'),
      job('deploy/staging/option-a-gitops/rollback/rollback/report', 'report'),
      job('deploy/production/option-a-gitops/bump', 'bump'),
      job('deploy/production/option-a-gitops/bump-2', 'bump-2'),
    ],
  };
  const names = (id: string) => jobsOf(run, id).map((found) => found.name);

  it('finds a job by its id, matrix legs included', () => {
    expect(names('build')).toHaveLength(2);
    expect(names('gitops-revert')).toEqual(['deploy/staging/option-a-gitops/rollback/rollback/gitops-revert']);
    expect(names('report')).toHaveLength(2);
  });

  it('finds a job by the end of its name, in whole parts, so two callers of one workflow stay apart', () => {
    expect(names('staging/option-a-gitops/bump')).toEqual(['deploy/staging/option-a-gitops/bump']);
    expect(names('production/option-a-gitops/bump')).toEqual(['deploy/production/option-a-gitops/bump']);
    expect(names('staging/option-a-gitops/report')).toEqual(['deploy/staging/option-a-gitops/report']);
    expect(names('rollback/report')).toEqual(['deploy/staging/option-a-gitops/rollback/rollback/report']);
    expect(names('staging/option-a-gitops/build/build/build')).toHaveLength(2);
    expect(names('ing/option-a-gitops/bump')).toEqual([]);
    expect(names('option-a-gitops/bump-2')).toEqual(['deploy/production/option-a-gitops/bump-2']);
    expect(() => jobOf(run, 'staging/option-a-gitops/build/build/build')).toThrow(/2 jobs are named/);
  });
});
