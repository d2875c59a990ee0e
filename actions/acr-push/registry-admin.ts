import type { ContainerRegistryClient } from '@azure/container-registry';
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
  const { ContainerRegistryClient } = await import('@azure/container-registry');
  const credential = await federatedCredential({
    clientId: config.clientId ?? '',
    tenantId: config.tenantId ?? '',
    authorityHost: config.authorityHost,
  });
  return new ContainerRegistryClient(`https://${config.registry}`, credential, { audience: ACR_AUDIENCE });
}

/** The HTTP status of an SDK RestError, if it is one. */
export const restStatusOf = (error: unknown): number | undefined =>
  typeof error === 'object' && error !== null && typeof (error as { statusCode?: unknown }).statusCode === 'number'
    ? (error as { statusCode: number }).statusCode
    : undefined;
