import { readFileSync } from 'node:fs';
import { isGuid, isResourceGroup } from '../../packages/shared/azure-auth.js';
import { InputError } from '../../packages/shared/errors.js';
import { GATE_DEFAULTS, type GateSettings, readGateSettings } from '../../packages/shared/gate/settings.js';
import { isImageReference, isTag } from '../../packages/shared/image-ref.js';
import type { Inputs } from '../../packages/shared/inputs.js';
import { readAzureEndpoints } from '../../packages/shared/azure-cloud.js';
import { confinedPath } from '../../packages/shared/paths.js';

/** The defaults of slot-swap/action.yml; test/unit/action-metadata.test.ts keeps them equal. */
export const DEFAULTS = {
  slot: 'staging',
  'target-slot': 'production',
  action: 'deploy-and-swap',
  restart: 'true',
  'health-path': '/',
  'expect-status': GATE_DEFAULTS['expect-status'],
  'success-threshold': GATE_DEFAULTS['success-threshold'],
  'failure-threshold': GATE_DEFAULTS['failure-threshold'],
  interval: GATE_DEFAULTS.interval,
  'gate-timeout': GATE_DEFAULTS.timeout,
  'swap-with-preview': 'true',
  'post-swap-gate': 'true',
  'swap-back-on-failure': 'true',
  'preserve-vnet': 'true',
  'conflict-timeout': '5m',
  'operation-timeout': '15m',
  'azure-cloud': 'AzureCloud',
  'authority-host': '',
  'arm-endpoint': '',
  'dry-run': 'false',
} as const;

export const ACTIONS = ['deploy-and-swap', 'deploy', 'swap', 'swap-back', 'preview', 'complete', 'reset'] as const;
export type SlotAction = (typeof ACTIONS)[number];

/** A sitecontainer's image that stays what the target slot runs now (a service this release did not rebuild). */
export const KEEP_IMAGE = 'keep';

export interface SiteContainer {
  name: string;
  /** An image reference, or KEEP_IMAGE. */
  image: string;
  targetPort: string | undefined;
  isMain: boolean;
  authType: 'Anonymous' | 'UserCredentials' | 'SystemIdentity' | 'UserAssigned';
  identityClientId: string | undefined;
  /** App setting names the container reads, as ARM's environmentVariables: { name, value: <setting> }. */
  env: { name: string; value: string }[];
}

/** What a deploy puts on the slot: one image, sitecontainers, or a (legacy) compose file. */
export type Payload =
  | { kind: 'image'; image: string }
  | { kind: 'sitecontainers'; containers: SiteContainer[] }
  | { kind: 'compose'; compose: string };

export interface SlotSwapConfig {
  action: SlotAction;
  app: string;
  resourceGroup: string;
  subscriptionId: string;
  slot: string;
  targetSlot: string;
  payload: Payload | undefined;
  /**
   * swap-back and complete: what the slot must hold, by container (`main` for one image).
   * Undefined: what the site recorded at its last swap.
   */
  expectedImages: Record<string, string> | undefined;
  restart: boolean;
  slotUrl: URL | undefined;
  productionUrl: URL | undefined;
  registryIdentityClientId: string | undefined;
  healthPath: string;
  /** The gate's settings, with no URL yet (the slot's and production's are known from ARM). */
  gate: Omit<GateSettings, 'urls'>;
  swapWithPreview: boolean;
  postSwapGate: boolean;
  swapBackOnFailure: boolean;
  preserveVnet: boolean;
  conflictTimeoutMs: number;
  operationTimeoutMs: number;
  clientId: string;
  tenantId: string;
  authorityHost: string;
  armEndpoint: string;
  dryRun: boolean;
}

/** App Service names: sites and slots (letters, digits, hyphens), resource groups as ARM allows. */
const SITE = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,58}[a-zA-Z0-9])?$/;
const CONTAINER_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,255}$/;

