import * as core from '@actions/core';
import { makeTempDir } from '../../packages/shared/temp.js';
import { fetchAksKubeconfig } from './aks.js';
import type { ClusterAccess } from './config.js';

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
