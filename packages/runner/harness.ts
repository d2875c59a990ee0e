import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readActionSpec } from './action-spec.js';
import { parseFileCommands, parseWorkflowCommand, type WorkflowCommand } from './file-commands.js';

/**
 * The repository root, both from source (packages/runner) and from the bundle (dist/cli).
 * DEPLOY_ACTIONS_ROOT overrides it for a CLI bundle built elsewhere (the tests' build).
 */
// Not `new URL('../..', import.meta.url)`: ncc would turn that into an asset.
export const REPO_ROOT = process.env.DEPLOY_ACTIONS_ROOT ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Where the bundles are: the committed `dist/` unless DEPLOY_ACTIONS_DIST names another build
 * of the same layout (`<action>/index.js`), as the tests do with a build of the current source.
 */
export function bundlePath(root: string, actionDir: string, scriptPath: string, distDir?: string): string {
  const script = resolve(actionDir, scriptPath);
  const dist = distDir ?? process.env.DEPLOY_ACTIONS_DIST;
  if (dist === undefined || dist === '') return script;
  const inDist = relative(join(root, 'dist'), script);
  if (inDist.startsWith('..')) throw new Error(`${scriptPath} is not under dist/, so DEPLOY_ACTIONS_DIST cannot replace it`);
  return join(dist, inDist);
}

export interface RunOptions {
  /** Action folder name, e.g. `health-gate`. */
  action: string;
  inputs?: Record<string, string>;
  /** Extra environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** Written to GITHUB_EVENT_PATH, with GITHUB_EVENT_NAME set to `name`. */
  event?: { name: string; payload: unknown };
  cwd?: string;
  root?: string;
  /** A build of the bundles to run instead of the committed dist/ (see `bundlePath`). */
  distDir?: string;
  /** The child is killed after this long; default 2 minutes. */
  timeoutMs?: number;
  /** Run `runs.post` after main, as the runner does at the end of the job (default true). */
  post?: boolean;
  /** Each line of output as the runner would show it (masked, commands hidden). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** The main step's process once started, e.g. to send it the runner's cancel (SIGINT). */
  onSpawn?: (child: ChildProcess) => void;
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
}

export interface StepResult {
  exitCode: number | null;
  timedOut: boolean;
  /** Exactly what the process wrote. */
  stdout: string;
  stderr: string;
  /** What the runner would show in the log: masked, without `::add-mask::` lines. */
  log: string;
  durationMs: number;
}

export interface RunResult extends StepResult {
  outputs: Record<string, string>;
  summary: string;
  masks: string[];
  annotations: Annotation[];
  state: Record<string, string>;
  exportedEnv: Record<string, string>;
  post?: StepResult;
}

/** Environment the runner itself would set; the parent's own INPUT_/GITHUB_/RUNNER_ variables are dropped. */
function baseEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(INPUT_|STATE_|GITHUB_|RUNNER_|ACTIONS_)/.test(key)) continue;
    env[key] = value;
  }
  return env;
}

/** The runner evaluates expressions in defaults; only the few an action default may use are known here. */
function evaluateDefault(value: string, env: Record<string, string | undefined>): string {
  return value.replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, expression: string) => {
    const known: Record<string, string | undefined> = {
      'github.token': env.GITHUB_TOKEN,
      'github.repository': env.GITHUB_REPOSITORY,
      'github.sha': env.GITHUB_SHA,
      'github.ref': env.GITHUB_REF,
      'github.workspace': env.GITHUB_WORKSPACE,
      'runner.temp': env.RUNNER_TEMP,
    };
    return known[expression] ?? '';
  });
}