/** Async only to load the YAML parser when sitecontainers are given (it costs startup). */
export async function readConfig(inputs: Inputs): Promise<SlotSwapConfig> {
  const action = inputs.choice('action', ACTIONS, 'deploy-and-swap');
  const app = siteName('app-name', inputs.required('app-name'));
  const resourceGroup = inputs.required('resource-group');
  if (!isResourceGroup(resourceGroup))
    throw new InputError('resource-group', `must be a resource group name; got "${resourceGroup}"`);
  const subscriptionId = inputs.required('subscription-id');
  if (!isGuid(subscriptionId)) throw new InputError('subscription-id', 'must be a subscription ID (a GUID)');
  const slot = siteName('slot', inputs.raw('slot'));
  if (slot === 'production')
    throw new InputError('slot', 'must be a deployment slot, not production: the release goes to a slot first');
  const targetSlot = siteName('target-slot', inputs.raw('target-slot'));
  if (slot === targetSlot) throw new InputError('target-slot', `must differ from slot ("${slot}")`);

  const payload = await readPayload(inputs, action);
  const expectedImages = readExpectedImages(inputs, action);
  const clientId = inputs.string('client-id');
  if (clientId === undefined || !isGuid(clientId))
    throw new InputError('client-id', 'must be the application (client) ID GUID for OIDC to ARM');
  const tenantId = inputs.string('tenant-id');
  if (tenantId === undefined || !isGuid(tenantId)) throw new InputError('tenant-id', 'must be the directory (tenant) ID GUID');
  const identity = inputs.string('registry-identity-client-id');
  if (identity !== undefined && !isGuid(identity))
    throw new InputError('registry-identity-client-id', 'must be a managed identity client ID (a GUID)');
  const healthPath = inputs.raw('health-path');
  if (!/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*$/.test(healthPath))
    throw new InputError('health-path', `must be a path starting with /; got "${healthPath}"`);

  return {
    action,
    app,
    resourceGroup,
    subscriptionId,
    slot,
    targetSlot,
    payload,
    restart: inputs.boolean('restart', true),
    slotUrl: inputs.url('slot-url'),
    productionUrl: inputs.url('production-url'),
    registryIdentityClientId: identity,
    healthPath,
    // The gate inputs slot-swap has; the others keep health-gate's defaults.
    gate: { ...readGateSettings(inputs, [], { names: { timeout: 'gate-timeout' } }), requestTimeoutMs: 10_000, concurrency: 50 },
    swapWithPreview: inputs.boolean('swap-with-preview', true),
    postSwapGate: inputs.boolean('post-swap-gate', true),
    swapBackOnFailure: inputs.boolean('swap-back-on-failure', true),
    preserveVnet: inputs.boolean('preserve-vnet', true),
    conflictTimeoutMs: inputs.duration('conflict-timeout', { minMs: 0, maxMs: 3_600_000 }) ?? 300_000,
    operationTimeoutMs: inputs.duration('operation-timeout', { minMs: 1000, maxMs: 6 * 3_600_000 }) ?? 900_000,
    clientId,
    tenantId,
    ...readAzureEndpoints(inputs),
    expectedImages,
    dryRun: inputs.boolean('dry-run', false),
  };
}

function siteName(input: string, value: string): string {
  if (!SITE.test(value)) throw new InputError(input, `must be an App Service name (letters, digits, '-'); got "${value}"`);
  return value;
}

async function readPayload(inputs: Inputs, action: SlotAction): Promise<Payload | undefined> {
  const image = inputs.string('image');
  const sitecontainers = inputs.text('sitecontainers');
  const composeFile = inputs.string('compose-file');
  const given = [image, sitecontainers, composeFile].filter((value) => value !== undefined).length;
  const deploys = action === 'deploy' || action === 'deploy-and-swap';
  // On swap and complete, a payload is the release the slot must run: checked, not deployed.
  const checks = action === 'swap' || action === 'complete';
  if (given > 1) throw new InputError('image', 'and sitecontainers and compose-file are different ways to deploy: give one');
  if (deploys && given === 0)
    throw new InputError('image', `is required for action ${action} (or sitecontainers, or compose-file)`);
  if (!deploys && !checks) return undefined;
  if (image !== undefined) {
    if (!isImageReference(image))
      throw new InputError('image', `must be an image reference such as myacr.azurecr.io/app:sha; got "${image}"`);
    return { kind: 'image', image };
  }
  if (sitecontainers === undefined && composeFile === undefined) return undefined;
  if (sitecontainers !== undefined) {
    const { parse } = await import('yaml');
    return { kind: 'sitecontainers', containers: parseSiteContainers(sitecontainers, parse, readRelease(inputs)) };
  }
  return { kind: 'compose', compose: readCompose(inputs, composeFile ?? '') };
}

