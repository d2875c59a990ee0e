import * as core from '@actions/core';
import { errorMessage } from './errors.js';

/**
 * The one way an action's entry point runs: any thrown value becomes a single
 * `<action> failed: <message>` error annotation and exit code 1.
 */
export async function runAction(name: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    core.setFailed(`${name} failed: ${errorMessage(error).split('\n')[0]}`);
    if (error instanceof Error && error.stack && core.isDebug()) core.debug(error.stack);
    process.exitCode = 1;
  }
}
