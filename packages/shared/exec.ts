import { type ChildProcess, spawn } from 'node:child_process';
import * as core from '@actions/core';
import { redactSecrets } from './secrets.js';

export interface ExecOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin (e.g. a password for `--password-stdin`). */
  input?: string | Buffer;
  /** Each output line as it arrives (already redacted by the caller's choice of sink). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Kill the child after this long. */
  timeoutMs?: number;
  /** Called with the child once it is started (to forward a cancel to it). */
  onSpawn?: (child: ChildProcess) => void;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The last lines of what a program said (stderr, or stdout when stderr is empty), on one
 * line, for an error message. Secrets are redacted first, so a cut can never leave part of one.
 */
export function outputTail(said: Pick<ExecResult, 'stdout' | 'stderr'> | string, lines = 3): string {
  const text = typeof said === 'string' ? said : said.stderr.trim() || said.stdout;
  return redactSecrets(text)
    .trim()
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .slice(-lines)
    .join(' | ');
}

export class ExecError extends Error {
  override readonly name = 'ExecError';
  constructor(
    readonly command: string,
    readonly result: ExecResult,
  ) {
    const detail = outputTail(result);
    super(`${command} exited with ${result.code}${detail ? `: ${detail}` : ''}`);
  }
}

/**
 * Runs a program with an argument array: no shell ever sees the arguments, so no input
 * can be interpreted as shell syntax. Resolves with the exit code; never rejects on a
 * non-zero exit (see `execChecked`).
 */
export function exec(file: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  // Every external command line, for a debug re-run; secrets never travel in argv, but a
  // registered one is redacted all the same.
  core.debug(redactSecrets(`$ ${[file, ...args].join(' ')}${options.cwd ? ` (in ${options.cwd})` : ''}`));
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    options.onSpawn?.(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const pending = { stdout: '', stderr: '' };
    const onData = (stream: 'stdout' | 'stderr', sink: Buffer[]) => (chunk: Buffer) => {
      sink.push(chunk);
      if (!options.onLine) return;
      const lines = (pending[stream] + chunk.toString('utf8')).split('\n');
      pending[stream] = lines.pop() ?? '';
      for (const line of lines) options.onLine(line, stream);
    };
    child.stdout.on('data', onData('stdout', out));
    child.stderr.on('data', onData('stderr', err));
    let abandon: NodeJS.Timeout | undefined;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            child.kill('SIGKILL');
            // A grandchild (git's remote helper, ssh's proxy) may still hold the pipes open,
            // and then 'close' never comes: stop waiting for it shortly after the kill.
            abandon = setTimeout(() => {
              child.stdout.destroy();
              child.stderr.destroy();
              child.emit('close', null, 'SIGKILL');
            }, 2000);
          }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(abandon);
      for (const stream of ['stdout', 'stderr'] as const) if (pending[stream]) options.onLine?.(pending[stream], stream);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.on('error', () => {
      /* the child may exit before reading its input; its exit code tells the story */
    });
    child.stdin.end(options.input);
  });
}

/** Like `exec`, but a non-zero exit throws an ExecError naming the program. */
export async function execChecked(file: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const result = await exec(file, args, options);
  if (result.code !== 0) throw new ExecError([file, ...args.slice(0, 2)].join(' '), result);
  return result;
}
