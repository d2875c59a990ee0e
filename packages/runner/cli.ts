import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDuration, parseDuration } from '../shared/duration.js';
import { actionNames, readActionSpec } from './action-spec.js';
import { maskText, REPO_ROOT, runBundledAction } from './harness.js';

const USAGE = `Usage:
  deploy-actions run <action> [--input name=value]... [--env NAME=value]... [--event name --event-path file.json] [--timeout 10m]
  deploy-actions run <action> --help     the action's inputs, with defaults and descriptions
  deploy-actions list                    the actions, one line each

Runs dist/<action>/index.js exactly as the GitHub runner would (INPUT_* environment,
GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, action.yml defaults), then prints the
outputs and the job summary. Exits with the action's exit code.`;

class UsageError extends Error {}

function pair(flag: string, text: string | undefined): [string, string] {
  const at = text?.indexOf('=') ?? -1;
  if (text === undefined || at <= 0) throw new UsageError(`${flag} takes name=value; got "${text ?? ''}"`);
  return [text.slice(0, at), text.slice(at + 1)];
}

function parseTimeout(text: string | undefined): number {
  const ms = text === undefined ? undefined : parseDuration(text);
  if (ms === undefined || ms <= 0) {
    throw new UsageError(`--timeout takes a duration such as 90s, 10m, 1m30s or plain seconds; got "${text ?? ''}"`);
  }
  return ms;
}

/** One line per input: name, (required) or its default, and the description. */
function actionHelp(action: string): string {
  const spec = readActionSpec(REPO_ROOT, action);
  const lines = [`${action}: ${oneLine(spec.description)}`, '', 'Inputs:'];
  for (const [name, input] of Object.entries(spec.inputs ?? {})) {
    const fallback = input.required ? 'required' : input.default === undefined ? '' : `default ${String(input.default)}`;
    lines.push(`  ${name}${fallback ? ` (${fallback})` : ''}`, `      ${oneLine(input.description)}`);
  }
  lines.push('', 'Outputs:');
  for (const [name, output] of Object.entries(spec.outputs ?? {})) lines.push(`  ${name}: ${oneLine(output.description)}`);
  return lines.join('\n');
}

const oneLine = (text: string | undefined): string => (text ?? '').replace(/\s+/g, ' ').trim();

async function run(args: string[]): Promise<number> {
  const action = args.shift();
  if (!action || action.startsWith('-')) throw new UsageError('run needs an action name; see `deploy-actions list`');
  if (!existsSync(join(REPO_ROOT, action, 'action.yml'))) throw new UsageError(`no action named "${action}"`);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(actionHelp(action));
    return 0;
  }
  const inputs: Record<string, string> = {};
  const env: Record<string, string> = {};
  let eventName: string | undefined;
  let eventPath: string | undefined;
  let timeoutMs = 30 * 60_000;
  while (args.length > 0) {
    const flag = args.shift();
    const value = args.shift();
    if (flag === '--input' || flag === '-i') {
      const [name, text] = pair(flag, value);
      inputs[name] = text;
    } else if (flag === '--env' || flag === '-e') {
      const [name, text] = pair(flag, value);
      env[name] = text;
    } else if (flag === '--event') eventName = value;
    else if (flag === '--event-path') eventPath = value;
    else if (flag === '--timeout') timeoutMs = parseTimeout(value);
    else throw new UsageError(`unknown option "${flag ?? ''}"`);
  }
  const event =
    eventName === undefined
      ? undefined
      : { name: eventName, payload: eventPath ? (JSON.parse(readFileSync(eventPath, 'utf8')) as unknown) : {} };

  const result = await runBundledAction({
    action,
    inputs,
    env,
    event,
    timeoutMs,
    onLine: (line, stream) => (stream === 'stdout' ? process.stdout : process.stderr).write(`${line}\n`),
  });
  const mask = (text: string) => maskText(text, result.masks);
  console.log('\n── outputs ──');
  for (const [name, value] of Object.entries(result.outputs)) {
    const shown = value.length > 400 ? `${value.slice(0, 400)}… (${value.length} chars)` : value;
    console.log(`${name}: ${mask(shown)}`);
  }
  console.log('\n── job summary ──');
  console.log(mask(result.summary).trimEnd() || '(empty)');
  // One measured time, said once: the step's own duration, however it ended.
  const took = `${formatDuration(result.durationMs)} (${result.durationMs} ms)`;
  if (result.timedOut) console.error(`\n${action} was stopped by --timeout ${formatDuration(timeoutMs)} after ${took}`);
  else console.log(`\n${action} exited with ${result.exitCode ?? 'a signal'} in ${took}`);
  return result.timedOut ? 124 : (result.exitCode ?? 1);
}

function list(): number {
  const names = actionNames(REPO_ROOT);
  const width = Math.max(...names.map((name) => name.length));
  for (const name of names) {
    const description = oneLine(readActionSpec(REPO_ROOT, name).description);
    const first = /^[^.]*\.?/.exec(description)?.[0] ?? description;
    console.log(`${name.padEnd(width)}  ${first}`);
  }
  return 0;
}

async function cli(argv: string[]): Promise<number> {
  const command = argv.shift();
  if (command === 'run') return run(argv);
  if (command === 'list') return list();
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  throw new UsageError(`unknown command "${command}"; the commands are run and list`);
}

try {
  process.exitCode = await cli(process.argv.slice(2));
} catch (error) {
  console.error(`deploy-actions: ${(error as Error).message}`);
  if (error instanceof UsageError) console.error(`\n${USAGE}`);
  process.exitCode = 2;
}
