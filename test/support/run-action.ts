import { runBundledAction, type RunOptions, type RunResult } from '../../packages/runner/harness.js';

/** Runs dist/<action>/index.js as a child process with the runner's protocol (see packages/runner). */
export function runAction(
  action: string,
  inputs: Record<string, string>,
  options: Omit<RunOptions, 'action' | 'inputs'> = {},
): Promise<RunResult> {
  return runBundledAction({ action, inputs, timeoutMs: 60_000, ...options });
}

/** The single error annotation an action is expected to fail with. */
export function failure(result: RunResult): string {
  return result.annotations
    .filter((annotation) => annotation.level === 'error')
    .map((annotation) => annotation.message)
    .join('\n');
}
