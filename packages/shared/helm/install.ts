import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@actions/core';
import { httpRequestWithRetry } from '../http.js';

export type HelmArch = 'amd64' | 'arm64';

export interface HelmInstall {
  /** `3.22.0`: the exact version installed. */
  version: string;
  /** The helm binary. */
  path: string;
  /** False when the tool cache already had it. */
  downloaded: boolean;
}

/** The runner's architecture in get.helm.sh's words. */
export function runnerArch(arch: string = process.arch): HelmArch {
  if (arch === 'x64') return 'amd64';
  if (arch === 'arm64') return 'arm64';
  throw new Error(`Helm is not published for this runner's architecture (${arch})`);
}

/** Beside the cached binary: its sha256, written once the download matched its `.sha256sum`. */
export const RECORD = 'helm.sha256';

function readRecord(path: string): string | undefined {
  try {
    return /^([0-9a-f]{64})\s*$/.exec(readFileSync(path, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Installs Helm `version` (x.y.z) the way get.helm.sh lays it out: the tarball and its
 * `.sha256sum` from `baseUrl`, through @actions/tool-cache (loaded here, on this path
 * only). The checksum is checked before anything is extracted, and a mismatch fails with
 * nothing run. A version already in the tool cache is used as it is: nothing is downloaded.
 * A checksum fetched from the same host guards against corruption, not against that host.
 */
export async function installHelm(version: string, baseUrl: string, arch: HelmArch = runnerArch()): Promise<HelmInstall> {
  const tc = await import('@actions/tool-cache');
  const plain = version.replace(/^v/, '');
  const cached = tc.find('helm', plain, arch);
  if (cached) {
    // Checked again before each use: a tool cache outlives the run that verified it (a
    // self-hosted runner's disk), and anything with write access to it could swap the binary.
    const recorded = readRecord(join(cached, RECORD));
    if (recorded !== undefined) {
      const actual = await sha256Of(join(cached, 'helm'));
      if (actual !== recorded) {
        throw new Error(
          `the cached Helm ${plain} (${cached}/helm) has sha256 ${actual}, not the ${recorded} recorded when it was verified: refusing to run it`,
        );
      }
      return { version: plain, path: join(cached, 'helm'), downloaded: false };
    }
    core.info(`The cached Helm ${plain} was never verified here (no ${RECORD}): downloading and verifying it`);
  }

  const archive = `helm-v${plain}-linux-${arch}.tar.gz`;
  const base = baseUrl.replace(/\/+$/, '');
  const sums = await httpRequestWithRetry({ url: `${base}/${archive}.sha256sum`, timeoutMs: 60_000 });
  if (sums.status !== 200) throw new Error(`${base}/${archive}.sha256sum answered HTTP ${sums.status}`);
  const expected = /^([0-9a-f]{64})\b/i.exec(sums.body.toString('utf8').trim())?.[1]?.toLowerCase();
  if (!expected) throw new Error(`${base}/${archive}.sha256sum holds no sha256`);

  core.info(`Downloading ${base}/${archive}`);
  const tarball = await tc.downloadTool(`${base}/${archive}`);
  try {
    const actual = await sha256Of(tarball);
    if (actual !== expected) {
      throw new Error(`${archive} has sha256 ${actual}, but its .sha256sum says ${expected}: refusing to install it`);
    }
    const extracted = await tc.extractTar(tarball);
    // The binary's own hash, beside it in the cache: what each later use checks.
    writeFileSync(join(extracted, `linux-${arch}`, RECORD), `${await sha256Of(join(extracted, `linux-${arch}`, 'helm'))}\n`);
    const folder = await tc.cacheDir(join(extracted, `linux-${arch}`), 'helm', plain, arch);
    return { version: plain, path: join(folder, 'helm'), downloaded: true };
  } finally {
    rmSync(tarball, { force: true });
  }
}
