import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** RUNNER_TEMP, which the runner empties after every job; the system temp folder elsewhere. */
export function runnerTemp(env: NodeJS.ProcessEnv = process.env): string {
  return env.RUNNER_TEMP || tmpdir();
}

/**
 * A fresh folder under RUNNER_TEMP that only this user can enter (0700), for anything that
 * may hold a secret (keys, logins, archives). Callers remove it in `finally`.
 */
export function makeTempDir(prefix: string, env: NodeJS.ProcessEnv = process.env): string {
  const dir = mkdtempSync(join(runnerTemp(env), `deploy-actions-${prefix}-`));
  chmodSync(dir, 0o700); // mkdtemp gives 0700 already; said again so no umask or platform changes it
  return dir;
}

/** Removes a temp folder; never throws, since it runs in `finally` after the real error. */
export function removeTempDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}
