import * as core from '@actions/core';
import type { HelmDeployConfig, UpgradeSettings } from './config.js';
import { rollbackFlags, upgradeFlags } from './flags.js';
import { type HelmCli, helmErrorLine } from './helm-cli.js';
import { current, deployedRevision, type HistoryEntry, previousGood } from './history.js';
import { clearPending, type Recovered } from './recover.js';
import { previousDifferent, readHistory, readManifest } from './release-state.js';
import { echoToolLine } from '../../packages/shared/tool-output.js';

/** What one run did, for the outputs and the summary. */
export interface DeployOutcome {
  revision: number | undefined;
  previousRevision: number | undefined;
  status: string;
  rolledBack: boolean;
  recovered: Recovered;
  history: HistoryEntry[];
  /** The manifests to diff: before and after (after is the dry-run's render in a dry run). */
  manifests: { before: string; after: string; labels: [string, string] } | undefined;
  /** Set when the run failed: Helm's own error line. */
  failure: string | undefined;
}

const pendingOptions = (config: HelmDeployConfig) => ({
  release: config.release,
  policy: config.pending,
  graceMs: config.pendingGraceMs,
  timeoutMs: config.timeoutMs,
  historyMax: config.historyMax,
  dryRun: config.dryRun,
});

/** The manifest a dry run printed, between `MANIFEST:` and `NOTES:` (or the end). */
export function dryRunManifest(stdout: string): string {
  const start = stdout.search(/^MANIFEST:\s*$/m);
  if (start < 0) return '';
  const rest = stdout.slice(stdout.indexOf('\n', start) + 1);
  const end = rest.search(/^NOTES:\s*$/m);
  return end < 0 ? rest : rest.slice(0, end);
}

export async function runUpgrade(helm: HelmCli, config: HelmDeployConfig, settings: UpgradeSettings): Promise<DeployOutcome> {
  const { recovered, history: before } = await core.group('Pending releases', () => clearPending(helm, pendingOptions(config)));
  const live = deployedRevision(before);
  const newestBefore = current(before)?.revision ?? 0;
  const flags = upgradeFlags(settings, {
    major: helm.major,
    timeoutMs: config.timeoutMs,
    historyMax: config.historyMax,
    dryRun: config.dryRun,
  });
  const result = await core.group(
    `helm upgrade --install ${config.release}${config.dryRun ? ' (server dry-run)' : ''}`,
    async () => {
      const ran = await helm.run(['upgrade'], flags, [config.release, settings.chart]);
      for (const line of ran.stderr.split('\n')) if (line.trim()) echoToolLine(line);
      return ran;
    },
  );
  if (helm.cancelled()) throw helm.cancelError('upgrade');
  const after = config.dryRun ? before : await readHistory(helm, config.release);
  const last = current(after);
  const failure = result.code === 0 ? undefined : helmErrorLine(result);
  // A failed upgrade that Helm undid leaves a "Rollback to N" revision (or, for a first
  // install, no release at all).
  const rolledBack =
    failure !== undefined &&
    settings.rollbackOnFailure &&
    (after.some((entry) => entry.revision > newestBefore && /^Rollback to \d+/.test(entry.description)) ||
      (before.length === 0 && after.length === 0));
  let manifests: DeployOutcome['manifests'];
  if (config.dryRun) {
    const now = live ? await readManifest(helm, config.release, live.revision) : '';
    manifests = {
      before: now,
      after: dryRunManifest(result.stdout),
      labels: [`revision ${live?.revision ?? '(none)'}`, 'dry run'],
    };
  } else if (failure === undefined && last) {
    manifests = {
      before: live ? await readManifest(helm, config.release, live.revision) : '',
      after: await readManifest(helm, config.release, last.revision),
      labels: [`revision ${live?.revision ?? '(none)'}`, `revision ${last.revision}`],
    };
  }
  return {
    revision: config.dryRun ? live?.revision : last?.revision,
    previousRevision: live?.revision,
    status: config.dryRun ? (live?.status ?? 'not-installed') : (last?.status ?? (rolledBack ? 'uninstalled' : 'failed')),
    rolledBack,
    recovered,
    history: after,
    manifests,
    failure,
  };
}

export async function runRollback(helm: HelmCli, config: HelmDeployConfig): Promise<DeployOutcome> {
  const { recovered, history: before } = await core.group('Pending releases', () => clearPending(helm, pendingOptions(config)));
  if (before.length === 0)
    throw new Error(`release ${config.release} does not exist in namespace ${config.namespace}: nothing to roll back`);
  const from = current(before);
  const target =
    config.revision === 'previous'
      ? await previousDifferent(helm, config.release, before)
      : before.find((entry) => entry.revision === config.revision);
  if (target === undefined) {
    throw new Error(
      config.revision === 'previous'
        ? `release ${config.release} has no deployed or superseded revision before revision ${from?.revision} whose chart or values differ from what runs: nothing to roll back to`
        : `release ${config.release} has no revision ${config.revision} (helm keeps ${config.historyMax}; it has ${before.map((entry) => entry.revision).join(', ')})`,
    );
  }
  const flags = rollbackFlags({
    major: helm.major,
    timeoutMs: config.timeoutMs,
    historyMax: config.historyMax,
    wait: config.wait,
    dryRun: config.dryRun,
  });
  const result = await core.group(`helm rollback ${config.release} ${target.revision}${config.dryRun ? ' (dry-run)' : ''}`, () =>
    helm.run(['rollback'], flags, [config.release, String(target.revision)]),
  );
  if (helm.cancelled()) throw helm.cancelError('rollback');
  const after = config.dryRun ? before : await readHistory(helm, config.release);
  const last = current(after);
  const failure = result.code === 0 ? undefined : helmErrorLine(result);
  const manifests =
    failure === undefined && from
      ? {
          before: await readManifest(helm, config.release, from.revision),
          after: await readManifest(helm, config.release, target.revision),
          labels: [`revision ${from.revision}`, `revision ${target.revision}`] as [string, string],
        }
      : undefined;
  return {
    revision: config.dryRun ? from?.revision : last?.revision,
    previousRevision: from?.revision,
    status: last?.status ?? 'unknown',
    rolledBack: failure === undefined && !config.dryRun,
    recovered,
    history: after,
    manifests,
    failure,
  };
}

export async function runStatus(helm: HelmCli, config: HelmDeployConfig): Promise<DeployOutcome> {
  const history = await readHistory(helm, config.release);
  const last = current(history);
  return {
    revision: last?.revision,
    previousRevision: previousGood(history)?.revision,
    status: last?.status ?? 'not-installed',
    rolledBack: false,
    recovered: 'none',
    history,
    manifests: undefined,
    failure: undefined,
  };
}