export async function runBundledAction(options: RunOptions): Promise<RunResult> {
  const root = options.root ?? REPO_ROOT;
  const spec = readActionSpec(root, options.action);
  const temp = mkdtempSync(join(tmpdir(), `deploy-actions-${options.action}-`));
  try {
    const files = {
      GITHUB_OUTPUT: join(temp, 'output'),
      GITHUB_STEP_SUMMARY: join(temp, 'summary.md'),
      GITHUB_ENV: join(temp, 'env'),
      GITHUB_STATE: join(temp, 'state'),
      GITHUB_PATH: join(temp, 'path'),
    };
    for (const file of Object.values(files)) writeFileSync(file, '');
    const runnerTemp = join(temp, 'runner-temp');
    mkdirSync(runnerTemp);
    const env: Record<string, string | undefined> = {
      ...baseEnvironment(),
      ...files,
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTION: options.action,
      GITHUB_WORKSPACE: options.cwd ?? process.cwd(),
      GITHUB_REPOSITORY: 'org/app',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '1',
      GITHUB_RUN_ATTEMPT: '1',
      RUNNER_OS: 'Linux',
      RUNNER_TEMP: runnerTemp,
    };
    if (options.event) {
      const eventPath = join(temp, 'event.json');
      writeFileSync(eventPath, JSON.stringify(options.event.payload));
      env.GITHUB_EVENT_NAME = options.event.name;
      env.GITHUB_EVENT_PATH = eventPath;
    }
    Object.assign(env, options.env);
    for (const [name, input] of Object.entries(spec.inputs ?? {})) {
      const given = options.inputs?.[name];
      const value = given ?? (input.default === undefined ? '' : evaluateDefault(String(input.default), env));
      env[`INPUT_${name.replaceAll(' ', '_').toUpperCase()}`] = value;
    }
    for (const name of Object.keys(options.inputs ?? {})) {
      if (!spec.inputs || !(name in spec.inputs)) throw new Error(`${options.action} has no input named '${name}'`);
    }

    const actionDir = join(root, options.action);
    const masks: string[] = [];
    const main = await runStep(bundlePath(root, actionDir, spec.runs.main, options.distDir), env, masks, options);
    const state = parseFileCommands(readFileSync(files.GITHUB_STATE, 'utf8'));
    const result: RunResult = {
      ...main,
      outputs: parseFileCommands(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
      summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
      masks,
      annotations: collectAnnotations(main.stdout),
      state,
      exportedEnv: parseFileCommands(readFileSync(files.GITHUB_ENV, 'utf8')),
    };
    if (spec.runs.post && options.post !== false) {
      const stateEnv = Object.fromEntries(Object.entries(state).map(([key, value]) => [`STATE_${key}`, value]));
      const post = bundlePath(root, actionDir, spec.runs.post, options.distDir);
      result.post = await runStep(post, { ...env, ...stateEnv }, masks, { ...options, onSpawn: undefined });
    }
    return result;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

function collectAnnotations(stdout: string): Annotation[] {
  const annotations: Annotation[] = [];
  for (const line of stdout.split('\n')) {
    const command = parseWorkflowCommand(line);
    if (command && (command.command === 'error' || command.command === 'warning' || command.command === 'notice')) {
      annotations.push({ level: command.command, message: command.message });
    }
  }
  return annotations;
}

const COMMAND_LABEL: Record<string, string> = { error: 'Error: ', warning: 'Warning: ', notice: 'Notice: ', group: '▸ ' };

/** How the runner's log shows a workflow command. */
function renderCommand(command: WorkflowCommand): string {
  const label = COMMAND_LABEL[command.command];
  return label === undefined ? `::${command.command}::${command.message}` : `${label}${command.message}`;
}

/** Text as the runner shows it: every `::add-mask::` value replaced by `***`. */
export function maskText(text: string, masks: readonly string[]): string {
  let shown = text;
  for (const secret of masks) if (secret !== '') shown = shown.replaceAll(secret, '***');
  return shown;
}

function runStep(
  script: string,
  env: Record<string, string | undefined>,
  masks: string[],
  options: RunOptions,
): Promise<StepResult> {
  const started = performance.now();
  const child = spawn(process.execPath, [script], {
    cwd: options.cwd ?? process.cwd(),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  options.onSpawn?.(child);
  let stdout = '';
  let stderr = '';
  const log: string[] = [];
  const pending = { stdout: '', stderr: '' };
  const emit = (line: string, stream: 'stdout' | 'stderr') => {
    const command = stream === 'stdout' ? parseWorkflowCommand(line) : undefined;
    if (command?.command === 'add-mask') {
      masks.push(command.message);
      return;
    }
    if (command?.command === 'debug' || command?.command === 'endgroup') return;
    const shown = maskText(command ? renderCommand(command) : line, masks);
    log.push(shown);
    options.onLine?.(shown, stream);
  };
  const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    if (stream === 'stdout') stdout += text;
    else stderr += text;
    const lines = (pending[stream] + text).split('\n');
    pending[stream] = lines.pop() ?? '';
    for (const line of lines) emit(line, stream);
  };
  child.stdout.on('data', collect('stdout'));
  child.stderr.on('data', collect('stderr'));

  return new Promise((resolvePromise, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      for (const stream of ['stdout', 'stderr'] as const) if (pending[stream]) emit(pending[stream], stream);
      resolvePromise({
        exitCode: code,
        timedOut,
        stdout,
        stderr,
        log: log.join('\n'),
        durationMs: Math.round(performance.now() - started),
      });
    });
  });
}
