import * as core from '@actions/core';
import { errorMessage } from '../../packages/shared/errors.js';
import type { BumpConfig } from './config.js';
import { type SyncResult, waitForSync } from './argocd-wait.js';
import type { Published } from './publish.js';
import type { Workspace } from './workspace.js';

/** How the wait for Argo CD ended, for the summary and the step's result. */
export type SyncOutcome = { commit: string; result: SyncResult } | { commit: string; error: Error };

/**
 * With `wait-for-sync`, waits for Argo CD to sync what was pushed: this run's commit, or, when
 * there was nothing to change, the branch tip that already held it. A dry run pushed nothing,
 * so it waits for nothing.
 */
export async function syncAfterPush(
  config: BumpConfig,
  workspace: Workspace,
  published: Published,
  log: (line: string) => void,
): Promise<SyncOutcome | undefined> {
  const sync = config.sync;
  if (sync === undefined || config.dryRun) return undefined;
  const commit = published.commitSha || (await workspace.git.out(['rev-parse', 'HEAD']));
  const deadline = Date.now() + sync.timeoutMs;
  try {
    const result = await core.group(`Wait for Argo CD to sync ${commit.slice(0, 12)} (${sync.app})`, () =>
      waitForSync(sync, commit, { includes: (revision) => workspace.holds(revision, commit, deadline), log }),
    );
    log(`Argo CD: ${sync.app} Synced at ${result.revision.slice(0, 12)} and Healthy after ${result.seconds} s`);
    return { commit, result };
  } catch (error) {
    return { commit, error: error instanceof Error ? error : new Error(errorMessage(error)) };
  }
}
