import * as core from '@actions/core';
import { imageRef, isTag } from '../../packages/shared/image-ref.js';
import type { AcrPushConfig } from './config.js';
import { registryAdmin } from './registry-admin.js';

/** ACR's lock: neither overwritten nor deleted. Reading and listing stay allowed. */
const LOCKED = { canWrite: false, canDelete: false } as const;

export interface LockTarget {
  repository: string;
  /** The promoted manifest; undefined in a dry run, which reads nothing. */
  digest: string | undefined;
  /** The promote source when it is a tag: the release's immutable SHA tag. */
  tag: string | undefined;
}

/**
 * What a promote with `lock: true` locks in each repository: the manifest it promoted, by
 * digest, and the tag it promoted from. The tags it wrote (`<environment>`,
 * `<environment>-last-good`) move with every release, so they stay writable.
 */
export function lockTargets(config: AcrPushConfig, digests: Record<string, string>, written: string[]): LockTarget[] {
  const source = config.promote ?? '';
  const tag = isTag(source) && !written.includes(source) ? source : undefined;
  return config.repositories.map((repository) => ({ repository, digest: digests[repository], tag }));
}

/** The references a target locks, as `registry/repository@digest` and `registry/repository:tag`. */
export const lockedRefs = (registry: string, target: LockTarget): string[] => [
  ...(target.digest ? [imageRef(registry, target.repository, target.digest)] : []),
  ...(target.tag ? [imageRef(registry, target.repository, target.tag)] : []),
];

/** Locks each target through ACR's API; returns what is now locked (or would be, in a dry run). */
export async function lockStep(config: AcrPushConfig, targets: LockTarget[]): Promise<string[]> {
  if (config.dryRun) {
    const refs = targets.map((target) => imageRef(config.registry, target.repository, config.promote));
    for (const ref of refs) core.info(`dry-run: would lock the manifest of ${ref} and its source tag`);
    return refs;
  }
  const client = await registryAdmin(config);
  const locked: string[] = [];
  await core.group('Lock the promoted images', async () => {
    for (const target of targets) {
      if (!target.digest) throw new Error(`no digest was promoted in ${target.repository}; nothing to lock`);
      const artifact = client.getArtifact(target.repository, target.digest);
      const manifest = await artifact.updateManifestProperties(LOCKED);
      if (manifest.canWrite !== false || manifest.canDelete !== false) {
        throw new Error(`${target.repository}@${target.digest} is still writable after the lock`);
      }
      // An index is its platforms and its attestations (provenance, SBOM): locked with it, or
      // a cleanup or a delete could leave the locked image without its parts.
      for (const part of manifest.relatedArtifacts) {
        const locked = await client.getArtifact(target.repository, part.digest).updateManifestProperties(LOCKED);
        if (locked.canWrite !== false || locked.canDelete !== false) {
          throw new Error(`${target.repository}@${part.digest}, part of ${target.digest}, is still writable after the lock`);
        }
        core.info(`Locked ${imageRef(config.registry, target.repository, part.digest)}, part of the promoted image`);
      }
      if (target.tag) {
        const tag = await artifact.getTagProperties(target.tag);
        if (tag.digest !== target.digest) {
          // The tag moved between the promote and the lock: another run re-pointed it.
          throw new Error(`${target.repository}:${target.tag} points at ${tag.digest}, not the promoted ${target.digest}`);
        }
        await artifact.updateTagProperties(target.tag, LOCKED);
      }
      for (const ref of lockedRefs(config.registry, target)) {
        core.info(`Locked ${ref} (no overwrite, no delete)`);
        locked.push(ref);
      }
    }
  });
  return locked;
}
