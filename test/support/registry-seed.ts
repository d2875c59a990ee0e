// Images pushed straight through the registry API (no Docker): one small layer shared by all,
// one config per image so every image has its own digest, and OCI manifests or indexes.
// Enough to give a registry dozens of tags in well under a second.
import { createHash } from 'node:crypto';
import { ADMIN, type FakeAcr } from './fake-acr.js';

const sha256 = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export interface Seeder {
  /** Pushes an image whose config carries `label`, tagged `tag` (or by digest only); returns its digest. */
  image: (label: string, tag?: string) => Promise<string>;
  /** A multi-platform index over new images for each platform; its children are untagged. */
  index: (label: string, tag: string) => Promise<{ digest: string; children: string[] }>;
  /**
   * An OCI referrer (a signature, say) whose `subject` is `subject`, untagged or tagged `tag`,
   * as `cosign`/`notation`/`oras attach` push one: empty config, one small layer.
   */
  referrer: (subject: string, label: string, tag?: string) => Promise<string>;
  /** Points `tag` at an existing manifest; the HTTP status. */
  retag: (digest: string, tag: string) => Promise<number>;
}

export async function seeder(acr: FakeAcr, repository: string): Promise<Seeder> {
  const base = `http://${acr.registry}`;
  const basic = Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64');
  const tokenAnswer = await fetch(
    `${base}/oauth2/token?service=${encodeURIComponent(acr.registry)}&scope=${encodeURIComponent(`repository:${repository}:pull,push`)}`,
    { headers: { authorization: `Basic ${basic}` } },
  );
  const { token } = (await tokenAnswer.json()) as { token: string };
  const auth = { authorization: `Bearer ${token}` };

  const blob = async (data: Buffer | string): Promise<{ digest: string; size: number }> => {
    const digest = sha256(data);
    const start = await fetch(`${base}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers: auth });
    if (start.status !== 202) throw new Error(`blob upload start: HTTP ${start.status}`);
    const location = new URL(start.headers.get('location') ?? '', base);
    location.searchParams.set('digest', digest);
    const put = await fetch(location, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/octet-stream' },
      body: typeof data === 'string' ? data : new Uint8Array(data),
    });
    if (put.status !== 201) throw new Error(`blob upload: HTTP ${put.status}`);
    return { digest, size: Buffer.byteLength(data) };
  };
  const putManifest = async (reference: string, body: string, mediaType: string): Promise<number> =>
    (
      await fetch(`${base}/v2/${repository}/manifests/${reference}`, {
        method: 'PUT',
        headers: { ...auth, 'content-type': mediaType },
        body,
      })
    ).status;

  const layer = await blob(Buffer.from('deploy-actions seed layer\n'));
  const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
  const manifests = new Map<string, { body: string; mediaType: string }>();

  const image = async (label: string, tag?: string, platform = { architecture: 'amd64', os: 'linux' }): Promise<string> => {
    const config = await blob(
      JSON.stringify({ ...platform, config: { Labels: { seed: label } }, rootfs: { type: 'layers', diff_ids: [] } }),
    );
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
    });
    const digest = sha256(body);
    manifests.set(digest, { body, mediaType: MANIFEST });
    const status = await putManifest(tag ?? digest, body, MANIFEST);
    if (status !== 201) throw new Error(`manifest ${label}: HTTP ${status}`);
    return digest;
  };

  return {
    image: (label, tag) => image(label, tag),
    index: async (label, tag) => {
      const platforms = [
        { architecture: 'amd64', os: 'linux' },
        { architecture: 'arm64', os: 'linux' },
      ];
      const children = [];
      for (const platform of platforms) children.push(await image(`${label}-${platform.architecture}`, undefined, platform));
      const mediaType = 'application/vnd.oci.image.index.v1+json';
      const body = JSON.stringify({
        schemaVersion: 2,
        mediaType,
        manifests: children.map((digest, index) => ({
          mediaType: MANIFEST,
          digest,
          size: Buffer.byteLength(manifests.get(digest)?.body ?? ''),
          platform: platforms[index],
        })),
      });
      const status = await putManifest(tag, body, mediaType);
      if (status !== 201) throw new Error(`index ${label}: HTTP ${status}`);
      return { digest: sha256(body), children };
    },
    referrer: async (subject, label, tag) => {
      const target = manifests.get(subject);
      if (!target) throw new Error(`not seeded here: ${subject}`);
      const empty = await blob('{}');
      const payload = await blob(`${label}\n`);
      const body = JSON.stringify({
        schemaVersion: 2,
        mediaType: MANIFEST,
        artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', ...empty },
        layers: [{ mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', ...payload }],
        subject: { mediaType: target.mediaType, digest: subject, size: Buffer.byteLength(target.body) },
      });
      const digest = sha256(body);
      manifests.set(digest, { body, mediaType: MANIFEST });
      const status = await putManifest(tag ?? digest, body, MANIFEST);
      if (status !== 201) throw new Error(`referrer ${label}: HTTP ${status}`);
      return digest;
    },
    retag: async (digest, tag) => {
      const manifest = manifests.get(digest);
      if (!manifest) throw new Error(`not seeded here: ${digest}`);
      return putManifest(tag, manifest.body, manifest.mediaType);
    },
  };
}