/**
 * `expected-image`: one image reference (the main container's), or a JSON map of container
 * name to image, as the swap step's `previous-image` and `previous-images` print them.
 */
function readExpectedImages(inputs: Inputs, action: SlotAction): Record<string, string> | undefined {
  const text = inputs.string('expected-image');
  if (text === undefined) return undefined;
  if (action !== 'swap-back' && action !== 'complete') {
    throw new InputError('expected-image', `is for swap-back and complete, not ${action}`);
  }
  let map: unknown = { main: text };
  if (text.startsWith('{')) {
    try {
      map = JSON.parse(text);
    } catch {
      map = undefined;
    }
  }
  const entries = map && typeof map === 'object' ? Object.entries(map) : [];
  if (
    entries.length === 0 ||
    !entries.every(([name, image]) => CONTAINER_NAME.test(name) && typeof image === 'string' && isImageReference(image))
  ) {
    throw new InputError('expected-image', 'must be an image reference, or a JSON map of container name to image');
  }
  return Object.fromEntries(entries);
}

/** A release's new tag and the images (`registry/repository`) it rebuilt. */
export interface ReleaseImages {
  tag: string;
  rebuilt: ReadonlySet<string>;
}

function readRelease(inputs: Inputs): ReleaseImages | undefined {
  const tag = inputs.string('image-tag');
  const rebuilt = inputs.list('rebuilt-images');
  if (tag === undefined) {
    if (rebuilt.length > 0) throw new InputError('image-tag', 'is required with rebuilt-images');
    return undefined;
  }
  if (!isTag(tag)) throw new InputError('image-tag', `must be an image tag (letters, digits, _ . -); got "${tag}"`);
  for (const image of rebuilt) {
    if (!isImageReference(`${image}:${tag}`) || image.includes('@') || /:[^/]*$/.test(image)) {
      throw new InputError('rebuilt-images', `must be registry/repository lines without a tag; got "${image}"`);
    }
  }
  return { tag, rebuilt: new Set(rebuilt) };
}

/**
 * `image: <registry>/<repository>:{tag}`: the release's tag when it rebuilt that image, and
 * `keep` (what the target slot runs) when it did not.
 */
function releaseImage(image: string, release: ReleaseImages | undefined, name: string): string {
  if (!image.endsWith(':{tag}')) return image;
  if (release === undefined) throw new InputError('image-tag', `is required: ${name}'s image ends in :{tag}`);
  const repository = image.slice(0, -':{tag}'.length);
  return release.rebuilt.has(repository) ? `${repository}:${release.tag}` : KEEP_IMAGE;
}

