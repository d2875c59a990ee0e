import * as core from '@actions/core';
import {
  ACR_SCOPE,
  ACR_TOKEN_USER,
  entraTokenFromGitHubOidc,
  exchangeForAcrRefreshToken,
} from '../../packages/shared/azure-auth.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  credentialFromDockerConfig,
  dockerConfigDir,
  type RegistryCredential,
} from '../../packages/shared/docker-credentials.js';
import { Docker } from '../../packages/shared/docker.js';
import { makeTempDir } from '../../packages/shared/temp.js';
import type { AcrPushConfig } from './config.js';

export const DOCKER_CONFIG_STATE = 'docker-config';

/** The credential for the registry API and for docker, by the chosen auth mode. */
export async function registryCredential(config: AcrPushConfig): Promise<RegistryCredential> {
  if (config.auth === 'oidc') {
    const identity = { clientId: config.clientId ?? '', tenantId: config.tenantId ?? '', authorityHost: config.authorityHost };
    const entraToken = await entraTokenFromGitHubOidc(identity, ACR_SCOPE);
    return { kind: 'identity-token', token: await exchangeForAcrRefreshToken(config.registry, identity.tenantId, entraToken) };
  }
  if (config.auth === 'password') return { kind: 'basic', username: config.username ?? '', password: config.password ?? '' };
  return credentialFromDockerConfig(config.registry);
}

/**
 * A docker CLI logged in to the registry through its own config folder under RUNNER_TEMP,
 * so the job's other steps and the runner's own login are untouched; the post step deletes it.
 * With auth: none, the runner's existing docker login is used as it is.
 */
export async function loggedInDocker(config: AcrPushConfig, credential: RegistryCredential): Promise<Docker> {
  if (config.auth === 'none') return new Docker();
  const dir = makeTempDir('docker');
  core.saveState(DOCKER_CONFIG_STATE, dir);
  // The runner's buildx stays what it was: its CLI plugin (docker/setup-buildx-action puts it
  // in the runner's own cli-plugins folder) and its builders, the current one included.
  const runnerConfig = dockerConfigDir();
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ cliPluginsExtraDirs: [join(runnerConfig, 'cli-plugins')] }), {
    mode: 0o600,
  });
  const docker = new Docker({
    ...process.env,
    DOCKER_CONFIG: dir,
    BUILDX_CONFIG: process.env.BUILDX_CONFIG ?? join(runnerConfig, 'buildx'),
  });
  if (credential.kind === 'identity-token') await docker.login(config.registry, ACR_TOKEN_USER, credential.token);
  else if (credential.kind === 'basic') await docker.login(config.registry, credential.username, credential.password);
  core.info(`Logged in to ${config.registry} (auth: ${config.auth}) with a docker config of this step's own`);
  return docker;
}
