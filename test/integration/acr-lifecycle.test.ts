// acr-push's registry lifecycle: lock after a promote, and mode: cleanup. Real part: Debian's
// docker-registry (distribution) holds every image and checks every token. Fakes: the ACR
// front (token exchange and ACR's /acr/v1 API with its locks, test/support/fake-acr*.ts, over
// HTTPS on the registry's own port), Entra ID and the runner's ID-token endpoint. The official
// @azure/container-registry client is the oracle: it drives the same fake first, so the fake
// answers what the SDK expects, and the action (which uses that SDK) is judged against it.
import { ContainerRegistryClient } from '@azure/container-registry';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACR_SCOPE } from '../../packages/shared/azure-auth.js';
import { RegistryClient, RegistryError } from '../../packages/shared/registry-client.js';
import { hasRegistry } from '../support/daemons.js';
import { ADMIN, CLIENT, type FakeAcr, startFakeAcr, TENANT } from '../support/fake-acr.js';
import { seeder } from '../support/registry-seed.js';
import { failure, runAction as runBundle, succeeded } from '../support/run-action.js';

const runAction: typeof runBundle = (action, inputs, options) => runBundle(action, inputs, { cwd: tmpdir(), ...options });

describe.skipIf(!hasRegistry())('acr-push lock and cleanup (bundled, real registry, fake ACR API)', () => {
  let acr: FakeAcr;
  const oidc = () => ({ 'client-id': CLIENT, 'tenant-id': TENANT, 'authority-host': acr.authorityHost, registry: acr.registry });
  const run = (inputs: Record<string, string>) => runAction('acr-push', { ...oidc(), ...inputs }, { env: acr.oidcEnv });
  /** The official client, with an Entra token minted by the fake (no OIDC dance). */
  const sdk = () =>
    new ContainerRegistryClient(
      `https://${acr.registry}`,
      { getToken: () => Promise.resolve({ token: acr.entra.issue(ACR_SCOPE), expiresOnTimestamp: Date.now() + 3_600_000 }) },
      {
        audience: 'https://containerregistry.azure.net',
        // The client runs in this process: each request trusts the fake's certificate.
        additionalPolicies: [
          {
            position: 'perCall',
            policy: {
              name: 'trust-the-fake',
              sendRequest: (request, next) => {
                request.tlsSettings = { ca: acr.entra.tls.cert };
                return next(request);
              },
            },
          },
        ],
      },
    );
  const names = (repository: string) =>
    acr.api
      .tags(repository)
      .map((tag) => tag.name)
      .sort();
  const statusOf = (error: unknown) => (error as { statusCode?: number }).statusCode;

  beforeAll(async () => {
    // A server cap of 7 items a page: every listing below pages through `Link`.
    acr = await startFakeAcr({ pageLimit: 7 });
  });
  afterAll(async () => {
    await acr.close();
  });

  it('the SDK (oracle) lists, pages, reads, updates and deletes through the fake', async () => {
    const seed = await seeder(acr, 'oracle/app');
    const digests: string[] = [];
    for (let index = 0; index < 9; index++) digests.push(await seed.image(`o${index}`, `t${index}`));
    await seeder(acr, 'oracle/other').then((other) => other.image('x', 'x'));
    const client = sdk();

    const repositories: string[] = [];
    for await (const name of client.listRepositoryNames()) repositories.push(name);
    expect(repositories).toEqual(expect.arrayContaining(['oracle/app', 'oracle/other']));

    const pagesBefore = acr.api.stats.pagesWithLink;
    const manifests = [];
    for await (const page of client.getRepository('oracle/app').listManifestProperties().byPage({ maxPageSize: 4 }))
      manifests.push(page.length);
    expect(manifests).toEqual([4, 4, 1]);
    expect(acr.api.stats.pagesWithLink - pagesBefore).toBe(2);

    const artifact = client.getArtifact('oracle/app', 't3');
    const properties = await artifact.getManifestProperties();
    expect(properties).toMatchObject({
      digest: digests[3],
      tags: ['t3'],
      architecture: 'amd64',
      operatingSystem: 'linux',
      canWrite: true,
    });
    const tags = [];
    for await (const tag of client.getArtifact('oracle/app', digests[3] ?? '').listTagProperties()) tags.push(tag);
    // SDK 1.1.2 sends no digest filter here, so an artifact lists every tag of its repository.
    expect(tags.map((tag) => tag.name)).toEqual(['t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7', 't8']);
    expect(tags[0]?.lastUpdatedOn).toBeInstanceOf(Date);

    const locked = await artifact.updateTagProperties('t3', { canWrite: false, canDelete: false });
    expect(locked).toMatchObject({ name: 't3', digest: digests[3], canWrite: false, canDelete: false });
    expect(acr.api.attributes('oracle/app', 't3')).toMatchObject({ writeEnabled: false, deleteEnabled: false });
    const refused = await artifact.deleteTag('t3').catch((error: unknown) => error);
    expect(statusOf(refused)).toBe(405);
    expect(names('oracle/app')).toContain('t3');

    await client.getArtifact('oracle/app', 't4').deleteTag('t4');
    expect(names('oracle/app')).not.toContain('t4');
    await client.getArtifact('oracle/app', digests[4] ?? '').delete();
    expect(acr.api.manifests('oracle/app')).not.toContain(digests[4]);
    // Deleting a manifest also removes its tags, as ACR does.
    await client.getArtifact('oracle/app', digests[5] ?? '').delete();
    expect(names('oracle/app')).not.toContain('t5');

    const manifestLock = await client.getArtifact('oracle/app', digests[6] ?? '').updateManifestProperties({ canDelete: false });
    expect(manifestLock.canDelete).toBe(false);
    expect(
      statusOf(
        await client
          .getArtifact('oracle/app', digests[6] ?? '')
          .delete()
          .catch((error: unknown) => error),
      ),
    ).toBe(405);
  });

  it('lock: the promoted image and its SHA tag refuse overwrite and delete; the moving tags still move', async () => {
    const repository = 'omis-pc/backend';
    const seed = await seeder(acr, repository);
    const sha1 = 'a'.repeat(40);
    const sha2 = 'b'.repeat(40);
    const first = await seed.image('release-1', sha1);
    const second = await seed.image('release-2', sha2);

    const result = await run({ repository, promote: sha1, tags: 'production,production-last-good', lock: 'true' });
    succeeded(result);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.outputs.locked ?? '')).toEqual([
      `${acr.registry}/${repository}@${first}`,
      `${acr.registry}/${repository}:${sha1}`,
    ]);
    expect(acr.api.attributes(repository, first)).toMatchObject({ writeEnabled: false, deleteEnabled: false });
    expect(acr.api.attributes(repository, sha1)).toMatchObject({ writeEnabled: false, deleteEnabled: false });
    expect(acr.api.attributes(repository, 'production-last-good')).toMatchObject({ writeEnabled: true, deleteEnabled: true });
    expect(result.summary).toContain('Locked (no overwrite, no delete)');

    // Re-pointing the locked SHA tag is refused by the registry; so is deleting tag or image.
    expect(await seed.retag(second, sha1)).toBe(405);
    const admin = new RegistryClient(acr.registry, { kind: 'basic', ...ADMIN });
    const copy = await admin.getManifest(repository, sha2);
    const overwrite = await admin.putManifest(repository, sha1, copy).catch((error: unknown) => error);
    expect(overwrite).toBeInstanceOf(RegistryError);
    expect(
      statusOf(
        await sdk()
          .getArtifact(repository, sha1)
          .deleteTag(sha1)
          .catch((error: unknown) => error),
      ),
    ).toBe(405);
    expect(
      statusOf(
        await sdk()
          .getArtifact(repository, first)
          .delete()
          .catch((error: unknown) => error),
      ),
    ).toBe(405);
    expect((await admin.getManifest(repository, sha1)).digest).toBe(first);

    // The next release moves production and production-last-good past the locked one.
    const next = await run({ repository, promote: sha2, tags: 'production,production-last-good', lock: 'true' });
    succeeded(next);
    expect((await admin.getManifest(repository, 'production-last-good')).digest).toBe(second);
    expect(acr.api.attributes(repository, first)).toMatchObject({ writeEnabled: false, deleteEnabled: false });

    // dry-run locks nothing.
    const third = await seed.image('release-3', 'c'.repeat(40));
    const dry = await run({ repository, promote: 'c'.repeat(40), tags: 'staging', lock: 'true', 'dry-run': 'true' });
    succeeded(dry);
    expect(acr.api.attributes(repository, third).writeEnabled).toBe(true);
    expect(acr.api.tags(repository).map((tag) => tag.name)).not.toContain('staging');
  });

  it('cleanup over 60 tags keeps the locked, last-good, protected, newest and young ones; dry-run deletes nothing', async () => {
    const repository = 'omis-pc/frontend';
    const seed = await seeder(acr, repository);
    const digests: Record<string, string> = {};
    for (let index = 0; index < 60; index++) {
      const tag = `r${String(index).padStart(2, '0')}`;
      digests[tag] = await seed.image(tag, tag);
    }
    expect(await seed.retag(digests.r10 ?? '', 'production-last-good')).toBe(201);
    expect(await seed.retag(digests.r20 ?? '', 'v1.4.0')).toBe(201);
    const multi = await seed.index('multi', 'r61');
    const orphan = await seed.image('orphan');
    acr.api.age(repository, orphan, 45);
    // Ages: r00 is 120 days old, each next one a day younger; r55..r59 and r61 are young.
    for (let index = 0; index < 60; index++) {
      const tag = `r${String(index).padStart(2, '0')}`;
      acr.api.age(repository, tag, index >= 55 ? 59 - index : 120 - index);
    }
    acr.api.age(repository, 'production-last-good', 200);
    acr.api.age(repository, 'v1.4.0', 200);
    // Two released images, locked through the SDK as lock: true does.
    const client = sdk();
    await client.getArtifact(repository, digests.r03 ?? '').updateManifestProperties({ canWrite: false, canDelete: false });
    await client.getArtifact(repository, 'r07').updateTagProperties('r07', { canWrite: false, canDelete: false });
    const before = names(repository);
    const manifestsBefore = acr.api.manifests(repository);

    // delete-tags '*': every tag is a candidate, as `acr purge --filter '.*'`.
    const inputs = { mode: 'cleanup', repository, keep: '8', 'keep-days': '30', protect: 'v1.*', 'delete-tags': '*' };
    const dry = await run({ ...inputs, 'dry-run': 'true' });
    succeeded(dry);
    expect(names(repository)).toEqual(before);
    expect(acr.api.manifests(repository).sort()).toEqual(manifestsBefore.sort());

    // Kept: newest 8 by time (r55..r59 and r61 at 0-4 days, then r54, r53 at 66, 67), locked
    // r03 (image) and r07 (tag), last-good (r10), v1.4.0 (r20) and the index's platforms.
    const keptTags = ['production-last-good', 'r03', 'r07', 'r53', 'r54', 'r55', 'r56', 'r57', 'r58', 'r59', 'r61', 'v1.4.0'];
    const goneTags = before.filter((tag) => !keptTags.includes(tag));
    expect(goneTags).toHaveLength(51);
    const deletedRefs = JSON.parse(dry.outputs.deleted ?? '') as string[];
    expect(deletedRefs.filter((ref) => !ref.includes('@')).sort()).toEqual(
      goneTags.map((tag) => `${acr.registry}/${repository}:${tag}`),
    );
    // The images behind r10 and r20 keep their other tag; the orphan and the untagged ones go.
    const keptDigests = new Set([
      ...keptTags.map((tag) =>
        tag === 'production-last-good'
          ? digests.r10
          : tag === 'v1.4.0'
            ? digests.r20
            : tag === 'r61'
              ? multi.digest
              : digests[tag],
      ),
      ...multi.children,
    ]);
    const goneDigests = manifestsBefore.filter((digest) => !keptDigests.has(digest));
    expect(goneDigests).toContain(orphan);
    expect(deletedRefs.filter((ref) => ref.includes('@')).sort()).toEqual(
      goneDigests.map((digest) => `${acr.registry}/${repository}@${digest}`).sort(),
    );
    expect(dry.outputs.kept).toBe('12');
    expect(dry.summary).toContain('Would go (51 tags, 50 images');
    expect(dry.summary).toMatch(/`r03` \| `sha256:[0-9a-f]{12}` \| its image is locked/);
    expect(dry.summary).toContain('| `production-last-good` |');

    const pagesBefore = acr.api.stats.pagesWithLink;
    const real = await run(inputs);
    succeeded(real);
    expect(real.exitCode).toBe(0);
    expect(acr.api.stats.pagesWithLink).toBeGreaterThan(pagesBefore);
    expect(JSON.parse(real.outputs.deleted ?? '')).toEqual(deletedRefs);
    expect(names(repository)).toEqual(keptTags);
    expect(acr.api.manifests(repository).sort()).toEqual([...keptDigests].sort());
    // Nothing protected went: the locked image still pulls, as does last-good.
    const admin = new RegistryClient(acr.registry, { kind: 'basic', ...ADMIN });
    expect((await admin.getManifest(repository, digests.r03 ?? '')).digest).toBe(digests.r03);
    expect((await admin.getManifest(repository, 'production-last-good')).digest).toBe(digests.r10);
    expect(real.summary).toContain('Went (51 tags, 50 images');

    // Again: nothing left to delete.
    const again = await run(inputs);
    succeeded(again);
    expect(JSON.parse(again.outputs.deleted ?? '')).toEqual([]);
  });

  it('cleanup by repository-prefix covers every repository under it, and only those', async () => {
    for (const repository of ['shop/a', 'shop/b', 'shopping/c']) {
      const seed = await seeder(acr, repository);
      await seed.image(`${repository}-1`, 'old');
      acr.api.age(repository, 'old', 90);
    }
    const result = await run({
      mode: 'cleanup',
      'repository-prefix': 'shop',
      keep: '0',
      'keep-days': '30',
      'delete-tags': 'old',
    });
    succeeded(result);
    expect(names('shop/a')).toEqual([]);
    expect(names('shop/b')).toEqual([]);
    expect(names('shopping/c')).toEqual(['old']);
  });

  it('deletes a tag only if it still points at the planned image: a retag after the inventory wins', async () => {
    const repository = 'race/app';
    const seed = await seeder(acr, repository);
    const old = await seed.image('one', 'staging');
    const fresh = await seed.image('two', 'fresh');
    acr.api.age(repository, 'staging', 90);
    acr.api.age(repository, old, 90);
    // A promote moves staging to the fresh image right after cleanup listed the tags.
    acr.api.afterNextTagList = async () => {
      expect(await seed.retag(fresh, 'staging')).toBe(201);
    };
    const result = await run({ mode: 'cleanup', repository, keep: '0', 'keep-days': '30', 'delete-tags': 'staging' });
    succeeded(result);
    expect(result.log).toMatch(/staging changed since the plan \(it points at sha256:[0-9a-f]{64} now/);
    expect(acr.api.tags(repository).find((tag) => tag.name === 'staging')?.digest).toBe(fresh);
  });

  it('by default deletes only old commit-SHA tags: an environment tag stays however old', async () => {
    const repository = 'env/app';
    const seed = await seeder(acr, repository);
    const sha = (n: number) => String(n).repeat(40);
    const production = await seed.image(sha(1), sha(1));
    await seed.image(sha(2), sha(2));
    expect(await seed.retag(production, 'production')).toBe(201);
    for (const tag of [sha(1), sha(2), 'production']) acr.api.age(repository, tag, 90);
    const result = await run({ mode: 'cleanup', repository, keep: '0', 'keep-days': '30' });
    succeeded(result);
    // sha(1)'s tag goes, but its image stays: production points at it.
    expect(names(repository).sort()).toEqual(['production']);
    const client = sdk();
    expect((await client.getArtifact(repository, 'production').getManifestProperties()).digest).toBe(production);
  });

  it('keeps a push in progress (young untagged images) and the referrers of kept images; deletes old orphans', async () => {
    const repository = 'refs/app';
    const seed = await seeder(acr, repository);
    const sha = (n: number) => String(n).repeat(40);
    const production = await seed.image(sha(1), sha(1));
    const gone = await seed.image(sha(2), sha(2));
    expect(await seed.retag(production, 'production')).toBe(201);
    // Signatures (one untagged, one under cosign's fallback tag), an SBOM of production and a
    // signature of that SBOM; a signature of the image that goes; an old orphan; and two
    // platform images of a multi-platform push still uploading (no index tags them yet).
    const signature = await seed.referrer(production, 'sig');
    const fallbackTag = `sha256-${production.slice(7)}.sig`;
    const tagged = await seed.referrer(production, 'sig-tagged', fallbackTag);
    const sbom = await seed.referrer(production, 'sbom');
    const sbomSignature = await seed.referrer(sbom, 'sbom-sig');
    const goneSignature = await seed.referrer(gone, 'gone-sig');
    const orphan = await seed.image('orphan');
    const inProgress = [await seed.image('amd64-part'), await seed.image('arm64-part')];
    for (const tag of [sha(1), sha(2), 'production', fallbackTag]) acr.api.age(repository, tag, 90);
    for (const digest of [production, gone, signature, tagged, sbom, sbomSignature, goneSignature, orphan])
      acr.api.age(repository, digest, 90);

    const result = await run({
      mode: 'cleanup',
      repository,
      keep: '0',
      'keep-days': '30',
      'delete-tags': '*',
      protect: 'production',
    });
    succeeded(result);
    expect(names(repository)).toEqual(['production', fallbackTag].sort());
    expect(acr.api.manifests(repository).sort()).toEqual(
      [production, signature, tagged, sbom, sbomSignature, ...inProgress].sort(),
    );
    expect((JSON.parse(result.outputs.deleted ?? '') as string[]).sort()).toEqual(
      [
        `${acr.registry}/${repository}:${sha(1)}`,
        `${acr.registry}/${repository}:${sha(2)}`,
        ...[gone, goneSignature, orphan].map((digest) => `${acr.registry}/${repository}@${digest}`),
      ].sort(),
    );
    expect(result.summary).toMatch(/referrers of sha256:[0-9a-f]{12}/);
  });

  it('lock and cleanup need auth oidc, and say so before any request', async () => {
    const before = acr.stats.registryTokens;
    const result = await runAction('acr-push', {
      registry: acr.registry,
      mode: 'cleanup',
      repository: 'omis-pc/frontend',
      auth: 'password',
      username: ADMIN.username,
      password: ADMIN.password,
    });
    expect(failure(result)).toContain("input 'auth' must be oidc");
    expect(acr.stats.registryTokens).toBe(before);
  });
});