/** The sitecontainers YAML list, checked item by item; exactly one is the main container. */
export function parseSiteContainers(
  text: string,
  parseYaml: (text: string) => unknown,
  release?: ReleaseImages,
): SiteContainer[] {
  const list = parseYamlList(text, parseYaml);
  const containers = list.map((item, index): SiteContainer => {
    const where = `item ${index + 1}`;
    const name = typeof item.name === 'string' ? item.name : '';
    if (!CONTAINER_NAME.test(name))
      throw new InputError('sitecontainers', `${where}: name must be lower-case letters, digits and '-'`);
    const image = releaseImage(typeof item.image === 'string' ? item.image : '', release, name);
    if (image !== KEEP_IMAGE && !isImageReference(image))
      throw new InputError('sitecontainers', `${name}: image must be an image reference, or keep (what the target slot runs)`);
    const port = item['target-port'];
    const targetPort = typeof port === 'number' || typeof port === 'string' ? String(port) : undefined;
    if (targetPort !== undefined && !/^[0-9]{1,5}$/.test(targetPort))
      throw new InputError('sitecontainers', `${name}: target-port must be a port number`);
    const authType = (item['auth-type'] ?? 'Anonymous') as SiteContainer['authType'];
    if (!['Anonymous', 'UserCredentials', 'SystemIdentity', 'UserAssigned'].includes(authType)) {
      throw new InputError(
        'sitecontainers',
        `${name}: auth-type must be Anonymous, UserCredentials, SystemIdentity or UserAssigned`,
      );
    }
    const identity = item['identity-client-id'];
    if (identity !== undefined && (typeof identity !== 'string' || !isGuid(identity))) {
      throw new InputError('sitecontainers', `${name}: identity-client-id must be a GUID`);
    }
    if (authType === 'UserAssigned' && identity === undefined)
      throw new InputError('sitecontainers', `${name}: auth-type UserAssigned needs identity-client-id`);
    const env = readEnv(name, item.env);
    return { name, image, targetPort, isMain: item['is-main'] === true, authType, identityClientId: identity, env };
  });
  if (containers.filter((container) => container.isMain).length !== 1) {
    throw new InputError('sitecontainers', 'must have exactly one container with is-main: true');
  }
  if (new Set(containers.map((container) => container.name)).size !== containers.length) {
    throw new InputError('sitecontainers', 'has two containers with the same name');
  }
  return containers;
}

/** `env` entries name app settings (`{ name: X, app-setting: Y }`, or `X: Y`), never values. */
function readEnv(container: string, value: unknown): SiteContainer['env'] {
  if (value === undefined) return [];
  const entries: [unknown, unknown][] = Array.isArray(value)
    ? value.map((entry: Record<string, unknown>) => [entry.name, entry['app-setting'] ?? entry.value])
    : typeof value === 'object' && value !== null
      ? Object.entries(value)
      : [];
  if (entries.length === 0 && value !== null)
    throw new InputError('sitecontainers', `${container}: env must be a map of variable: app-setting name`);
  return entries.map(([name, setting]) => {
    if (typeof name !== 'string' || !SETTING_NAME.test(name) || typeof setting !== 'string' || !SETTING_NAME.test(setting)) {
      throw new InputError('sitecontainers', `${container}: env entries name an app setting (NAME: SETTING_NAME), never a value`);
    }
    return { name, value: setting };
  });
}

/** The compose file with each `images` line (`service=image`) put in its service. */
function readCompose(inputs: Inputs, file: string): string {
  const path = confinedPath('compose-file', file, { mustExist: true });
  let text = readFileSync(path, 'utf8');
  for (const [service, image] of inputs.keyValues('images', { newlineOnly: true })) {
    if (!isImageReference(image)) throw new InputError('images', `must be lines of service=image; "${image}" is not an image`);
    const pattern = new RegExp(
      `(^  ${service.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\s*\\n(?:    .*\\n)*?    image:\\s*)\\S+`,
      'm',
    );
    if (!pattern.test(text)) throw new InputError('images', `names service ${service}, which has no image line in ${file}`);
    text = text.replace(pattern, `$1${image}`);
  }
  return text;
}

/** A YAML list of maps. */
function parseYamlList(text: string, parseYaml: (text: string) => unknown): Record<string, unknown>[] {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new InputError('sitecontainers', `is not YAML: ${(error as Error).message.split('\n')[0] ?? ''}`);
  }
  if (!Array.isArray(parsed) || parsed.some((item) => typeof item !== 'object' || item === null)) {
    throw new InputError('sitecontainers', 'must be a YAML list of containers (name, image, target-port, is-main, ...)');
  }
  return parsed as Record<string, unknown>[];
}
