import type { RegistryClient } from '../../packages/shared/registry-client.js';

/**
 * Gives an image already in the registry more tags by copying its manifest through the
 * registry API: no build, no layer download, and the digest cannot change.
 */
export async function promote(
  client: RegistryClient,
  repository: string,
  source: string,
  tags: readonly string[],
): Promise<{ digest: string; mediaType: string }> {
  const manifest = await client.getManifest(repository, source);
  for (const tag of tags) {
    const digest = await client.putManifest(repository, tag, manifest);
    if (digest !== manifest.digest) throw new Error(`tag ${tag} points at ${digest}, not ${manifest.digest}`);
  }
  return { digest: manifest.digest, mediaType: manifest.mediaType };
}
