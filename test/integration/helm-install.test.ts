// Real: Helm 3 and Helm 4, built from their own sources with Go (scripts/tools.mjs) and
// packaged as get.helm.sh lays them out; @actions/tool-cache downloading, extracting and
// caching them; `helm lint` and `helm template` on a chart. Fake: get.helm.sh itself, a
// static file server on 127.0.0.1 (it only serves files), which can also serve a corrupted
// tarball under a checksum that does not match.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installHelm } from '../../packages/shared/helm/install.js';
import { ensureTools } from '../../scripts/tools.mjs';
import { hasHelmBuilds } from '../support/daemons.js';
import { type GetHelm, startGetHelm } from '../support/get-helm.js';

const ready = hasHelmBuilds();
const CHART = join(import.meta.dirname, '..', 'fixtures', 'charts', 'minimal');
const SAMPLE_CHART = join(import.meta.dirname, '..', '..', 'examples', 'omis-sample', 'charts', 'product-configurator');

describe.skipIf(!ready)('Helm through a loopback get.helm.sh (real Helm 3 and 4)', () => {
  let site: GetHelm;
  const saved = { cache: process.env.RUNNER_TOOL_CACHE, temp: process.env.RUNNER_TEMP };

  beforeAll(async () => {
    ensureTools({ log: () => {} });
    site = await startGetHelm();
    process.env.RUNNER_TOOL_CACHE = site.toolCache;
    process.env.RUNNER_TEMP = join(site.toolCache, '..', 'runner-temp');
  });
  afterAll(async () => {
    await site.close();
    process.env.RUNNER_TOOL_CACHE = saved.cache;
    process.env.RUNNER_TEMP = saved.temp;
  });

  it.each(['helm3', 'helm4'])('%s installs through the tool cache, reports its pinned version, and is reused', async (name) => {
    const version = site.versions[name as 'helm3' | 'helm4'];
    const first = await installHelm(version, site.url, 'amd64');
    expect(first.downloaded).toBe(true);
    const reported = execFileSync(first.path, ['version', '--template', '{{.Version}}'], { encoding: 'utf8' });
    expect(reported).toBe(`v${version}`);
    const hits = site.hits();
    const again = await installHelm(version, site.url, 'amd64');
    expect(again).toMatchObject({ downloaded: false, path: first.path });
    expect(site.hits()).toBe(hits);

    // The real helm checks the chart: lint, and a template with a value set.
    expect(execFileSync(first.path, ['lint', CHART], { encoding: 'utf8' })).toContain('1 chart(s) linted, 0 chart(s) failed');
    const manifest = execFileSync(first.path, ['template', 'web', CHART, '--set', 'image.tag=abc123'], { encoding: 'utf8' });
    expect(manifest).toContain('image: "127.0.0.1:5000/omis-pc/frontend:abc123"');
    expect(manifest).toContain('kind: Deployment');
  });

  it('refuses a tarball whose sha256 does not match, before anything is extracted', async () => {
    site.corrupt('3.99.0');
    await expect(installHelm('3.99.0', site.url, 'amd64')).rejects.toThrow(
      /^helm-v3\.99\.0-linux-amd64\.tar\.gz has sha256 [0-9a-f]{64}, but its \.sha256sum says a{64}: refusing to install it$/,
    );
    expect(existsSync(join(process.env.RUNNER_TOOL_CACHE!, 'helm', '3.99.0'))).toBe(false);
  });

  it.each(['helm3', 'helm4'])('%s lints and renders the sample chart with each environment', async (name) => {
    const { path } = await installHelm(site.versions[name as 'helm3' | 'helm4'], site.url, 'amd64');
    const tags = ['--set', 'frontend.image.tag=f1', '--set', 'backend.image.tag=b1', '--set', 'csvtomdb.image.tag=c1'];
    for (const environment of ['staging', 'production']) {
      const values = ['-f', join(SAMPLE_CHART, 'environments', environment, 'values.yaml')];
      expect(execFileSync(path, ['lint', SAMPLE_CHART, ...values, ...tags], { encoding: 'utf8' })).toContain('0 chart(s) failed');
      const manifest = execFileSync(path, ['template', 'pc', SAMPLE_CHART, ...values, ...tags], { encoding: 'utf8' });
      expect(manifest.match(/^kind: Deployment$/gm)).toHaveLength(3);
      expect(manifest.match(/^kind: Service$/gm)).toHaveLength(3);
      expect(manifest).toContain('image: "omispcacrprod.azurecr.io/omis-pc/backend:b1"');
      expect(manifest).toMatch(/- path: \/api\n\s+pathType: Prefix\n\s+backend:\n\s+service:\n\s+name: pc-backend/);
      expect(manifest).toMatch(/- path: \/csvtomdb\n[\s\S]*?name: pc-csvtomdb/);
      expect(manifest).toMatch(/- path: \/\n[\s\S]*?name: pc-frontend/);
    }
    // A release can never run without the SHA tag the build pushed, or the digest GitOps pins.
    expect(() => execFileSync(path, ['template', 'pc', SAMPLE_CHART], { encoding: 'utf8', stdio: 'pipe' })).toThrow(
      /frontend\.image\.tag \(or \.image\.digest\) is required/,
    );
    const digest = `sha256:${'d'.repeat(64)}`;
    const pinned = execFileSync(path, ['template', 'pc', SAMPLE_CHART, ...tags, '--set', `backend.image.digest=${digest}`], {
      encoding: 'utf8',
    });
    expect(pinned).toContain(`image: "omispcacrprod.azurecr.io/omis-pc/backend@${digest}"`);
    expect(pinned).toContain('image: "omispcacrprod.azurecr.io/omis-pc/frontend:f1"');
  });
});
