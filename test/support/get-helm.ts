import { createHash } from 'node:crypto';
// A loopback get.helm.sh: a static file server (the only fake here) for the REAL Helm 3 and
// Helm 4 tarballs that scripts/tools.mjs built from source and packaged as get.helm.sh lays
// them out, with their .sha256sum files and helm3-latest-version / helm4-latest-version.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helmDownloads, toolVersions } from '../../scripts/tools.mjs';
import { startServer, type TestServer } from './http-server.js';

export interface GetHelm {
  url: string;
  /** The pinned versions served, without the `v`: `{ helm3: '3.22.0', helm4: '4.3.1' }`. */
  versions: { helm3: string; helm4: string };
  /** Requests served so far. */
  hits: () => number;
  /** Serves a tarball for `version` whose bytes do not match its .sha256sum. */
  corrupt: (version: string) => void;
  /** A tool cache of its own (RUNNER_TOOL_CACHE), so the first install downloads. */
  toolCache: string;
  close: () => Promise<void>;
}

export async function startGetHelm(): Promise<GetHelm> {
  const root = mkdtempSync(join(tmpdir(), 'get-helm-'));
  const site = join(root, 'site');
  mkdirSync(site);
  const pinned = toolVersions();
  const versions = {
    helm3: (pinned.helm3?.version ?? '').replace(/^v/, ''),
    helm4: (pinned.helm4?.version ?? '').replace(/^v/, ''),
  };
  for (const [name, version] of Object.entries(versions)) {
    const archive = `helm-v${version}-linux-amd64.tar.gz`;
    for (const file of [archive, `${archive}.sha256sum`]) copyFileSync(join(helmDownloads(), file), join(site, file));
    writeFileSync(join(site, `${name}-latest-version`), `v${version}\n`);
  }
  const server: TestServer = await startServer((req, res) => {
    const file = join(site, (req.url ?? '/').replace(/^\//, '').replace(/\.\./g, ''));
    if (!existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200).end(readFileSync(file));
  });
  return {
    url: server.url,
    versions,
    hits: server.hits,
    corrupt: (version) => {
      const archive = `helm-v${version}-linux-amd64.tar.gz`;
      writeFileSync(join(site, archive), 'not the tarball the checksum names');
      writeFileSync(join(site, `${archive}.sha256sum`), `${'a'.repeat(64)}  ${archive}\n`);
    },
    toolCache: join(root, 'tool-cache'),
    close: async () => {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * A runner's tool cache with the pinned Helm 4 already in it, laid out as
 * @actions/tool-cache keeps it (`helm/<version>/amd64`, the arch helm-deploy looks it up by, and its `.complete` marker): what a
 * self-hosted runner image provides, so helm-deploy installs nothing.
 */
export function seedHelmToolCache(toolCache: string): string {
  const version = (toolVersions().helm4?.version ?? '').replace(/^v/, '');
  const dir = join(toolCache, 'helm', version);
  mkdirSync(join(dir, 'amd64'), { recursive: true });
  execFileSync('tar', [
    '-xzf',
    join(helmDownloads(), `helm-v${version}-linux-amd64.tar.gz`),
    '-C',
    join(dir, 'amd64'),
    '--strip-components=1',
  ]);
  // As helm-deploy leaves a Helm it verified: the binary's sha256 beside it, checked at each use.
  const sum = createHash('sha256')
    .update(readFileSync(join(dir, 'amd64', 'helm')))
    .digest('hex');
  writeFileSync(join(dir, 'amd64', 'helm.sha256'), `${sum}\n`);
  writeFileSync(join(dir, 'amd64.complete'), '');
  return version;
}
