import * as core from '@actions/core';
import { makeTempDir } from '../../packages/shared/temp.js';
import { fetchAksKubeconfig } from './aks.js';
import type { ClusterAccess, HelmDeployConfig } from './config.js';
import { HelmCli } from './helm-cli.js';
import { helmFor } from './helm-version.js';
import { clusterTokenFor, readManagedCluster, RunCommandHelm } from './run-command.js';
import type { SignalRelay } from './signals.js';

/** Where the post step finds the folder of a kubeconfig this action wrote. */
export const KUBECONFIG_STATE = 'kubeconfig-dir';

/**
 * The kubeconfig helm uses: the one given, $KUBECONFIG, or one fetched from AKS into a 0700
 * folder under RUNNER_TEMP that the post step removes (later steps of the job may use it,
 * as they would azure/aks-set-context's).
 */
export async function clusterKubeconfig(access: ClusterAccess): Promise<string> {
  if (access.kind === 'kubeconfig') {
    core.info(`Using the kubeconfig ${access.from === 'input' ? 'given' : 'in $KUBECONFIG'}: ${access.path}`);
    return access.path;
  }
  const dir = makeTempDir('helm-deploy');
  core.saveState(KUBECONFIG_STATE, dir);
  return (await fetchAksKubeconfig(access.aks, dir)).path;
}

/**
 * The helm to run, and how it reaches the cluster: for an AKS cluster whose API server is
 * private (`private-cluster: true`, or `auto` and ARM says so), helm runs inside the cluster
 * through ARM's run command, and the pod's own helm decides the major; otherwise the Helm
 * the inputs ask for, installed here, with the kubeconfig.
 */
export async function clusterHelm(
  config: HelmDeployConfig,
  relay: SignalRelay,
): Promise<{ cli: HelmCli; kubeconfig: string; version: string }> {
  const { access } = config;
  if (access.kind === 'aks' && config.privateCluster !== 'false') {
    const cluster = await core.group('Cluster', () => readManagedCluster(access.aks));
    if (cluster.private || config.privateCluster === 'true') {
      const token = cluster.entra ? clusterTokenFor(access.aks) : undefined;
      const probe = new RunCommandHelm(access.aks, config.timeoutMs, token, 4, relay, config.namespace);
      const version = (await probe.checked(['version'], ['--template', '{{.Version}}'], [])).stdout.trim();
      const major = version.startsWith('v3.') ? 3 : 4;
      core.info(`${access.aks.clusterName}'s API server is private: helm ${version} runs inside it through ARM's run command`);
      return {
        cli: new RunCommandHelm(access.aks, config.timeoutMs, token, major, relay, config.namespace),
        kubeconfig: '',
        version,
      };
    }
  }
  const helm = await helmFor(config);
  const kubeconfig = await core.group('Cluster', () => clusterKubeconfig(access));
  const cli = new HelmCli(helm.path, helm.major, { ...process.env, KUBECONFIG: kubeconfig }, relay, config.namespace);
  return { cli, kubeconfig, version: helm.version };
}
