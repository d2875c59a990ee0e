import { writeSync } from 'node:fs';
import { ID_TOKEN_AUDIENCE } from '../../packages/shared/azure-auth.js';

/** The environment variable that carries the credential mode's settings. */
export const CREDENTIAL_ENV = 'DEPLOY_ACTIONS_AKS_CREDENTIAL';

export interface CredentialSettings {
  clientId: string;
  tenantId: string;
  authorityHost: string;
  scope: string;
}

/**
 * Credential mode: what the kubeconfig's exec entry runs, on every call of helm's client.
 * It prints one `ExecCredential` with a fresh Entra token for the cluster, minted from a
 * fresh runner ID token, so a long `--wait` never outlives its token. stdout must hold that
 * JSON alone: @actions/core's mask commands (printed on stdout) are dropped here, since the
 * token goes only to helm, in memory.
 */
export async function printCredential(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = () => true;
  try {
    const settings = JSON.parse(env[CREDENTIAL_ENV] ?? 'null') as CredentialSettings | null;
    if (!settings?.clientId || !settings.tenantId || !settings.authorityHost || !settings.scope) {
      throw new Error(`${CREDENTIAL_ENV} is not set: credential mode runs only from the kubeconfig helm-deploy writes`);
    }
    const { ClientAssertionCredential } = await import('@azure/identity');
    const core = await import('@actions/core');
    const credential = new ClientAssertionCredential(
      settings.tenantId,
      settings.clientId,
      () => core.getIDToken(ID_TOKEN_AUDIENCE),
      { authorityHost: settings.authorityHost, disableInstanceDiscovery: true },
    );
    const token = await credential.getToken(settings.scope);
    const json = JSON.stringify({
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      kind: 'ExecCredential',
      status: { token: token.token, expirationTimestamp: new Date(token.expiresOnTimestamp).toISOString() },
    });
    process.stdout.write = write;
    writeSync(1, `${json}\n`);
  } catch (error) {
    process.stdout.write = write;
    process.stderr.write(`deploy-actions helm-deploy credential: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
