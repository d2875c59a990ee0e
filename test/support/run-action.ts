import { inject } from 'vitest';
import { runBundledAction, type RunOptions, type RunResult } from '../../packages/runner/harness.js';

/** No child outlives this: under the integration project's 300 s test timeout. */
export const MAX_CHILD_MS = 240_000;

/**
 * Runs an action's bundle, built from the current source (test/setup/bundles.ts), as a child
 * process with the runner's protocol (see packages/runner). A child killed by its timeout or
 * by a signal is never a result a test may pass on: it throws, with the end of the log.
 */
export async function runAction(
  action: string,
  inputs: Record<string, string>,
  options: Omit<RunOptions, 'action' | 'inputs'> = {},
): Promise<RunResult> {
  const timeoutMs = Math.min(options.timeoutMs ?? 60_000, MAX_CHILD_MS);
  const result = await runBundledAction({ action, inputs, distDir: inject('bundleDir'), ...options, timeoutMs });
  for (const step of [result, result.post]) {
    if (step === undefined) continue;
    if (step.timedOut || step.exitCode === null) {
      const why = step.timedOut ? `was killed after its ${timeoutMs} ms timeout` : 'was killed by a signal';
      throw new Error(`${action} ${why}; its log ended:\n${step.log.split('\n').slice(-15).join('\n')}`);
    }
  }
  return result;
}

/** The error an action failed with: asserts exit code 1 and returns its error annotations. */
export function failure(result: RunResult): string {
  const errors = result.annotations.filter((annotation) => annotation.level === 'error').map((annotation) => annotation.message);
  if (result.exitCode !== 1) {
    throw new Error(`expected exit code 1, got ${result.exitCode}; errors: ${errors.join(' | ') || '(none)'}`);
  }
  return errors.join('\n');
}

/** Asserts that a run (and its post step) exited 0 with no error annotation; returns it. */
export function succeeded(result: RunResult, step = 'the action'): RunResult {
  const errors = result.annotations.filter((annotation) => annotation.level === 'error').map((annotation) => annotation.message);
  if (result.exitCode !== 0 || errors.length > 0) {
    throw new Error(`${step} exited ${result.exitCode}: ${errors.join(' | ') || result.log.split('\n').slice(-10).join('\n')}`);
  }
  if (result.post && result.post.exitCode !== 0) throw new Error(`${step}'s post step exited ${result.post.exitCode}`);
  return result;
}
