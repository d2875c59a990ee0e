import { InputError } from '../../packages/shared/errors.js';
import { isImageReference, isRegistryHost } from '../../packages/shared/image-ref.js';
import { type Inputs, isSecureOrLoopback } from '../../packages/shared/inputs.js';
import { confinedPath } from '../../packages/shared/paths.js';

/** The defaults of watchtower-config/action.yml; test/unit/action-metadata.test.ts keeps them equal. */
export const DEFAULTS = {
  mode: 'generate',
  image: 'nickfedor/watchtower:1.22.0',
  'output-dir': '.deploy/watchtower',
  cleanup: 'true',
  'rolling-restart': 'false',
  'label-enable': 'true',
  'http-api-port': '8080',
  'trigger-timeout': '10m',
  'ssh-port': '22',
  'remote-dir': 'deploy',
  'compose-file': 'docker-compose.yml',
  'dry-run': 'false',
} as const;

export interface GenerateConfig {
  image: string;
  outputDir: string;
  pollIntervalSeconds: number | undefined;
  schedule: string | undefined;
  scope: string | undefined;
  cleanup: boolean;
  rollingRestart: boolean;
  labelEnable: boolean;
  notificationUrl: string | undefined;
  httpApiToken: string | undefined;
  httpApiPort: number;
  services: string[];
  registry: RegistryLogin | undefined;
}

export interface TriggerConfig {
  url: URL;
  token: string;
  images: string[];
  timeoutMs: number;
}

export interface ApplyConfig {
  host: string;
  user: string;
  port: number;
  key: string;
  knownHosts: string;
  remoteDir: string;
  composeFile: string;
  outputDir: string;
  services: string[];
  registry: RegistryLogin | undefined;
}

export interface RegistryLogin {
  host: string;
  username: string;
  password: string;
}

export type WatchtowerConfig =
  | { mode: 'generate'; dryRun: boolean; generate: GenerateConfig }
  | { mode: 'trigger'; dryRun: boolean; trigger: TriggerConfig }
  | { mode: 'apply'; dryRun: boolean; apply: ApplyConfig };

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const CRON_FIELD = /^[0-9A-Za-z*/?,-]+$/;
/** A DNS name (labels start and end with a letter or digit), an IPv4 address, or [IPv6]: never `-v`. */
const HOST =
  /^(?=.{1,253}$)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$|^\[[0-9a-fA-F:]+\]$/;

