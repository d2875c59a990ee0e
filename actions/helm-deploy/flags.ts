import { isLoopbackRegistry } from '../../packages/shared/image-ref.js';
import type { UpgradeSettings, WaitMode } from './config.js';
import { ociHost } from './registry-access.js';

/** Helm's --timeout takes Go durations: whole seconds are always understood. */
export const helmDuration = (ms: number): string => `${Math.ceil(ms / 1000)}s`;

/**
 * The wait flag for each major. Helm 4 has strategies (`--wait=watcher|legacy|hookOnly`,
 * hookOnly when the flag is left out); Helm 3 has a bool. `false` and `hookOnly` give no
 * flag at all, so Helm's own default applies (the input never turns a wait on by surprise).
 */
export function waitFlags(wait: WaitMode, major: 3 | 4): string[] {
  if (wait === 'false' || wait === 'hookOnly') return [];
  if (major === 3) return ['--wait'];
  return [wait === 'legacy' ? '--wait=legacy' : '--wait=watcher'];
}

export interface UpgradeFlagOptions {
  major: 3 | 4;
  timeoutMs: number;
  historyMax: number;
  dryRun: boolean;
}

/** Every flag of `helm upgrade --install`, from the inputs, for one major. */
export function upgradeFlags(settings: UpgradeSettings, options: UpgradeFlagOptions): string[] {
  const { major } = options;
  const flags = ['--install'];
  if (settings.createNamespace) flags.push('--create-namespace');
  if (settings.chartVersion !== undefined) flags.push('--version', settings.chartVersion);
  if (settings.repo !== undefined) flags.push('--repo', settings.repo);
  // A chart registry on loopback (tests) speaks plain http; every other one https.
  if (settings.chart.startsWith('oci://') && isLoopbackRegistry(ociHost(settings.chart))) flags.push('--plain-http');
  for (const file of settings.valuesFiles) flags.push('--values', file);
  for (const assignment of settings.set) flags.push('--set', literalValue(assignment));
  for (const assignment of settings.setString) flags.push('--set-string', literalValue(assignment));
  flags.push(
    settings.valuesStrategy === 'reset'
      ? '--reset-values'
      : settings.valuesStrategy === 'reuse'
        ? '--reuse-values'
        : '--reset-then-reuse-values',
  );
  flags.push(...waitFlags(settings.wait, major));
  // Jobs are waited for only within a wait; alone the flag would promise what Helm won't do.
  if (settings.waitForJobs && waitFlags(settings.wait, major).length > 0) flags.push('--wait-for-jobs');
  flags.push('--timeout', helmDuration(options.timeoutMs));
  if (settings.rollbackOnFailure && !options.dryRun) flags.push(major === 4 ? '--rollback-on-failure' : '--atomic');
  if (settings.cleanupOnFail && !options.dryRun) flags.push('--cleanup-on-fail');
  flags.push('--history-max', String(options.historyMax));
  if (major === 4 && settings.serverSide !== 'auto') flags.push(`--server-side=${settings.serverSide}`);
  if (options.dryRun) flags.push('--dry-run=server');
  return flags;
}

export interface RollbackFlagOptions {
  major: 3 | 4;
  timeoutMs: number;
  historyMax: number;
  wait: WaitMode;
  dryRun: boolean;
}

export function rollbackFlags(options: RollbackFlagOptions): string[] {
  const flags = [...waitFlags(options.wait, options.major), '--timeout', helmDuration(options.timeoutMs)];
  flags.push('--cleanup-on-fail', '--history-max', String(options.historyMax));
  // Helm 3's rollback --dry-run is a bool; Helm 4's takes a mode.
  if (options.dryRun) flags.push(options.major === 4 ? '--dry-run=server' : '--dry-run');
  return flags;
}

/**
 * One `path=value` line as Helm's strvals parser reads exactly one key: a comma in the value
 * would start another assignment (`a=b,c.d=e` sets `c.d`), so it is escaped, and so is a
 * backslash, which would escape what follows it. The path before `=` was validated already.
 * The value keeps Helm's typing (`replicas=3` stays a number), which `--set-literal` loses.
 */
export function literalValue(assignment: string): string {
  const at = assignment.indexOf('=');
  return `${assignment.slice(0, at + 1)}${assignment.slice(at + 1).replace(/[\\,]/g, '\\$&')}`;
}
