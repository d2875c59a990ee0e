// Real: Helm 3 and Helm 4, built from their own sources with Go (scripts/tools.mjs) and
// packaged as get.helm.sh lays them out; @actions/tool-cache downloading, extracting and
// caching them; `helm lint` and `helm template` on a chart. Fake: get.helm.sh itself, a
// static file server on 127.0.0.1 (it only serves files), which can also serve a corrupted
// tarball under a checksum that does not match.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installHelm } from '../../packages/shared/helm/install.js';
import { ensureTools, helmDownloads, toolVersions } from '../../scripts/tools.mjs';
import { hasHelmBuilds } from '../support/daemons.js';
import { startServer, type TestServer } from '../support/http-server.js';

const ready = hasHelmBuilds();
const CHART = join(import.meta.dirname, '..', 'fixtures', 'charts', 'minimal');

describe.skipIf(!ready)('Helm through a loopback get.helm.sh (real Helm 3 and 4)', () => {
  let server: TestServer;
  let served: string;
  const saved = { cache: process.env.RUNNER_TOOL_CACHE, temp: process.env.RUNNER_TEMP };
  const versions = toolVersions();

  beforeAll(() => {
    ensureTools({ log: () => {} });
    served = mkdtempSync(join(tmpdir(), 'get-helm-'));
    process.env.RUNNER_TOOL_CACHE = join(served, 'tool-cache');
    process.env.RUNNER_TEMP = join(served, 'runner-temp');
    return startServer((req, res) => {
      const file = join(served, 'site', (req.url ?? '/').replace(/^\//, '').replace(/\.\./g, ''));
      if (!existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200).end(readFileSync(file));
    }).then((started) => {
      server = started;
      execFileSync('mkdir', ['-p', join(served, 'site')]);
      for (const name of ['helm3', 'helm4']) {
        const archive = `helm-${versions[name]?.version ?? ''}-linux-amd64.tar.gz`;
        for (const file of [archive, `${archive}.sha256sum`])
          copyFileSync(join(helmDownloads(), file), join(served, 'site', file));
      }
    });
  });
  afterAll(async () => {
    await server.close();
    rmSync(served, { recursive: true, force: true });
    process.env.RUNNER_TOOL_CACHE = saved.cache;
    process.env.RUNNER_TEMP = saved.temp;
  });

  it.each(['helm3', 'helm4'])('%s installs through the tool cache, reports its pinned version, and is reused', async (name) => {
    const version = versions[name]!.version;
    const first = await installHelm(version, server.url, 'amd64');
    expect(first.downloaded).toBe(true);
    const reported = execFileSync(first.path, ['version', '--template', '{{.Version}}'], { encoding: 'utf8' });
    expect(reported).toBe(version);
    const hits = server.hits();
    const again = await installHelm(version, server.url, 'amd64');
    expect(again).toMatchObject({ downloaded: false, path: first.path });
    expect(server.hits()).toBe(hits);

    // The real helm checks the chart: lint, and a template with a value set.
    expect(execFileSync(first.path, ['lint', CHART], { encoding: 'utf8' })).toContain('1 chart(s) linted, 0 chart(s) failed');
    const manifest = execFileSync(first.path, ['template', 'web', CHART, '--set', 'image.tag=abc123'], { encoding: 'utf8' });
    expect(manifest).toContain('image: "127.0.0.1:5000/omis-pc/frontend:abc123"');
    expect(manifest).toContain('kind: Deployment');
  });

  it('refuses a tarball whose sha256 does not match, before anything is extracted', async () => {
    const archive = 'helm-v3.99.0-linux-amd64.tar.gz';
    writeFileSync(join(served, 'site', archive), 'not the tarball the checksum names');
    writeFileSync(join(served, 'site', `${archive}.sha256sum`), `${'a'.repeat(64)}  ${archive}\n`);
    await expect(installHelm('3.99.0', server.url, 'amd64')).rejects.toThrow(
      /^helm-v3\.99\.0-linux-amd64\.tar\.gz has sha256 [0-9a-f]{64}, but its \.sha256sum says a{64}: refusing to install it$/,
    );
    expect(existsSync(join(process.env.RUNNER_TOOL_CACHE!, 'helm', '3.99.0'))).toBe(false);
  });
});