export function readConfig(inputs: Inputs): WatchtowerConfig {
  // Secrets first: masked before any later error could echo them.
  const httpApiToken = inputs.secret('http-api-token');
  const notificationUrl = inputs.secret('notification-url');
  const registryPassword = inputs.secret('registry-password');
  const sshKey = inputs.secret('ssh-key', { multiline: true });
  const mode = inputs.choice('mode', ['generate', 'trigger', 'apply'], 'generate');
  const dryRun = inputs.boolean('dry-run', false);
  const services = inputs.list('services');
  for (const service of services)
    if (!NAME.test(service)) throw new InputError('services', `must be compose service names; got "${service}"`);

  if (mode === 'trigger') {
    const url = inputs.url('trigger-url');
    if (url === undefined)
      throw new InputError(
        'trigger-url',
        'is required for mode trigger: the Watchtower HTTP API, e.g. https://vm.example.com:8080/v1/update',
      );
    if (!isSecureOrLoopback(url)) {
      throw new InputError('trigger-url', 'must be an https:// URL (http only on 127.0.0.1): the API token is sent to it');
    }
    if (httpApiToken === undefined) throw new InputError('http-api-token', 'is required for mode trigger');
    if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1/update';
    const images = inputs.list('trigger-images');
    for (const image of images)
      if (!/^[a-z0-9][a-z0-9._:/@-]*$/.test(image)) throw new InputError('trigger-images', `must be image names; got "${image}"`);
    const timeoutMs = inputs.duration('trigger-timeout', { minMs: 1000, maxMs: 6 * 3_600_000 }) ?? 600_000;
    return { mode, dryRun, trigger: { url, token: httpApiToken, images, timeoutMs } };
  }

  // Where secrets are written (generate) or read from (apply): inside the workspace or RUNNER_TEMP.
  const outputDir = confinedPath('output-dir', inputs.raw('output-dir'));
  const registry = readRegistryLogin(inputs, registryPassword);
  if (mode === 'apply') {
    const host = inputs.required('ssh-host');
    if (!HOST.test(host)) throw new InputError('ssh-host', `must be a host name or IP address; got "${host}"`);
    const user = inputs.required('ssh-user');
    if (!/^[a-z_][a-z0-9_.-]{0,31}$/i.test(user)) throw new InputError('ssh-user', `must be a user name; got "${user}"`);
    if (sshKey === undefined) throw new InputError('ssh-key', 'is required for mode apply: a private key');
    const knownHosts = inputs.text('known-hosts');
    if (knownHosts === undefined) {
      throw new InputError(
        'known-hosts',
        'is required for mode apply: the host key lines (ssh-keyscan output checked once), never trust a host blindly',
      );
    }
    const remoteDir = inputs.raw('remote-dir');
    if (remoteDir.split('/').includes('..')) throw new InputError('remote-dir', 'must not contain ..');
    return {
      mode,
      dryRun,
      apply: {
        host,
        user,
        port: inputs.integer('ssh-port', { min: 1, max: 65_535 }) ?? 22,
        key: sshKey,
        knownHosts,
        remoteDir,
        // Copied to the VM: never a file from elsewhere on the runner.
        composeFile: confinedPath('compose-file', inputs.raw('compose-file'), { mustExist: true }),
        outputDir,
        services,
        registry,
      },
    };
  }

  const pollInterval = inputs.duration('poll-interval', { minMs: 1000 });
  const schedule = inputs.string('schedule');
  if (pollInterval !== undefined && schedule !== undefined)
    throw new InputError('schedule', 'cannot be used together with poll-interval: choose one');
  if (schedule !== undefined) {
    const fields = schedule.split(/\s+/);
    if (fields.length !== 6 || !fields.every((item) => CRON_FIELD.test(item))) {
      throw new InputError(
        'schedule',
        `must be a 6-field cron expression with seconds first, e.g. "0 */5 * * * *"; got "${schedule}"`,
      );
    }
  }
  const scope = inputs.string('scope');
  if (scope !== undefined && !NAME.test(scope))
    throw new InputError('scope', `must be letters, digits and _ . -; got "${scope}"`);
  return {
    mode: 'generate',
    dryRun,
    generate: {
      image: imageReference(inputs.raw('image')),
      outputDir,
      pollIntervalSeconds: schedule === undefined ? Math.round((pollInterval ?? 300_000) / 1000) : undefined,
      schedule,
      scope,
      cleanup: inputs.boolean('cleanup', true),
      rollingRestart: inputs.boolean('rolling-restart', false),
      labelEnable: inputs.boolean('label-enable', true),
      notificationUrl,
      httpApiToken,
      httpApiPort: inputs.integer('http-api-port', { min: 1, max: 65_535 }) ?? 8080,
      services,
      registry,
    },
  };
}

function imageReference(image: string): string {
  if (!isImageReference(image)) {
    throw new InputError('image', `must be an image reference such as nickfedor/watchtower:1.22.0; got "${image}"`);
  }
  return image;
}

function readRegistryLogin(inputs: Inputs, password: string | undefined): RegistryLogin | undefined {
  const host = inputs.string('registry');
  const username = inputs.string('registry-username');
  if (host !== undefined && !isRegistryHost(host)) throw new InputError('registry', `must be a registry host; got "${host}"`);
  if ((username === undefined) !== (password === undefined) || (username !== undefined && host === undefined)) {
    throw new InputError('registry-username', 'goes with registry and registry-password: give all three or none');
  }
  return host !== undefined && username !== undefined && password !== undefined ? { host, username, password } : undefined;
}
