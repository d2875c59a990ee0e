import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { maskText, REPO_ROOT, runBundledAction } from './harness.js';

const USAGE = `Usage:
  deploy-actions run <action> [--input name=value]... [--env NAME=value]... [--event name --event-path file.json] [--timeout 10m]
  deploy-actions list

Runs dist/<action>/index.js exactly as the GitHub runner would (INPUT_* environment,
GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, action.yml defaults), then prints the
outputs and the job summary. Exits with the action's exit code.`;

function pair(flag: string, text: string | undefined): [string, string] {
  const at = text?.indexOf('=') ?? -1;
  if (text === undefined || at <= 0) throw new Error(`${flag} takes name=value; got "${text ?? ''}"`);
  return [text.slice(0, at), text.slice(at + 1)];
}

function parseTimeout(text: string): number {
  const match = /^(\d+)(ms|s|m)?$/.exec(text);
  if (!match) throw new Error(`--timeout takes a number of seconds or 500ms, 30s, 10m; got "${text}"`);
  const unit = match[2] ?? 's';
  return Number(match[1]) * (unit === 'ms' ? 1 : unit === 's' ? 1000 : 60_000);
}

async function run(args: string[]): Promise<number> {
  const action = args.shift();
  if (!action || action.startsWith('-')) throw new Error('run needs an action name; see `deploy-actions list`');
  if (!existsSync(join(REPO_ROOT, action, 'action.yml'))) throw new Error(`no action named "${action}"`);
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
    else if (flag === '--timeout' && value) timeoutMs = parseTimeout(value);
    else throw new Error(`unknown option "${flag}"\n${USAGE}`);
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
  if (result.timedOut) console.error(`\n${action} was stopped after ${timeoutMs} ms`);
  console.log(`\n${action} exited with ${result.exitCode ?? 'a signal'} in ${result.durationMs} ms`);
  return result.exitCode ?? 1;
}

async function cli(argv: string[]): Promise<number> {
  const command = argv.shift();
  if (command === 'run') return run(argv);
  if (command === 'list') {
    for (const entry of readdirSync(REPO_ROOT).sort()) {
      if (existsSync(join(REPO_ROOT, entry, 'action.yml'))) console.log(entry);
    }
    return 0;
  }
  console.log(USAGE);
  return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
}

try {
  process.exitCode = await cli(process.argv.slice(2));
} catch (error) {
  console.error(`deploy-actions: ${(error as Error).message}`);
  process.exitCode = 2;
}
