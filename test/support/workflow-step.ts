// A reusable workflow's `run:` step, run by bash as the runner runs it: the step's env names
// set (blank unless given) and GITHUB_OUTPUT collected. The unit tests check the workflows'
// input checks with it, and the e2e tests run the workflows' own planning steps.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  /** The files the step wrote in its working directory (a temporary one), by relative path. */
  files: Record<string, string>;
}

function filesUnder(root: string, dir = ''): Record<string, string> {
  const found: Record<string, string> = {};
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(found, filesUnder(root, path));
    else found[path] = readFileSync(join(root, path), 'utf8');
  }
  return found;
}

/** `step`: the step's id, or its index in the job (a step with no id). */
export function runStep(workflow: string, job: string, step: string | number, env: Record<string, string>): StepResult {
  const doc = parse(readFileSync(join(WORKFLOWS, workflow), 'utf8')) as { jobs: Record<string, { steps?: Step[] }> };
  const steps = doc.jobs[job]?.steps ?? [];
  const found = typeof step === 'number' ? steps[step] : steps.find((entry) => entry.id === step);
  if (!found?.run) throw new Error(`${workflow} ${job}.${String(step)} has no run`);
  const dir = mkdtempSync(join(tmpdir(), 'step-'));
  const work = join(dir, 'work');
  try {
    mkdirSync(work);
    const output = join(dir, 'output');
    writeFileSync(output, '');
    const blank = Object.fromEntries(Object.keys(found.env ?? {}).map((name) => [name, '']));
    const result = spawnSync('bash', ['-e', '-c', found.run], {
      env: { PATH: process.env.PATH, ...blank, ...env, GITHUB_OUTPUT: output },
      encoding: 'utf8',
      timeout: 30_000,
      cwd: work,
    });
    const text = readFileSync(output, 'utf8');
    return {
      code: result.status,
      stdout: result.stdout,
      output: text,
      outputs: parseFileCommands(text),
      files: filesUnder(work),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
