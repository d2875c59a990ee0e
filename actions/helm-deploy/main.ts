import * as core from '@actions/core';
import { Inputs } from '../../packages/shared/inputs.js';
import { registerSecret, setOutputs } from '../../packages/shared/secrets.js';
import { writeSummary } from '../../packages/shared/summary.js';
import { removeTempDir } from '../../packages/shared/temp.js';
import { CHART_DIR_STATE, preparedChart } from './chart-source.js';
import { clusterHelm, KUBECONFIG_STATE } from './cluster.js';
import { DEFAULTS, readConfig } from './config.js';
import { type DeployOutcome, runRollback, runStatus, runUpgrade } from './deploy.js';
import { SignalRelay } from './signals.js';
import { renderSummary } from './summary.js';

/** The kubeconfig this action writes for an Entra-enabled cluster runs the bundle in this mode. */
export { printCredential } from './credential.js';

export async function main(): Promise<void> {
  const config = readConfig(new Inputs(core.getInput, registerSecret, DEFAULTS));
  const relay = new SignalRelay();
  relay.install();
  try {
    const cluster = await clusterHelm(config, relay);
    const { cli, upgrade } = await preparedChart(cluster.cli, config.upgrade);
    const outcome: DeployOutcome =
      config.action === 'upgrade' && upgrade
        ? await runUpgrade(cli, config, upgrade)
        : config.action === 'rollback'
          ? await runRollback(cli, config)
          : await runStatus(cli, config);
    const last = outcome.history.at(-1);
    setOutputs({
      revision: String(outcome.revision ?? ''),
      'previous-revision': String(outcome.previousRevision ?? ''),
      status: outcome.status,
      'rolled-back': String(outcome.rolledBack),
      recovered: outcome.recovered,
      chart: last?.chart ?? '',
      'app-version': last?.app_version ?? '',
      'helm-version': cluster.version,
      history: JSON.stringify(outcome.history),
      kubeconfig: cluster.kubeconfig,
    });
    await writeSummary(await renderSummary(config, cluster.version, outcome));
    if (outcome.failure) throw new Error(`${outcome.rolledBack ? 'rolled back: ' : ''}${outcome.failure}`);
  } finally {
    relay.uninstall();
  }
}

/** The post step: the fetched kubeconfig and the registry login (credentials both) go. */
export function post(): Promise<void> {
  for (const state of [KUBECONFIG_STATE, CHART_DIR_STATE]) removeTempDir(core.getState(state) || undefined);
  return Promise.resolve();
}
