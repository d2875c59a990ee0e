// Runs one caller workflow of the sample through nektos/act (built from source by
// scripts/tools.mjs), on the host (`-P ubuntu-latest=-self-hosted`), as GitHub would run it:
// the caller resolves `org/deploy-actions/...@v1` (actions and reusable workflows) to a copy
// of this working tree whose dist/ holds the bundles the tests just built from the current
// source; the third-party actions resolve to the stand-ins in test/fixtures/actions.
// act's own artifact server (on 127.0.0.1 and a free port) carries the build legs' artifacts
// to the report job. The result is each job's result, its steps' results and outputs, and
// its log, read from act's `--json` log.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { listActions, ROOT } from '../../scripts/actions.mjs';
import { actBinary } from '../../scripts/tools.mjs';
import type { RunJobRecord } from './fake-github.js';
import { freePort } from './http-server.js';
import { narrate } from './sample-app.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'actions');
const STAND_INS_CACHE = join(ROOT, 'node_modules', '.cache', 'deploy-actions-stand-ins');
const NCC = join(ROOT, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
/** Every stand-in is TypeScript, bundled with its imports before act copies it away from node_modules. */
const BUNDLED = ['setup-node', 'setup-java', 'upload-artifact', 'download-artifact'];

export type Event =
  | { name: 'push'; before: string; after: string; ref?: string }
  | { name: 'workflow_dispatch'; inputs: Record<string, string>; ref?: string }
  /** A pull request from `head` (a branch of the same repository) into `base`, opened by `actor`. */
  | { name: 'pull_request'; head: string; base: string; actor: string; ref?: string };

export interface RunWorkflowOptions {
  /** The app repository's working tree (with .git): act copies it as the jobs' checkout. */
  repo: string;
  /** The caller, relative to `repo`, e.g. `.github/workflows/deploy-aks.yml`. */
  workflow: string;
  event: Event;
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  /** Variables every step sees, as a runner's own environment does (act's --env). */
  env?: Record<string, string>;
  /** The repository act reports as GITHUB_REPOSITORY (read from a remote). */
  repository?: string;
  timeoutMs?: number;
  /** Folder act uses for its action copies, workspaces and tool cache; a fresh one by default. */
  cacheDir?: string;
  /** Called with act's JSON log so far at each new line (the GitHub stand-in's jobs API). */
  onLog?: (text: string) => void;
  /** Changes the copy `org/deploy-actions@v1` resolves to (a marker in a bundle, say). */
  editLibrary?: (dir: string) => void;
  /** More versions of the library by ref (a release tag, a commit SHA), each a copy edited so. */
  libraryRefs?: { ref: string; edit: (dir: string) => void }[];
}

export interface StepRun {
  id: string;
  name: string;
  result?: string;
  outputs: Record<string, string>;
}

export interface JobRun {
  /** act's name for the job: `<caller job>/<workflow name>/<job id>` for a reusable workflow's job. */
  name: string;
  id: string;
  result?: string;
  steps: StepRun[];
  log: string[];
}

export interface WorkflowRun {
  exitCode: number | null;
  timedOut: boolean;
  seconds: number;
  jobs: JobRun[];
  /** Lines act printed outside any job (errors in parsing a workflow land here). */
  log: string[];
}

/** The third-party actions the workflows pin, read from their `uses:` lines. */
function pinnedThirdParty(): Map<string, string> {
  const pins = new Map<string, string>();
  const dirs = [join(ROOT, '.github', 'workflows'), join(ROOT, 'examples', 'omis-sample', '.github', 'workflows')];
  for (const dir of dirs) {
    for (const file of readdirSync(dir)) {
      for (const match of readFileSync(join(dir, file), 'utf8').matchAll(/uses:\s*(actions\/[a-z-]+)@([0-9a-f]{40})/g)) {
        pins.set(`${match[1]}@${match[2]}`, match[1]?.split('/')[1] ?? '');
      }
    }
  }
  return pins;
}

const run = promisify(execFile);

/** The stand-ins, their TypeScript ones bundled with ncc, cached by a hash of the fixtures. */
async function standIns(): Promise<string> {
  const hash = createHash('sha256');
  for (const entry of readdirSync(FIXTURES, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    hash.update(entry.parentPath + entry.name);
    hash.update(readFileSync(join(entry.parentPath, entry.name)));
  }
  hash.update(readFileSync(join(ROOT, 'package-lock.json')));
  const dir = join(STAND_INS_CACHE, hash.digest('hex').slice(0, 16));
  if (existsSync(join(dir, '.complete'))) return dir;
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  cpSync(FIXTURES, partial, { recursive: true });
  for (const name of BUNDLED) {
    // Transpile only: a type error elsewhere in the project must not break the stand-ins.
    await run(
      process.execPath,
      [NCC, 'build', join(FIXTURES, name, 'index.ts'), '-o', join(partial, name), '--quiet', '--transpile-only'],
      {
        cwd: ROOT,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
  }
  writeFileSync(join(partial, '.complete'), '');
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return dir;
}

/**
 * What `org/deploy-actions@v1` resolves to: each action's action.yml, the workflows, and
 * dist/ from the bundles built from the current source (never the committed dist/).
 */
function library(into: string): string {
  const dir = join(into, 'deploy-actions');
  for (const action of listActions()) cpSync(join(ROOT, action, 'action.yml'), join(dir, action, 'action.yml'));
  cpSync(join(ROOT, '.github', 'workflows'), join(dir, '.github', 'workflows'), { recursive: true });
  cpSync(inject('bundleDir'), join(dir, 'dist'), { recursive: true });
  return dir;
}

interface ActLine {
  time?: string;
  job?: string;
  jobID?: string;
  msg?: string;
  stepID?: string[];
  step?: string;
  stage?: string;
  stepResult?: string;
  jobResult?: string;
  raw_output?: boolean;
  command?: string;
  name?: string;
  arg?: string;
}

/** Reads act's `--json` log into jobs, their steps and their lines. */
export function parseActLog(text: string): { jobs: JobRun[]; log: string[] } {
  const jobs = new Map<string, JobRun>();
  const log: string[] = [];
  for (const raw of text.split('\n')) {
    if (!raw.trim()) continue;
    let line: ActLine;
    try {
      line = JSON.parse(raw) as ActLine;
    } catch {
      log.push(raw);
      continue;
    }
    const message = (line.msg ?? '').replace(/\n$/, '');
    if (!line.job) {
      log.push(message);
      continue;
    }
    // act pads job names to one width for its text log, in --json too.
    const name = line.job.trim();
    let job = jobs.get(name);
    if (!job) {
      job = { name, id: line.jobID ?? name, steps: [], log: [] };
      jobs.set(name, job);
    }
    job.log.push(message);
    if (line.jobResult) job.result = line.jobResult;
    const stepId = line.stepID?.[0];
    if (stepId === undefined || line.stage === 'Pre' || line.stage === 'Post') continue;
    let step = job.steps.find((candidate) => candidate.id === stepId);
    if (!step) {
      step = { id: stepId, name: line.step ?? stepId, outputs: {} };
      job.steps.push(step);
    }
    if (line.stepResult) step.result = line.stepResult;
    if (line.command === 'set-output' && line.name) step.outputs[line.name] = line.arg ?? '';
  }
  // A job that calls a reusable workflow runs no steps of its own and ends with no result
  // of its own (its workflow's jobs, logged under their own names, have theirs); every job
  // act ran or skipped has a result. So a job with neither steps nor result is such a caller.
  const all = [...jobs.values()];
  return { jobs: all.filter((job) => job.result !== undefined || job.steps.length > 0), log };
}

/** For `npm run demo`: each step as it starts and each job as it ends, job by job. */
function narrateLine(raw: string): void {
  if (!process.env.DEMO_LOG) return;
  try {
    const line = JSON.parse(raw) as ActLine;
    const message = (line.msg ?? '').split('\n')[0] ?? '';
    if (line.job && (/^⭐ Run Main|^🏁|^Skipping job/.test(message) || line.stepResult === 'failure')) {
      narrate(`[${line.job.trim()}] ${message.trim()}`);
    }
  } catch {
    // Not one of act's JSON lines: nothing to show.
  }
}

/** Runs the caller through act and returns what each job did. Never throws for a failed job. */
export async function runWorkflow(options: RunWorkflowOptions): Promise<WorkflowRun> {
  const work = mkdtempSync(join(tmpdir(), 'deploy-actions-act-'));
  const started = performance.now();
  try {
    const stand = await standIns();
    const lib = library(work);
    options.editLibrary?.(lib);
    const refs = (options.libraryRefs ?? []).map(({ ref, edit }, index) => {
      const dir = library(join(work, `ref-${index}`));
      edit(dir);
      return ['--local-repository', `org/deploy-actions@${ref}=${dir}`];
    });
    const cacheDir = options.cacheDir ?? join(work, 'cache');
    mkdirSync(cacheDir, { recursive: true });
    // act's artifact server expects its folder to exist (it panics on a missing one).
    mkdirSync(join(work, 'artifacts'));
    const eventFile = join(work, 'event.json');
    const { event } = options;
    const ref = event.ref ?? 'refs/heads/main';
    const [owner = 'omis', name = 'omis-sample'] = (options.repository ?? 'omis/omis-sample').split('/');
    const repository = { name, full_name: `${owner}/${name}`, owner: { login: owner }, default_branch: 'main' };
    writeFileSync(
      eventFile,
      JSON.stringify(
        event.name === 'push'
          ? { ref, before: event.before, after: event.after, repository, head_commit: { id: event.after } }
          : event.name === 'pull_request'
            ? {
                action: 'synchronize',
                number: 1,
                repository,
                sender: { login: event.actor },
                pull_request: {
                  number: 1,
                  head: { ref: event.head, repo: repository },
                  base: { ref: event.base, repo: repository },
                },
              }
            : { ref, inputs: event.inputs, repository },
      ),
    );
    // act reads GITHUB_REPOSITORY from a remote's URL; this one is never fetched.
    const remote = 'act-github';
    await run('git', ['-C', options.repo, 'remote', 'remove', remote]).catch(() => undefined);
    await run('git', ['-C', options.repo, 'remote', 'add', remote, `https://github.com/${owner}/${name}.git`]);
    const args = [
      event.name,
      '-W',
      options.workflow,
      '-e',
      eventFile,
      '-P',
      'ubuntu-latest=-self-hosted',
      '--json',
      '--remote-name',
      remote,
      '--action-cache-path',
      cacheDir,
      '--artifact-server-path',
      join(work, 'artifacts'),
      '--artifact-server-addr',
      '127.0.0.1',
      '--artifact-server-port',
      String(await freePort()),
      '--no-cache-server',
      // The sample's .gitignore keeps busybox out of commits, not out of the checkout.
      '--use-gitignore=false',
      '--local-repository',
      `org/deploy-actions@v1=${lib}`,
      ...refs.flat(),
      ...[...pinnedThirdParty()].flatMap(([pin, folder]) => ['--local-repository', `${pin}=${join(stand, folder)}`]),
      ...Object.entries(options.env ?? {}).flatMap(([key, value]) => ['--env', `${key}=${value}`]),
      ...Object.entries(options.vars ?? {}).flatMap(([key, value]) => ['--var', `${key}=${value}`]),
      ...Object.entries(options.secrets ?? {}).flatMap(([key, value]) => ['-s', `${key}=${value}`]),
      ...(event.name === 'pull_request' ? ['--actor', event.actor] : []),
      ...(event.name === 'workflow_dispatch'
        ? Object.entries(event.inputs).flatMap(([key, value]) => ['--input', `${key}=${value}`])
        : []),
    ];
    // A runner's environment, not the test process's: act hands its own to every step.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LANG: 'C.UTF-8',
      ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
    };
    const timeoutMs = options.timeoutMs ?? 300_000;
    const child = spawn(actBinary(), args, { cwd: options.repo, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let pending = '';
    const take = (chunk: Buffer) => {
      out += chunk.toString();
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) narrateLine(line);
      if (lines.length > 0) options.onLog?.(out);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // act and everything it started (its steps run as its children on the host).
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    }, timeoutMs);
    const exitCode = await new Promise<number | null>((resolve) => {
      child.on('close', resolve);
    });
    clearTimeout(timer);
    // For a person debugging a run: act's whole JSON log, one file per run.
    if (process.env.ACT_LOG_DIR) {
      mkdirSync(process.env.ACT_LOG_DIR, { recursive: true });
      writeFileSync(join(process.env.ACT_LOG_DIR, `${Date.now()}-${basename(options.workflow)}.jsonl`), out);
    }
    const parsed = parseActLog(out);
    return { exitCode, timedOut, seconds: (performance.now() - started) / 1000, ...parsed };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The jobs of a run as GitHub's jobs API lists them, from act's JSON log so far: a job starts
 * at its first line and completes at the line with its result. act names a reusable
 * workflow's job `<workflow>/<job>/<workflow>/<job>...`; GitHub names it `<job> / <job>`.
 */
export function apiJobsOf(text: string): RunJobRecord[] {
  const jobs = new Map<string, RunJobRecord>();
  for (const raw of text.split('\n')) {
    let line: ActLine;
    try {
      line = JSON.parse(raw) as ActLine;
    } catch {
      continue;
    }
    if (!line.job || !line.time) continue;
    const actName = line.job.trim();
    const at = new Date(line.time).toISOString().replace(/\.\d+Z$/, 'Z');
    let job = jobs.get(actName);
    if (!job) {
      const parts = actName.split('/');
      const name = parts.length > 1 ? parts.filter((_, index) => index % 2 === 1).join(' / ') : actName;
      job = { name, status: 'in_progress', conclusion: null, started_at: at, completed_at: null, steps: [] };
      jobs.set(actName, job);
    }
    const step = line.stepID?.[0] && line.stage === 'Main' ? (line.step ?? line.stepID[0]) : undefined;
    if (step !== undefined && !job.steps.some((each) => each.name === step)) {
      job.steps.push({ name: step, number: job.steps.length + 1, status: 'in_progress', conclusion: null, started_at: at });
    }
    if (step !== undefined && line.stepResult) {
      const entry = job.steps.find((each) => each.name === step);
      if (entry) Object.assign(entry, { status: 'completed', conclusion: line.stepResult, completed_at: at });
    }
    if (line.jobResult) {
      job.status = 'completed';
      job.conclusion = line.jobResult as RunJobRecord['conclusion'];
      job.completed_at = at;
    }
  }
  // A caller of a reusable workflow logs no steps of its own and has no result: not a job.
  return [...jobs.values()].filter((job) => job.steps.length > 0 || job.status === 'completed');
}

/**
 * Every job `id` names (a matrix gives several): a job id (`deploy`, `build`), or the end of
 * act's name, whole parts of it (`option-d-vm/report`, or `staging/option-a-gitops/bump` when
 * two caller jobs call one workflow). A matrix leg's `-1`, `-2` suffix is not part of its name.
 */
export function jobsOf(run: WorkflowRun, id: string): JobRun[] {
  return run.jobs.filter((job) => {
    if (!id.includes('/')) return job.id === id;
    // A matrix leg is named `<id>-<n>`; its name without the number ends with its id.
    const name = job.name.endsWith(`/${job.id}`) || job.name === job.id ? job.name : job.name.replace(/-\d+$/, '');
    return name === id || name.endsWith(`/${id}`);
  });
}

/** The one job `id`, or undefined when act never started it (skipped by its `if:`). */
export function jobOf(run: WorkflowRun, id: string): JobRun | undefined {
  const found = jobsOf(run, id);
  if (found.length > 1) throw new Error(`${found.length} jobs are named ${id}: ${found.map((job) => job.name).join(', ')}`);
  return found[0];
}

/** A job's result as GitHub names it: `skipped` for a job act never started. */
export const resultOf = (run: WorkflowRun, id: string): string => jobOf(run, id)?.result ?? 'skipped';

/** The end of a job's log, for a failure message. */
export const tail = (job: JobRun | undefined, lines = 40): string =>
  job ? `--- ${job.name} (${job.result ?? 'no result'}) ---\n${job.log.slice(-lines).join('\n')}` : '(the job never ran)';

/** A job's whole log as one text (empty for a job act never started), e.g. a report's summary. */
export const logOf = (run: WorkflowRun, id: string): string => (jobOf(run, id)?.log ?? []).join('\n');

/** One step of a job by its `id:`. */
export function stepOf(job: JobRun | undefined, id: string): StepRun | undefined {
  return job?.steps.find((step) => step.id === id);
}

/**
 * Asserts each job's result (`success`, `failure` or `skipped`); a mismatch fails with the
 * log tail of every job that differs, so the test's message shows why.
 */
export function expectJobs(run: WorkflowRun, expected: Record<string, string>): void {
  const wrong = Object.entries(expected).filter(([id, result]) =>
    jobsOf(run, id).length === 0 ? result !== 'skipped' : jobsOf(run, id).some((job) => (job.result ?? 'none') !== result),
  );
  if (run.timedOut) throw new Error(`act timed out after ${run.seconds.toFixed(0)} s\n${run.log.slice(-20).join('\n')}`);
  if (wrong.length === 0) return;
  const lines = wrong.map(([id, result]) => {
    const jobs = jobsOf(run, id);
    const got = jobs.length === 0 ? 'skipped' : jobs.map((job) => job.result ?? 'none').join(', ');
    return `job ${id}: expected ${result}, got ${got}\n${jobs.map((job) => tail(job)).join('\n')}`;
  });
  // A job never found may be a name the test got wrong: list the names act used.
  const names = `jobs act ran: ${run.jobs.map((job) => `${job.name} (${job.result ?? 'none'})`).join(', ') || 'none'}`;
  throw new Error(`${lines.join('\n\n')}\n--- act ---\n${names}\n${run.log.slice(-15).join('\n')}`);
}
