import * as core from '@actions/core';
import { errorMessage } from './errors.js';
import { redactSecrets } from './secrets.js';

/** The state the main step leaves so the runner's second call of the same file runs `post`. */
const POST_STATE = 'deploy-actions-post';

/**
 * The one way an action's entry point runs. The runner calls the same file for `main` and,
 * at the end of the job, for `post`; with a `post` function, the main step leaves a state
 * that tells the second call apart. Any thrown value becomes a single
 * `<action> failed: <message>` error annotation (secrets redacted) and exit code 1.
 */
export async function runAction(name: string, main: () => Promise<void>, post?: () => Promise<void>): Promise<void> {
  const isPost = post !== undefined && core.getState(POST_STATE) === 'true';
  if (post !== undefined && !isPost) core.saveState(POST_STATE, 'true');
  const label = isPost ? `${name} post` : name;
  try {
    await (isPost ? post : main)();
  } catch (error) {
    core.setFailed(`${label} failed: ${redactSecrets(errorMessage(error).split('\n')[0] ?? '')}`);
    if (error instanceof Error && error.stack && core.isDebug()) core.debug(redactSecrets(error.stack));
    process.exitCode = 1;
  }
}
