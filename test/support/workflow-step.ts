// A reusable workflow's `run:` step, run by bash as the runner runs it: the step's env names
// set (blank unless given) and GITHUB_OUTPUT collected. The unit tests check the workflows'
// input checks with it, and the e2e tests run the workflows' own planning steps.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseFileCommands } from '../../packages/runner/file-commands.js';

const WORKFLOWS = join(import.meta.dirname, '..', '..', '.github', 'workflows');

interface Step {
  id?: string;
  run?: string;
  env?: Record<string, string>;
}

export interface StepResult {
  code: number | null;
  stdout: string;
  /** GITHUB_OUTPUT as written. */
  output: string;
  /** GITHUB_OUTPUT parsed, as the runner reads it. */
  outputs: Record<string, string>;
}

export function runStep(workflow: string, job: string, id: string, env: Record<string, string>): StepResult {
  const doc = parse(readFileSync(join(WORKFLOWS, workflow), 'utf8')) as { jobs: Record<string, { steps?: Step[] }> };
  const step = doc.jobs[job]?.steps?.find((entry) => entry.id === id);
  if (!step?.run) throw new Error(`${workflow} ${job}.${id} has no run`);
  const dir = mkdtempSync(join(tmpdir(), 'step-'));
  try {
    const output = join(dir, 'output');
    writeFileSync(output, '');
    const blank = Object.fromEntries(Object.keys(step.env ?? {}).map((name) => [name, '']));
    const result = spawnSync('bash', ['-e', '-c', step.run], {
      env: { PATH: process.env.PATH, ...blank, ...env, GITHUB_OUTPUT: output },
      encoding: 'utf8',
      timeout: 30_000,
    });
    const text = readFileSync(output, 'utf8');
    return { code: result.status, stdout: result.stdout, output: text, outputs: parseFileCommands(text) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
