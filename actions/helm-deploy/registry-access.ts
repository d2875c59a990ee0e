import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { isGuid } from '../../packages/shared/azure-auth.js';
import { readAzureEndpoints } from '../../packages/shared/azure-cloud.js';
import { InputError } from '../../packages/shared/errors.js';
import { isLoopbackRegistry } from '../../packages/shared/image-ref.js';
import type { Inputs } from '../../packages/shared/inputs.js';

/** How Helm reaches the registries of the chart and its dependencies. */
export interface RegistryAccess {
  /** `helm dependency build` on a copy of the chart folder (from its Chart.lock) first. */
  dependencyBuild: boolean;
  /** Registries (hosts) Helm is logged in to with an ACR refresh token from OIDC. */
  registryLogins: string[];
  /** The identity for those logins. */
  registryIdentity: { clientId: string; tenantId: string; authorityHost: string } | undefined;
}

/** An `oci://registry/path` chart reference. */
export const OCI_REF = /^oci:\/\/[a-z0-9][a-z0-9.-]*(?::[0-9]+)?(?:\/[a-z0-9][a-z0-9._-]*)+$/;

/** ACR login servers in Azure's clouds: where an ACR refresh token belongs. */
const ACR_HOST = /^[a-z0-9]{5,50}\.azurecr\.(?:io|us|cn)$/;

/** The registry host of an `oci://` reference. */
export const ociHost = (reference: string): string => reference.slice('oci://'.length).split('/')[0] ?? '';

/**
 * dependency-build and registry-login. A chart (and, with dependency-build, each OCI
 * dependency in its Chart.yaml) on an ACR login server gets a login with `auto`; `oidc`
 * also logs in to a loopback registry (tests). A refresh token is minted per registry and
 * goes to that registry only, so a host that is neither is refused rather than sent one.
 */
export function readRegistryAccess(inputs: Inputs, chart: string): RegistryAccess {
  const dependencyBuild = inputs.boolean('dependency-build', false);
  if (dependencyBuild && !(isAbsolute(chart) && existsSync(join(chart, 'Chart.yaml')))) {
    throw new InputError('dependency-build', `needs a chart folder in the workspace; "${chart}" is not one`);
  }
  const mode = inputs.choice('registry-login', ['auto', 'oidc', 'none'], 'auto');
  const hosts = [...(chart.startsWith('oci://') ? [ociHost(chart)] : []), ...(dependencyBuild ? ociDependencyHosts(chart) : [])];
  const logins =
    mode === 'none'
      ? []
      : [...new Set(hosts)].filter((host) => {
          if (ACR_HOST.test(host)) return true;
          // A registry on loopback (the tests') is the one other place, as plain http is (chart-source.ts).
          if (mode === 'oidc' && !isLoopbackRegistry(host)) {
            throw new InputError(
              'registry-login',
              `is oidc, but ${host} is no ACR login server (<name>.azurecr.io): an ACR token is never sent elsewhere`,
            );
          }
          return mode === 'oidc';
        });
  if (logins.length === 0) return { dependencyBuild, registryLogins: [], registryIdentity: undefined };
  const guid = (name: string): string => {
    const value = inputs.string(name);
    if (value === undefined || !isGuid(value)) {
      throw new InputError(name, `must be a GUID: the chart registry ${logins[0] ?? ''} is logged in to through OIDC`);
    }
    return value;
  };
  return {
    dependencyBuild,
    registryLogins: logins,
    registryIdentity: {
      clientId: guid('client-id'),
      tenantId: guid('tenant-id'),
      authorityHost: readAzureEndpoints(inputs).authorityHost,
    },
  };
}

/**
 * The registries of a chart folder's `oci://` dependencies: every `repository: oci://...` in
 * its Chart.yaml, block or flow style. Scanned rather than parsed, so the YAML library stays
 * off the startup path; a repository missed would get no login and fail Helm's pull, never
 * get a token it should not.
 */
export function ociDependencyHosts(chartDir: string): string[] {
  const text = readFileSync(join(chartDir, 'Chart.yaml'), 'utf8');
  const hosts: string[] = [];
  for (const match of text.matchAll(/(?:^|[\s{,])repository:[ \t]*["']?(oci:\/\/[^\s"',}#]+)/gm)) {
    const repository = match[1] ?? '';
    if (!OCI_REF.test(repository))
      throw new InputError('chart', `has a dependency repository that is no oci:// reference: "${repository}"`);
    hosts.push(ociHost(repository));
  }
  return hosts;
}
