import type { ContainerRegistryClient, ContainerRegistryContentClient } from '@azure/container-registry';
import { federatedCredential } from '../../packages/shared/azure-auth.js';
import type { AcrPushConfig } from './config.js';

/** ACR's token audience: the SDK asks Entra for `<audience>/.default`, the scope the push uses too. */
export const ACR_AUDIENCE = 'https://containerregistry.azure.net';

/**
 * ACR's own API (`/acr/v1`: tag and manifest properties, locks, deletes) through the official
 * client, signed in with the same GitHub OIDC federation as the push. The SDK is loaded here,
 * on the lock and cleanup paths only, so a build or promote never pays for it. It speaks only
 * https, loopback included, retries 408/429/5xx itself honouring Retry-After, and sends its
 * tokens only to the registry's own endpoint.
 */
export async function registryAdmin(config: AcrPushConfig): Promise<ContainerRegistryClient> {
  return (await registryClients(config)).admin;
}

/**
 * The admin client and, for reading manifests themselves (a referrer's `subject`), a content
 * client per repository, sharing one credential.
 */
export async function registryClients(
  config: AcrPushConfig,
): Promise<{ admin: ContainerRegistryClient; content: (repository: string) => ContainerRegistryContentClient }> {
  const { ContainerRegistryClient, ContainerRegistryContentClient } = await import('@azure/container-registry');
  const credential = await federatedCredential({
    clientId: config.clientId ?? '',
    tenantId: config.tenantId ?? '',
    authorityHost: config.authorityHost,
  });
  const endpoint = `https://${config.registry}`;
  return {
    admin: new ContainerRegistryClient(endpoint, credential, { audience: ACR_AUDIENCE }),
    content: (repository) => new ContainerRegistryContentClient(endpoint, repository, credential, { audience: ACR_AUDIENCE }),
  };
}

/** The HTTP status of an SDK RestError, if it is one. */
export const restStatusOf = (error: unknown): number | undefined =>
  typeof error === 'object' && error !== null && typeof (error as { statusCode?: unknown }).statusCode === 'number'
    ? (error as { statusCode: number }).statusCode
    : undefined;
