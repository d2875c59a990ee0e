import * as core from '@actions/core';
import { imageRef } from '../../packages/shared/image-ref.js';
import { RegistryClient } from '../../packages/shared/registry-client.js';
import { registryCredential } from './auth.js';
import type { StepResult } from './build-step.js';
import type { AcrPushConfig } from './config.js';

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

/** Promote mode: the manifest copy, or with dry-run what it would copy. */
export async function promoteStep(config: AcrPushConfig, from: string, tags: string[], refs: string[]): Promise<StepResult> {
  const source = imageRef(config.registry, config.repository, from);
  const detail = `promote ${source}`;
  if (config.dryRun) {
    core.info(`dry-run: would copy the manifest of ${source} to ${refs.join(', ')}`);
    return { digest: undefined, detail };
  }
  const { digest } = await core.group(`Promote ${source}`, async () => {
    const client = new RegistryClient(config.registry, await registryCredential(config));
    return promote(client, config.repository, from, tags);
  });
  core.info(`Promoted ${digest} to ${refs.join(', ')}`);
  return { digest, detail };
}
