// A commit's image is built once. Its SHA tag is immutable: the staging and the production
// callers of one commit, or a re-run of its workflow, find the tag in the registry and reuse
// the image it names instead of building again. A rebuild would overwrite the tag with
// another digest (image configs carry their build time), leaving the image an environment
// was gated on, and may be running by digest, untagged and up for cleanup.
// Only a full commit SHA (isFullSha: SHA-1 or SHA-256 repositories) counts as such a tag.
import { isFullSha } from '../../packages/shared/git-ref.js';
import type { Manifest, RegistryClient } from '../../packages/shared/registry-client.js';

export interface ReusedImage {
  commitTag: string;
  digest: string;
  /** The build's other tags, now naming the same image. */
  moved: string[];
}

/**
 * The image the build's commit tag already names in `repository`, with the build's other
 * (mutable) tags moved to it; undefined when the tags hold no commit tag or the registry has
 * no image under it, so the build runs. Another commit tag of the build that names another
 * image is an error: immutable tags are never moved.
 */
export async function reuseCommitImage(
  client: RegistryClient,
  repository: string,
  tags: readonly string[],
): Promise<ReusedImage | undefined> {
  const commitTag = tags.find(isFullSha);
  if (commitTag === undefined) return undefined;
  const image = await client.findManifest(repository, commitTag);
  if (!image) return undefined;
  const moved: string[] = [];
  for (const tag of tags) {
    if (tag === commitTag) continue;
    if (isFullSha(tag)) await sameOrAbsent(client, repository, tag, image);
    await client.putManifest(repository, tag, image);
    moved.push(tag);
  }
  return { commitTag, digest: image.digest, moved };
}

async function sameOrAbsent(client: RegistryClient, repository: string, tag: string, image: Manifest): Promise<void> {
  const other = await client.findManifest(repository, tag);
  if (other && other.digest !== image.digest) {
    throw new Error(
      `${client.registry}/${repository}:${tag} already names ${other.digest}, not ${image.digest}: commit tags are immutable and never moved`,
    );
  }
}
