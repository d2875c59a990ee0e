import { httpRequestWithRetry } from '../../packages/shared/http.js';
import { installHelm, runnerArch } from '../../packages/shared/helm/install.js';
import { exec } from '../../packages/shared/exec.js';
import * as core from '@actions/core';
import type { HelmDeployConfig, HelmVersionRequest } from './config.js';

export interface ResolvedHelm {
  path: string;
  version: string;
  major: 3 | 4;
  downloaded: boolean;
}

/** `3.22.0` from `v3.22.0+g1a2b3c`: what `helm version --template {{.Version}}` prints. */
export function majorOfVersion(version: string): 3 | 4 {
  const major = /^v?(\d+)\./.exec(version.trim())?.[1];
  if (major === '3' || major === '4') return Number(major) as 3 | 4;
  throw new Error(`Helm ${version} is neither Helm 3 nor Helm 4, the majors this action drives`);
}

/** The newest release of a major, as get.helm.sh's `helm<major>-latest-version` names it. */
async function latestOf(major: 3 | 4, base: string): Promise<string> {
  const url = `${base}/helm${major}-latest-version`;
  const response = await httpRequestWithRetry({ url, timeoutMs: 30_000 });
  const text = response.body.toString('utf8').trim();
  if (response.status !== 200 || !/^v?\d+\.\d+\.\d+$/.test(text)) {
    throw new Error(`${url} answered HTTP ${response.status} without a version`);
  }
  if (majorOfVersion(text) !== major) throw new Error(`${url} names ${text}, which is not Helm ${major}`);
  return text.replace(/^v/, '');
}

/** The Helm the config asks for, in a log group, warning about what its major cannot do. */
export async function helmFor(config: HelmDeployConfig): Promise<ResolvedHelm> {
  const helm = await core.group('Helm', () => resolveHelm(config.helm, config.downloadUrl));
  if (helm.major === 3 && config.upgrade && config.upgrade.serverSide !== 'auto') {
    core.warning(`server-side is ${config.upgrade.serverSide}, but Helm 3 has no server-side apply: ignored`);
  }
  return helm;
}

/** Installs (or finds) the Helm the inputs ask for, and says which it is. */
export async function resolveHelm(request: HelmVersionRequest, base: string): Promise<ResolvedHelm> {
  if (request.kind === 'system') {
    // Plain `helm version` (no --template): every Helm prints its version first, as
    // `version.BuildInfo{Version:"v3.22.0", ...}` or `v4.3.1+g...`.
    const said = await exec('helm', ['version']).catch((error: unknown) => {
      throw new Error(`helm-version is system, but no helm runs from PATH (${String(error)})`);
    });
    if (said.code !== 0) throw new Error(`helm-version is system, but helm version exited with ${said.code}`);
    const version = /\bv?(\d+\.\d+\.\d+)/.exec(said.stdout)?.[1];
    if (version === undefined) throw new Error(`helm-version is system, but helm version printed no version`);
    return { path: 'helm', version, major: majorOfVersion(version), downloaded: false };
  }
  const version = request.kind === 'exact' ? request.version : await latestOf(request.major, base);
  const installed = await installHelm(version, base, runnerArch());
  return { path: installed.path, version: installed.version, major: majorOfVersion(version), downloaded: installed.downloaded };
}
