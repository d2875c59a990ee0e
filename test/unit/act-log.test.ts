// How the e2e harness reads act's --json log (test/support/act.ts): jobs by their padded
// names, step results and outputs, skipped jobs, and lines outside any job.
import { describe, expect, it } from 'vitest';
import { parseActLog } from '../../test/support/act.js';

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
