import type { CleanupPolicy } from './config.js';
import { wildcardMatch } from '../../packages/shared/wildcard.js';

export interface TagInfo {
  name: string;
  digest: string;
  lastUpdatedOn: Date;
  /** canWrite or canDelete is false: a released image's tag. */
  locked: boolean;
}

export interface ManifestInfo {
  digest: string;
  tags: string[];
  /** The manifests an index (multi-platform image) points at. */
  references: string[];
  locked: boolean;
}

export interface Inventory {
  repository: string;
  tags: TagInfo[];
  manifests: ManifestInfo[];
}

export interface Kept {
  name: string;
  digest: string;
  reason: string;
}

export interface CleanupPlan {
  repository: string;
  keptTags: Kept[];
  deleteTags: { name: string; digest: string }[];
  keptManifests: { digest: string; reason: string }[];
  deleteManifests: string[];
}

const DAY_MS = 86_400_000;

/** `*` in a protect pattern matches any run of characters; everything else is literal. */
export function protectMatcher(patterns: readonly string[]): (tag: string) => boolean {
  return (tag) => patterns.some((pattern) => wildcardMatch(pattern, tag));
}

/**
 * What mode: cleanup keeps and deletes in one repository. A tag is kept, for the first reason
 * that applies: delete-tags does not select it (by default, anything but a 40-hex SHA); it is locked; its image is locked; it is a `*-last-good` tag; `protect` names
 * it; it is acr-push's `buildcache`; it is among the newest `keep` by lastUpdatedOn; it was
 * updated within `keep-days`. The other tags go. Then a manifest goes when no kept tag points
 * at it, it is not locked, and no kept image (an index) refers to it: deleting a platform's
 * manifest would break the multi-platform image that lists it.
 */
export function planCleanup(inventory: Inventory, policy: CleanupPolicy, now: number): CleanupPlan {
  const protectedTag = protectMatcher(policy.protect);
  const lockedManifests = new Set(inventory.manifests.filter((manifest) => manifest.locked).map((manifest) => manifest.digest));
  // Only what delete-tags selects is a candidate at all: an environment's tag (production,
  // staging) or a release's never is, however old.
  const candidate = (name: string): boolean =>
    policy.deleteTags.length === 0
      ? /^[0-9a-f]{40}$/.test(name)
      : policy.deleteTags.some((pattern) => wildcardMatch(pattern, name));
  // keep: the newest candidates, not the newest tags (a moving tag is always the newest).
  const newest = new Set(
    [...inventory.tags.filter((tag) => candidate(tag.name))]
      .sort((a, b) => b.lastUpdatedOn.getTime() - a.lastUpdatedOn.getTime() || a.name.localeCompare(b.name))
      .slice(0, policy.keep)
      .map((tag) => tag.name),
  );
  const reasonFor = (tag: TagInfo): string | undefined => {
    if (!candidate(tag.name)) return 'not selected by delete-tags';
    if (tag.locked) return 'locked';
    if (lockedManifests.has(tag.digest)) return 'its image is locked';
    if (tag.name.endsWith('-last-good')) return 'last good release';
    if (protectedTag(tag.name)) return 'protected';
    if (tag.name === 'buildcache') return 'build cache';
    if (newest.has(tag.name)) return `newest ${policy.keep}`;
    if (now - tag.lastUpdatedOn.getTime() < policy.keepDays * DAY_MS) return `younger than ${policy.keepDays} days`;
    return undefined;
  };

  const keptTags: Kept[] = [];
  const deleteTags: { name: string; digest: string }[] = [];
  for (const tag of [...inventory.tags].sort((a, b) => a.name.localeCompare(b.name))) {
    const reason = reasonFor(tag);
    if (reason) keptTags.push({ name: tag.name, digest: tag.digest, reason });
    else deleteTags.push({ name: tag.name, digest: tag.digest });
  }

  // Manifests kept by a lock or a kept tag, then everything those refer to, transitively.
  const kept = new Map<string, string>();
  for (const manifest of inventory.manifests) if (manifest.locked) kept.set(manifest.digest, 'locked');
  for (const tag of keptTags) if (!kept.has(tag.digest)) kept.set(tag.digest, `tagged ${tag.name}`);
  const byDigest = new Map(inventory.manifests.map((manifest) => [manifest.digest, manifest]));
  const queue = [...kept.keys()];
  for (let index = 0; index < queue.length; index++) {
    const parent = queue[index] ?? '';
    for (const child of byDigest.get(parent)?.references ?? []) {
      if (kept.has(child)) continue;
      kept.set(child, `part of ${parent.slice(0, 19)}`);
      queue.push(child);
    }
  }
  const keptManifests = inventory.manifests
    .filter((manifest) => kept.has(manifest.digest))
    .map((manifest) => ({ digest: manifest.digest, reason: kept.get(manifest.digest) ?? '' }));
  const deleteManifests = inventory.manifests.filter((manifest) => !kept.has(manifest.digest)).map((manifest) => manifest.digest);
  return { repository: inventory.repository, keptTags, deleteTags, keptManifests, deleteManifests };
}
