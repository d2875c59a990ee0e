// acr-push's buildx path for real. REAL: BuildKit's daemon on 127.0.0.1 with the OCI worker
// on Debian's runc and the buildx CLI plugin, both built from source with Go
// (scripts/tools.mjs), behind a builder of the `remote` driver (support/buildkit.ts);
// Debian's docker-registry (distribution) stores every blob and checks every token; dockerd.
// STAND-INS: the ACR front (token exchange, /acr/v1 with its locks), Entra ID and the runner's
// ID-token endpoint (support/fake-acr.ts). Not here: `sbom: true`, whose scanner image
// (docker/buildkit-syft-scanner) cannot be pulled on this machine; its flag is checked only.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Buildkit, hasBuildkit, startBuildkit } from '../support/buildkit.js';
import { hasDocker, hasRegistry } from '../support/daemons.js';
import { CLIENT, type FakeAcr, startFakeAcr, TENANT } from '../support/fake-acr.js';
import { failure, runAction as runBundle, succeeded } from '../support/run-action.js';

const runAction: typeof runBundle = (action, inputs, options) => runBundle(action, inputs, { cwd: tmpdir(), ...options });
const ready = hasDocker() && hasRegistry() && hasBuildkit();

const TOKEN = 'S3cr3t-build-token-7f2c9a41';
const FILE_SECRET = 'registry-password=hunter2-file-secret-b81d\n';

interface Manifest {
  mediaType?: string;
  config?: { digest: string };
  layers?: { digest: string; mediaType: string }[];
  manifests?: { digest: string; platform?: { os: string; architecture: string }; annotations?: Record<string, string> }[];
}

/** A build context: static busybox FROM scratch, and optionally a RUN that reads two build secrets. */
function context(withSecrets: boolean, message = 'buildx'): string {
  const dir = mkdtempSync(join(tmpdir(), 'ctx-buildx-'));
  copyFileSync('/bin/busybox', join(dir, 'busybox'));
  mkdirSync(join(dir, 'www'));
  writeFileSync(join(dir, 'www', 'index.html'), `<h1>${message}</h1>\n`);
  const run = withSecrets
    ? [
        // The secrets are read (their sizes land in the image), never written.
        'RUN --mount=type=secret,id=token,required=true --mount=type=secret,id=cfg,required=true ["/bin/busybox", "sh", "-c", "/bin/busybox wc -c < /run/secrets/token > /www/token-size && /bin/busybox wc -c < /run/secrets/cfg > /www/cfg-size"]',
      ]
    : [];
  writeFileSync(
    join(dir, 'Dockerfile'),
    ['FROM scratch', 'COPY busybox /bin/busybox', 'COPY www /www', ...run, 'ENTRYPOINT ["/bin/busybox", "httpd", "-f"]', ''].join(
      '\n',
    ),
  );
  writeFileSync(join(dir, 'secret.conf'), FILE_SECRET);
  return dir;
}

