import { readFileSync } from 'node:fs';
import { InputError } from './errors.js';
import { type Inputs, isSecureOrLoopback } from './inputs.js';

/** The clouds azure/login's `environment` input names, and Azure Stack Hub. */
export const AZURE_CLOUDS = ['AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud', 'AzureStack'] as const;
export type AzureCloud = (typeof AZURE_CLOUDS)[number];

export interface AzureEndpoints {
  /** Entra ID's sign-in origin. */
  authorityHost: string;
  /** Azure Resource Manager's origin; its `/.default` scope is the ARM token's audience. */
  armEndpoint: string;
}

/** The public sovereign clouds' endpoints, as the Azure SDKs' cloud tables give them. */
const KNOWN: Record<Exclude<AzureCloud, 'AzureStack'>, AzureEndpoints> = {
  AzureCloud: { authorityHost: 'https://login.microsoftonline.com', armEndpoint: 'https://management.azure.com' },
  AzureUSGovernment: { authorityHost: 'https://login.microsoftonline.us', armEndpoint: 'https://management.usgovcloudapi.net' },
  AzureChinaCloud: { authorityHost: 'https://login.chinacloudapi.cn', armEndpoint: 'https://management.chinacloudapi.cn' },
};

/** The variable that names an Azure Stack environment file, as the Go SDK and Terraform read it. */
export const ENVIRONMENT_FILE_VARIABLE = 'AZURE_ENVIRONMENT_FILEPATH';

/** The origin of an https URL (plain http on loopback only) with no credentials in it. */
function secureOrigin(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const url = new URL(text);
    return isSecureOrLoopback(url) && !url.username && !url.password ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Azure Stack Hub's endpoints, from the JSON file `AZURE_ENVIRONMENT_FILEPATH` names (the
 * shape the Go SDK's `EnvironmentFromFile` reads: `activeDirectoryEndpoint`,
 * `resourceManagerEndpoint`). It is the runner's own setting, so a self-hosted runner next
 * to a private cloud sets it once for every workflow.
 */
function stackEndpoints(env: NodeJS.ProcessEnv): AzureEndpoints {
  const rule = `AzureStack reads its endpoints from the JSON file that ${ENVIRONMENT_FILE_VARIABLE} names (activeDirectoryEndpoint and resourceManagerEndpoint, https)`;
  const path = env[ENVIRONMENT_FILE_VARIABLE];
  if (!path) throw new InputError('azure-cloud', `${rule}; it is not set`);
  let parsed: { activeDirectoryEndpoint?: unknown; resourceManagerEndpoint?: unknown };
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as typeof parsed;
  } catch {
    throw new InputError('azure-cloud', `${rule}; it cannot be read as JSON`);
  }
  const authorityHost = secureOrigin(parsed.activeDirectoryEndpoint);
  const armEndpoint = secureOrigin(parsed.resourceManagerEndpoint);
  if (!authorityHost || !armEndpoint) throw new InputError('azure-cloud', `${rule}; one of them is missing or not https`);
  return { authorityHost, armEndpoint };
}

/**
 * The endpoints an action signs in and calls ARM at: `azure-cloud`'s, each replaced by
 * `authority-host` or `arm-endpoint` when that input is given.
 */
export function readAzureEndpoints(inputs: Inputs, options: { arm?: boolean } = {}, env = process.env): AzureEndpoints {
  const cloud = inputs.choice('azure-cloud', AZURE_CLOUDS, 'AzureCloud');
  const base = cloud === 'AzureStack' ? stackEndpoints(env) : KNOWN[cloud];
  const authorityHost = inputs.string('authority-host') === undefined ? base.authorityHost : inputs.httpsOrigin('authority-host');
  const armEndpoint =
    options.arm === false || inputs.string('arm-endpoint') === undefined ? base.armEndpoint : inputs.httpsOrigin('arm-endpoint');
  return { authorityHost, armEndpoint };
}
