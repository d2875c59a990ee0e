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
  'not json at all',
].join('\n');

describe('parseActLog', () => {
  const { jobs, log } = parseActLog(LOG);

  it('names jobs without act’s padding and keeps their results, skipped ones too', () => {
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
      job('staging/option-a-gitops/build-1', 'build'),
      job('staging/option-a-gitops/build-2', 'build'),
      job('staging/option-a-gitops/bump', 'bump'),
      job('staging/option-a-gitops/rollback/rollback/gitops-revert', 'gitops-revert'),
      job('production/option-a-gitops/bump', 'bump'),
      job('production/option-a-gitops/bump-2', 'bump-2'),
    ],
  };
  const names = (id: string) => jobsOf(run, id).map((found) => found.name);

  it('finds a job by its id, matrix legs included', () => {
    expect(names('build')).toEqual(['staging/option-a-gitops/build-1', 'staging/option-a-gitops/build-2']);
    expect(names('gitops-revert')).toEqual(['staging/option-a-gitops/rollback/rollback/gitops-revert']);
  });

  it('tells two callers of one workflow apart by parts of the name, in order', () => {
    expect(names('staging/bump')).toEqual(['staging/option-a-gitops/bump']);
    expect(names('production/bump')).toEqual(['production/option-a-gitops/bump']);
    expect(names('staging/build')).toHaveLength(2);
    expect(names('staging/rollback/gitops-revert')).toHaveLength(1);
    expect(names('bump/staging')).toEqual([]);
    expect(names('production/gitops-revert')).toEqual([]);
    expect(() => jobOf(run, 'staging/build')).toThrow(/2 jobs are named/);
  });
});
