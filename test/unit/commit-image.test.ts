// acr-push's reuse of a commit's image, on a registry held in a Map (the integration test
// runs it against the real registry behind the ACR stand-in).
import { describe, expect, it } from 'vitest';
import { reuseCommitImage } from '../../actions/acr-push/commit-image.js';
import { isFullSha } from '../../packages/shared/git-ref.js';
import type { Manifest, RegistryClient } from '../../packages/shared/registry-client.js';

const SHA = 'a'.repeat(40);
const OTHER_SHA = 'b'.repeat(40);
const image = (digest: string): Manifest => ({
  bytes: Buffer.from(digest),
  mediaType: 'application/vnd.oci.image.index.v1+json',
  digest,
});

function registry(tags: Record<string, Manifest>) {
  const puts: string[] = [];
  const client = {
    registry: 'acr.example.io',
    findManifest: (_repository: string, tag: string) => Promise.resolve(tags[tag]),
    putManifest: (_repository: string, tag: string, manifest: Manifest) => {
      puts.push(tag);
      tags[tag] = manifest;
      return Promise.resolve();
    },
  } as unknown as RegistryClient;
  return { client, puts };
}

describe("a commit's image", () => {
  it('is reused when its SHA tag exists, and the mutable tags move to it', async () => {
    const { client, puts } = registry({ [SHA]: image('sha256:1'), latest: image('sha256:0') });
    expect(await reuseCommitImage(client, 'omis/app', [SHA, 'latest'])).toEqual({
      commitTag: SHA,
      digest: 'sha256:1',
      moved: ['latest'],
    });
    expect(puts).toEqual(['latest']);
  });

  it('is built when the tags hold no commit SHA, or the registry has none under it', async () => {
    const { client, puts } = registry({ latest: image('sha256:0') });
    expect(await reuseCommitImage(client, 'omis/app', ['latest', 'rc'])).toBeUndefined();
    expect(await reuseCommitImage(client, 'omis/app', [SHA, 'latest'])).toBeUndefined();
    expect(puts).toEqual([]);
  });

  it('never moves another commit tag that names another image', async () => {
    const { client, puts } = registry({ [SHA]: image('sha256:1'), [OTHER_SHA]: image('sha256:2') });
    await expect(reuseCommitImage(client, 'omis/app', [SHA, OTHER_SHA])).rejects.toThrow(
      `acr.example.io/omis/app:${OTHER_SHA} already names sha256:2, not sha256:1: commit tags are immutable and never moved`,
    );
    expect(puts).toEqual([]);
  });

  it('is named by 40 or 64 lowercase hex digits only (isFullSha)', () => {
    expect(isFullSha(SHA)).toBe(true);
    expect(isFullSha('c'.repeat(64))).toBe(true);
    for (const tag of ['A'.repeat(40), 'a'.repeat(39), 'a'.repeat(41), 'latest', `v${'a'.repeat(39)}`])
      expect(isFullSha(tag)).toBe(false);
  });
});