describe.skipIf(!ready)('acr-push with real buildx and BuildKit', () => {
  let acr: FakeAcr;
  let buildkit: Buildkit;
  const contexts: string[] = [];
  const oidc = () => ({ 'client-id': CLIENT, 'tenant-id': TENANT, 'authority-host': acr.authorityHost, registry: acr.registry });
  const env = (sha: string) => ({
    ...acr.oidcEnv,
    DOCKER_CONFIG: buildkit.dockerConfig,
    GITHUB_SHA: sha,
    GITHUB_REF: 'refs/heads/main',
  });
  const manifest = (digest: string) => JSON.parse(acr.api.readBlob(digest).toString('utf8')) as Manifest;
  /** Every blob an image (index, manifests, configs, layers) is made of, layers unpacked. */
  const contents = (digest: string): string[] => {
    const found = manifest(digest);
    const parts = [acr.api.readBlob(digest).toString('utf8')];
    for (const child of found.manifests ?? []) parts.push(...contents(child.digest));
    if (found.config) parts.push(acr.api.readBlob(found.config.digest).toString('utf8'));
    for (const layer of found.layers ?? []) {
      const bytes = acr.api.readBlob(layer.digest);
      parts.push((layer.mediaType.endsWith('gzip') ? gunzipSync(bytes) : bytes).toString('latin1'));
    }
    return parts;
  };
  const build = (dir: string, sha: string, inputs: Record<string, string>) =>
    runAction(
      'acr-push',
      { ...oidc(), context: dir, tags: sha, ...inputs },
      { env: env(sha), timeoutMs: 300_000, event: { name: 'push', payload: {} } },
    );

  beforeAll(async () => {
    acr = await startFakeAcr();
    buildkit = await startBuildkit([acr.registry]);
  }, 120_000);
  afterAll(async () => {
    await buildkit.close();
    await acr.close();
    for (const dir of contexts) rmSync(dir, { recursive: true, force: true });
  });

  it('builds two platforms in one index with a registry cache, through the runner builder and a login of its own', async () => {
    const dir = context(false);
    contexts.push(dir);
    const sha = '1'.repeat(40);
    const result = succeeded(await build(dir, sha, { repository: 'omis-pc/multi', platforms: 'linux/amd64,linux/arm64' }));
    const digest = result.outputs.digest ?? '';
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(acr.api.tags('omis-pc/multi')).toEqual(
      expect.arrayContaining([{ name: sha, digest }, expect.objectContaining({ name: 'buildcache' })]),
    );
    const index = manifest(digest);
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(index.manifests?.map((entry) => `${entry.platform?.os ?? ''}/${entry.platform?.architecture ?? ''}`).sort()).toEqual([
      'linux/amd64',
      'linux/arm64',
    ]);
    // provenance and sbom default to false: no attestation manifest unasked.
    expect(index.manifests?.some((entry) => entry.annotations?.['vnd.docker.reference.type'])).toBe(false);
    expect(result.summary).toContain('buildx; cache: registry');
    // The second build of the same source comes from the registry cache.
    const again = succeeded(
      await build(dir, '2'.repeat(40), { repository: 'omis-pc/multi', platforms: 'linux/amd64,linux/arm64' }),
    );
    expect(again.log).toMatch(/importing cache manifest from .*omis-pc\/multi:buildcache/);
    expect(again.log).toMatch(/CACHED/);
  });

  it('hands build secrets to BuildKit: they reach the RUN and no layer, cache entry, attestation, log or summary', async () => {
    const dir = context(true);
    contexts.push(dir);
    const sha = '3'.repeat(40);
    const result = succeeded(
      await build(dir, sha, {
        repository: 'omis-pc/secret',
        secrets: `token=${TOKEN}`,
        'secret-files': `cfg=${join(dir, 'secret.conf')}`,
        provenance: 'mode=max',
      }),
    );
    const digest = result.outputs.digest ?? '';
    expect(result.masks).toContain(TOKEN);
    // The RUN read both: their sizes are in the image.
    const image = manifest(digest).manifests?.find((entry) => entry.platform?.os === 'linux');
    const files = contents(image?.digest ?? '').join('\n');
    expect(files).toContain(`${TOKEN.length}\n`);
    expect(files).toContain(`${FILE_SECRET.length}\n`);
    // In no layer, no image config (its history is what `docker history` prints), no
    // attestation (mode=max records the build's inputs), no cache entry.
    const everything = [
      ...contents(digest),
      ...contents(acr.api.tags('omis-pc/secret').find((tag) => tag.name === 'buildcache')?.digest ?? ''),
    ];
    expect(everything.length).toBeGreaterThan(4);
    for (const text of everything) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain('hunter2-file-secret');
    }
    for (const text of [result.log, result.summary, JSON.stringify(result.outputs), buildkit.log()]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain('hunter2-file-secret');
    }
  });

  it('keeps provenance in the image: the digest is the index, lock takes its attestation, cleanup deletes it only with it', async () => {
    const dir = context(false);
    contexts.push(dir);
    const repository = 'omis-pc/attested';
    const first = succeeded(await build(dir, '4'.repeat(40), { repository, provenance: 'mode=max' }));
    const index = manifest(first.outputs.digest ?? '');
    const attestation = index.manifests?.find(
      (entry) => entry.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest',
    );
    expect(attestation?.annotations?.['vnd.docker.reference.digest']).toBe(index.manifests?.[0]?.digest);
    expect(acr.api.tags(repository).find((tag) => tag.name === '4'.repeat(40))?.digest).toBe(first.outputs.digest);

    // Promoted and locked: the index, its platform manifest and its attestation are all locked.
    succeeded(
      await runAction(
        'acr-push',
        { ...oidc(), repository, promote: '4'.repeat(40), tags: 'production', lock: 'true' },
        { env: acr.oidcEnv },
      ),
    );
    for (const part of [first.outputs.digest ?? '', ...(index.manifests ?? []).map((entry) => entry.digest)]) {
      expect(acr.api.attributes(repository, part)).toMatchObject({ writeEnabled: false, deleteEnabled: false });
    }

    // In a repository without locks: two releases, cleanup keeps the newer SHA tag. The older
    // index goes with its platform manifest and its attestation; the newer keeps all of its.
    const other = 'omis-pc/attested-cleanup';
    const releases = [];
    for (const [index, message] of ['old', 'new'].entries()) {
      const source = context(false, message);
      contexts.push(source);
      const built = succeeded(await build(source, String(6 + index).repeat(40), { repository: other, provenance: 'mode=max' }));
      const parts = manifest(built.outputs.digest ?? '').manifests ?? [];
      expect(parts).toHaveLength(2);
      releases.push([built.outputs.digest ?? '', ...parts.map((entry) => entry.digest)]);
    }
    const [older = [], newer = []] = releases;
    const cleanup = succeeded(
      await runAction(
        'acr-push',
        { ...oidc(), mode: 'cleanup', repository: other, keep: '1', 'keep-days': '0' },
        { env: acr.oidcEnv },
      ),
    );
    expect(JSON.parse(cleanup.outputs.deleted ?? '[]')).toEqual(
      expect.arrayContaining(older.slice(1).map((digest) => `${acr.registry}/${other}@${digest}`)),
    );
    const left = acr.api.manifests(other);
    for (const digest of older) expect(left).not.toContain(digest);
    for (const digest of newer) expect(left).toContain(digest);
  });

  it('refuses the buildx-only inputs without buildx, and shows no secret on dry-run', async () => {
    const dir = context(true);
    contexts.push(dir);
    // A runner without buildx: a docker config with no CLI plugin (Debian's Docker has none).
    const plain = mkdtempSync(join(tmpdir(), 'no-buildx-'));
    contexts.push(plain);
    const withoutBuildx = await runAction(
      'acr-push',
      { ...oidc(), repository: 'omis-pc/none', context: dir, tags: 'x1', secrets: `token=${TOKEN}` },
      { env: { ...acr.oidcEnv, DOCKER_CONFIG: plain } },
    );
    expect(failure(withoutBuildx)).toBe(
      "acr-push failed: input 'secrets' needs docker buildx, which this runner does not have (docker/setup-buildx-action)",
    );
    expect(acr.api.repositories()).not.toContain('omis-pc/none');
    const bad = await runAction(
      'acr-push',
      { ...oidc(), repository: 'omis-pc/none', context: dir, secrets: 'no-equals-sign' },
      { env: env('6'.repeat(40)) },
    );
    expect(failure(bad)).toBe("acr-push failed: input 'secrets' must be lines of id=value (id: letters, digits, _ . -)");
    const outside = await runAction(
      'acr-push',
      { ...oidc(), repository: 'omis-pc/none', context: dir, 'secret-files': 'cfg=/etc/passwd' },
      { env: env('6'.repeat(40)) },
    );
    expect(failure(outside)).toMatch(/^acr-push failed: input 'secret-files' /);
    const dry = succeeded(
      await runAction(
        'acr-push',
        { ...oidc(), repository: 'omis-pc/none', context: dir, secrets: `token=${TOKEN}`, sbom: 'true', 'dry-run': 'true' },
        { env: env('6'.repeat(40)) },
      ),
    );
    expect(dry.log).toContain('--secret id=token,env=DEPLOY_ACTIONS_BUILD_SECRET_0');
    expect(dry.log).toContain('--sbom=true');
    expect(dry.log).not.toContain(TOKEN);
    expect(acr.api.repositories()).not.toContain('omis-pc/none');
  });
});
