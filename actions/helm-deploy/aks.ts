import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as core from '@actions/core';
import { entraTokenFromGitHubOidc } from '../../packages/shared/azure-auth.js';
import { describeBody, httpRequestWithRetry, parseJsonBody } from '../../packages/shared/http.js';
import { registerSecret } from '../../packages/shared/secrets.js';
import type { AksTarget } from './config.js';
import { CREDENTIAL_ENV, type CredentialSettings } from './credential.js';

/** The Entra application of the AKS API server: the audience of a user's cluster token. */
export const AKS_SERVER_APP = '6dae42f8-4368-4678-94ff-3960e28e3630';
/** ARM's managedClusters API version for the credential calls. */
export const AKS_API_VERSION = '2025-10-01';

interface KubeconfigUser {
  name?: string;
  user?: Record<string, unknown> & { exec?: { command?: string; args?: string[] } };
}

/** The ARM path of the cluster's credential list (user, or admin). */
export function credentialPath(aks: AksTarget): string {
  const operation = aks.admin ? 'listClusterAdminCredential' : 'listClusterUserCredential';
  const query = new URLSearchParams({ 'api-version': AKS_API_VERSION });
  // Only user credentials of Entra-enabled clusters have formats; exec is the current one.
  if (!aks.admin) query.set('format', 'exec');
  return (
    `/subscriptions/${encodeURIComponent(aks.subscriptionId)}/resourceGroups/${encodeURIComponent(aks.resourceGroup)}` +
    `/providers/Microsoft.ContainerService/managedClusters/${encodeURIComponent(aks.clusterName)}/${operation}?${query.toString()}`
  );
}

/**
 * The cluster's kubeconfig through ARM, with no az and no kubelogin: the runner's ID token
 * becomes an Entra token for ARM, ARM's list-credential call returns the kubeconfig. For an
 * Entra-enabled cluster, its kubelogin user is replaced by this bundle in credential mode,
 * which mints a fresh cluster token on every call. The file is 0600 in `dir` (RUNNER_TEMP).
 */
export async function fetchAksKubeconfig(aks: AksTarget, dir: string): Promise<{ path: string; entra: boolean }> {
  const armToken = await entraTokenFromGitHubOidc(aks, `${aks.armEndpoint}/.default`);
  const url = `${aks.armEndpoint}${credentialPath(aks)}`;
  const response = await httpRequestWithRetry({
    url,
    method: 'POST',
    headers: { authorization: `Bearer ${armToken}`, 'content-length': '0' },
    timeoutMs: 60_000,
  });
  if (response.status !== 200) {
    throw new Error(
      `ARM ${aks.admin ? 'listClusterAdminCredential' : 'listClusterUserCredential'} for ${aks.clusterName} answered HTTP ${response.status}: ${describeBody(response)}`,
    );
  }
  const body = parseJsonBody(response, 'the credential list') as { kubeconfigs?: { name?: string; value?: string }[] };
  const encoded = body.kubeconfigs?.[0]?.value;
  if (!encoded) throw new Error(`ARM returned no kubeconfig for ${aks.clusterName}`);
  const text = Buffer.from(encoded, 'base64').toString('utf8');
  const { parseDocument } = await import('yaml');
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`the kubeconfig ARM returned for ${aks.clusterName} is not YAML`);
  const users = (doc.toJS() as { users?: KubeconfigUser[] }).users ?? [];
  let entra = false;
  for (const [index, entry] of users.entries()) {
    for (const field of ['token', 'client-key-data', 'client-certificate-data', 'password']) {
      const value = entry.user?.[field];
      if (typeof value === 'string') registerSecret(value);
    }
    const exec = entry.user?.exec;
    if (exec) {
      entra = true;
      const args = exec.args ?? [];
      const serverAt = args.indexOf('--server-id');
      const serverId = serverAt >= 0 ? (args[serverAt + 1] ?? AKS_SERVER_APP) : AKS_SERVER_APP;
      doc.setIn(['users', index, 'user'], { exec: credentialExec(aks, serverId) });
    }
  }
  const path = join(dir, 'kubeconfig');
  writeFileSync(path, doc.toString(), { mode: 0o600 });
  core.info(
    `Wrote the kubeconfig of ${aks.clusterName}${entra ? ' (Entra ID: cluster tokens from this action, fresh per call)' : ''}`,
  );
  return { path, entra };
}

/** The kubeconfig exec entry that runs this bundle in credential mode. */
function credentialExec(aks: AksTarget, serverId: string): Record<string, unknown> {
  const settings: CredentialSettings = {
    clientId: aks.clientId,
    tenantId: aks.tenantId,
    authorityHost: aks.authorityHost,
    scope: `${serverId}/.default`,
  };
  return {
    apiVersion: 'client.authentication.k8s.io/v1beta1',
    command: process.execPath,
    args: [resolve(process.argv[1] ?? ''), 'credential'],
    // Nothing secret here: the runner's ID-token request token reaches the plugin through
    // the environment helm inherits, never through this file.
    env: [{ name: CREDENTIAL_ENV, value: JSON.stringify(settings) }],
    interactiveMode: 'Never',
    provideClusterInfo: false,
  };
}
