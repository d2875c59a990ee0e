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
 * `modes` are helper modes chosen by the first command-line argument.
 */
export async function runAction(
  name: string,
  main: () => Promise<void>,
  post?: () => Promise<void>,
  modes: Readonly<Record<string, () => Promise<void>>> = {},
): Promise<void> {
  // V8's linear-time regexp fallback (linear-regexp.ts) is not enabled here: loading node:v8
  // costs about 4 ms of every action's startup, and the only user patterns (`expect-body`)
  // are matched by the gate's worker matcher, which enables it.
  // A helper mode the action runs itself as (`node index.js <mode>`, e.g. a kubeconfig's
  // credential plugin): no step state, no annotations, since its stdout belongs to its caller.
  const mode = process.argv[2] === undefined ? undefined : modes[process.argv[2]];
  if (mode) {
    await mode();
    return;
  }
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
