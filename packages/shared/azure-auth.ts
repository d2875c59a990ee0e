import * as core from '@actions/core';
import type { ClientAssertionCredential } from '@azure/identity';
import { describeBody, httpRequestWithRetry, parseJsonBody } from './http.js';
import { registryBaseUrl } from './image-ref.js';
import { registerSecret } from './secrets.js';

export const ACR_SCOPE = 'https://containerregistry.azure.net/.default';
export const ID_TOKEN_AUDIENCE = 'api://AzureADTokenExchange';
export const ACR_TOKEN_USER = '00000000-0000-0000-0000-000000000000';

/** ARM's pattern for a resource group name (at most 90 characters, not ending in a period). */
export const isResourceGroup = (text: string): boolean => /^[-\w.()]{1,89}[-\w()]$|^[-\w()]$/.test(text);

/** Entra's IDs (tenant, client, subscription) are GUIDs. */
export const isGuid = (text: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);

/** What an Azure SDK client takes as its credential (core-auth's TokenCredential). */
export type TokenCredential = Pick<ClientAssertionCredential, 'getToken'>;

export interface FederatedIdentity {
  clientId: string;
  tenantId: string;
  authorityHost: string;
}

/**
 * An Entra access token for `scope`, by workload identity federation: the runner's OIDC
 * token is the client assertion. The assertion callback asks the runner for a fresh ID
 * token every time Entra needs one, since a long job outlives a single token.
 * @azure/identity is loaded here, on this path only: it costs far more to load than the rest.
 */
export async function entraTokenFromGitHubOidc(identity: FederatedIdentity, scope: string): Promise<string> {
  const token = await (await federatedCredential(identity)).getToken(scope);
  if (!token) throw new Error(`Entra returned no access token for ${scope}`);
  return token.token;
}

/**
 * The same sign-in as a TokenCredential, for an Azure SDK client that asks for tokens itself
 * (@azure/container-registry). Every token it hands out is masked first.
 */
export async function federatedCredential(identity: FederatedIdentity): Promise<TokenCredential> {
  const { ClientAssertionCredential } = await import('@azure/identity');
  const credential = new ClientAssertionCredential(
    identity.tenantId,
    identity.clientId,
    async () => {
      const idToken = await core.getIDToken(ID_TOKEN_AUDIENCE);
      registerSecret(idToken);
      return idToken;
    },
    { authorityHost: identity.authorityHost, disableInstanceDiscovery: true },
  );
  return {
    getToken: async (scopes, options) => {
      const token = await credential.getToken(scopes, options);
      if (token) registerSecret(token.token);
      return token;
    },
  };
}

/** ACR's `/oauth2/exchange`: an Entra access token for an ACR refresh token. */
export async function exchangeForAcrRefreshToken(registry: string, tenantId: string, entraToken: string): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'access_token', service: registry, tenant: tenantId, access_token: entraToken });
  const response = await httpRequestWithRetry({
    url: `${registryBaseUrl(registry)}/oauth2/exchange`,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    timeoutMs: 60_000,
  });
  if (response.status !== 200) {
    throw new Error(`${registry}/oauth2/exchange answered HTTP ${response.status} with ${describeBody(response)}`);
  }
  const refreshToken = (parseJsonBody(response, `${registry}/oauth2/exchange`) as { refresh_token?: string }).refresh_token;
  if (!refreshToken) throw new Error(`${registry}/oauth2/exchange returned no refresh_token`);
  registerSecret(refreshToken);
  return refreshToken;
}
