import * as core from '@actions/core';
import { formatDuration } from '../../packages/shared/duration.js';
import { sleep } from '../../packages/shared/retry.js';
import type { PendingPolicy } from './config.js';
import { helmDuration, rollbackFlags } from './flags.js';
import type { HelmCli } from './helm-cli.js';
import { ageMs, type HistoryEntry, lastGood, pendingRevision } from './history.js';
import { readHistory } from './release-state.js';

export type Recovered = 'none' | 'rolled-back' | 'uninstalled';

export interface PendingOptions {
  release: string;
  policy: PendingPolicy;
  graceMs: number;
  /** How long to wait for a live run elsewhere (the action's timeout). */
  timeoutMs: number;
  historyMax: number;
  dryRun: boolean;
  /** Between two looks at the history while waiting. */
  pollMs?: number;
  now?: () => number;
}

export interface PendingOutcome {
  recovered: Recovered;
  history: HistoryEntry[];
}

/**
 * Clears a release left pending-install, pending-upgrade or pending-rollback, the state a
 * cancelled or killed run leaves ("another operation (install/upgrade/rollback) is in
 * progress"). A pending revision younger than the grace at the first look is taken for a
 * live run elsewhere and waited for, up to the timeout, and never rolled back. One older than
 * the grace at the first look is rolled back to the newest good revision, or uninstalled
 * when there is none (a first install that never finished).
 */
export async function clearPending(helm: HelmCli, options: PendingOptions): Promise<PendingOutcome> {
  const now = options.now ?? Date.now;
  const pollMs = options.pollMs ?? 2000;
  const deadline = now() + options.timeoutMs;
  let history = await readHistory(helm, options.release);
  // Judged once, at the first look: a revision young enough to be a live run is waited for and
  // never rolled back, however long the wait; ageing during the wait proves nothing.
  const firstPending = pendingRevision(history);
  const staleAtStart =
    options.policy === 'recover' && firstPending !== undefined && ageMs(firstPending, now()) >= options.graceMs;
  for (;;) {
    const pending = pendingRevision(history);
    if (!pending) return { recovered: 'none', history };
    const age = ageMs(pending, now());
    const what = `${options.release} revision ${pending.revision} is ${pending.status} (last touched ${formatDuration(age)} ago)`;
    if (options.policy === 'fail') {
      throw new Error(`${what}: pending-release is fail, so nothing was changed`);
    }
    const stale = staleAtStart && pending.revision === firstPending?.revision;
    if (stale)
      return { recovered: await recover(helm, options, pending, history), history: await readHistory(helm, options.release) };
    if (now() >= deadline) {
      throw new Error(
        `${what}, and it was still pending after waiting ${formatDuration(options.timeoutMs)}: another run seems to be deploying it, so it was not rolled back`,
      );
    }
    core.info(
      options.policy === 'wait'
        ? `${what}; pending-release is wait: waiting for it`
        : `${what}, younger than pending-grace ${formatDuration(options.graceMs)}: taken for a live run, waiting for it`,
    );
    await sleep(Math.min(pollMs, Math.max(0, deadline - now())));
    history = await readHistory(helm, options.release);
  }
}

async function recover(
  helm: HelmCli,
  options: PendingOptions,
  pending: HistoryEntry,
  history: readonly HistoryEntry[],
): Promise<Recovered> {
  const target = lastGood(history.filter((entry) => entry.revision < pending.revision));
  const tag = options.dryRun ? ' (dry-run: not done)' : '';
  if (pending.status === 'pending-install' || target === undefined) {
    core.warning(
      `${options.release} revision ${pending.revision} was left ${pending.status} by a run that did not finish, and no earlier revision ran: uninstalling it${tag}`,
    );
    if (!options.dryRun) await helm.checked(['uninstall'], ['--timeout', helmDuration(options.timeoutMs)], [options.release]);
    return 'uninstalled';
  }
  core.warning(
    `${options.release} revision ${pending.revision} was left ${pending.status} by a run that did not finish: rolling back to revision ${target.revision}${tag}`,
  );
  if (!options.dryRun) {
    const flags = rollbackFlags({
      major: helm.major,
      timeoutMs: options.timeoutMs,
      historyMax: options.historyMax,
      wait: 'true',
      dryRun: false,
    });
    await helm.checked(['rollback'], flags, [options.release, String(target.revision)]);
  }
  return 'rolled-back';
}
