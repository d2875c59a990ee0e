import * as core from '@actions/core';
import { imageRef } from '../../packages/shared/image-ref.js';
import { RegistryClient } from '../../packages/shared/registry-client.js';
import { registryCredential } from './auth.js';
import type { StepResult } from './build-step.js';
import type { AcrPushConfig } from './config.js';

/**
 * Promote mode: gives images already in the registry more tags by copying their manifests
 * through the registry API (no build, no layer download, the digest cannot change), in each
 * repository with one credential. Every source is read before any tag moves, so an image
 * missing in one repository moves no tag in the others. With dry-run, says what it would copy.
 */
export async function promoteStep(config: AcrPushConfig, from: string, tags: string[]): Promise<StepResult> {
  const sources = config.repositories.map((repository) => imageRef(config.registry, repository, from));
  const detail = `promote ${sources.join(', ')}`;
  if (config.dryRun) {
    for (const source of sources) core.info(`dry-run: would copy the manifest of ${source} to ${tags.join(', ')}`);
    return { digest: undefined, detail, digests: {} };
  }
  const digests: Record<string, string> = {};
  await core.group(`Promote ${from} to ${tags.join(', ')}`, async () => {
    const client = new RegistryClient(config.registry, await registryCredential(config));
    const manifests = [];
    for (const repository of config.repositories)
      manifests.push({ repository, manifest: await client.getManifest(repository, from) });
    for (const { repository, manifest } of manifests) {
      for (const tag of tags) {
        await client.putManifest(repository, tag, manifest);
      }
      digests[repository] = manifest.digest;
      core.info(`Promoted ${imageRef(config.registry, repository, manifest.digest)} to ${tags.join(', ')}`);
    }
  });
  return { digest: digests[config.repository], detail, digests };
}
