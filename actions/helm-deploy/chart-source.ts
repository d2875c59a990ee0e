import * as core from '@actions/core';
import { chmodSync, cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  ACR_SCOPE,
  ACR_TOKEN_USER,
  entraTokenFromGitHubOidc,
  exchangeForAcrRefreshToken,
} from '../../packages/shared/azure-auth.js';
import { isLoopbackRegistry } from '../../packages/shared/image-ref.js';
import { makeTempDir } from '../../packages/shared/temp.js';
import { echoToolLine } from '../../packages/shared/tool-output.js';
import type { UpgradeSettings } from './config.js';
import { ociDependencyHosts } from './registry-access.js';
import type { HelmCli } from './helm-cli.js';

/** Where the post step finds the folder of the registry login and the chart copy. */
export const CHART_DIR_STATE = 'chart-dir';

/** `--plain-http` for a registry on loopback (tests); every other registry is spoken to over https. */
export const plainHttpFlags = (hosts: readonly string[]): string[] =>
  hosts.some((host) => isLoopbackRegistry(host)) ? ['--plain-http'] : [];

/**
 * Helm logged in to each chart registry the settings name, with an ACR refresh token minted
 * from the workflow's own GitHub OIDC federation (Entra token for ACR, traded at the
 * registry's `/oauth2/exchange`), one per registry. The login goes into a registry config
 * file of this step's own (0600, in a 0700 folder under RUNNER_TEMP that the post step
 * removes), so the runner's own Helm login and later steps are untouched; the token reaches
 * helm on stdin only.
 */
export async function loggedInHelm(helm: HelmCli, settings: UpgradeSettings, dir: string): Promise<HelmCli> {
  const identity = settings.registryIdentity;
  if (settings.registryLogins.length === 0 || identity === undefined) return helm;
  const config = join(dir, 'registry.json');
  const withConfig = helm.withEnv({ HELM_REGISTRY_CONFIG: config });
  for (const host of settings.registryLogins) {
    const entraToken = await entraTokenFromGitHubOidc(identity, ACR_SCOPE);
    const refreshToken = await exchangeForAcrRefreshToken(host, identity.tenantId, entraToken);
    await withConfig.checked(
      ['registry', 'login'],
      ['--username', ACR_TOKEN_USER, '--password-stdin', ...plainHttpFlags([host])],
      [host],
      refreshToken,
    );
    chmodSync(config, 0o600);
    core.info(`Logged Helm in to ${host} with an ACR token from OIDC (a registry config of this step's own)`);
  }
  return withConfig;
}

/**
 * dependency-build: the chart folder copied under RUNNER_TEMP (the workspace is left as it
 * is), then `helm dependency build` there, from Chart.lock. Helm itself refuses a lock that
 * no longer matches Chart.yaml; its error line is the step's.
 */
export async function builtChart(helm: HelmCli, settings: UpgradeSettings, dir: string): Promise<string> {
  if (!settings.dependencyBuild) return settings.chart;
  const copy = join(dir, 'chart');
  // The chart folder was confined to the workspace; links inside it are copied as links,
  // never followed out of it.
  cpSync(settings.chart, copy, { recursive: true, dereference: false, verbatimSymlinks: true });
  if (!existsSync(join(copy, 'Chart.lock'))) {
    throw new Error(`dependency-build: ${settings.chart} has no Chart.lock; run helm dependency update and commit the lock`);
  }
  const result = await helm.checked(['dependency', 'build'], plainHttpFlags(ociDependencyHosts(copy)), [copy]);
  for (const line of result.stderr.split('\n')) if (line.trim()) echoToolLine(line);
  core.info(`Built the dependencies of ${settings.chart} from its Chart.lock`);
  return copy;
}

/**
 * The helm to deploy with and the chart to deploy: logged in to the chart registries and
 * with the dependencies built, when the settings ask, in one folder of the step's own.
 */
export async function preparedChart(
  helm: HelmCli,
  settings: UpgradeSettings | undefined,
): Promise<{ cli: HelmCli; upgrade: UpgradeSettings | undefined }> {
  if (settings === undefined || (settings.registryLogins.length === 0 && !settings.dependencyBuild)) {
    helm.useFiles?.(settings);
    return { cli: helm, upgrade: settings };
  }
  const dir = makeTempDir('helm-chart');
  core.saveState(CHART_DIR_STATE, dir);
  return core.group('Chart registry and dependencies', async () => {
    const cli = await loggedInHelm(helm, settings, dir);
    const upgrade = { ...settings, chart: await builtChart(cli, settings, dir) };
    cli.useFiles?.(upgrade);
    return { cli, upgrade };
  });
}
