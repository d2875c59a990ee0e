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
  /** When the registry received it: an untagged manifest this young may be a push in progress. */
  createdOn: Date;
  /**
   * The manifest an OCI referrer (signature, SBOM, attestation) is about: its `subject`. Read
   * only for manifests a first plan would delete (cleanup.ts), so undefined means "not read" or
   * "none".
   */
  subject?: string;
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
/** The OCI referrers tag schema's fallback tag, and cosign's `.sig`/`.att`/`.sbom` tags. */
const REFERRERS_TAG = /^sha256-([0-9a-f]{64})(?:\.[a-z]{1,16})?$/;

const referrersTagSubject = (tag: string): string | undefined => {
  const hex = REFERRERS_TAG.exec(tag)?.[1];
  return hex === undefined ? undefined : `sha256:${hex}`;
};

/**
 * The manifests that stay, with why, grown one keep at a time: each keep takes along every
 * manifest the kept one is made of (a multi-platform index's platforms), transitively.
 */
function manifestKeeper(inventory: Inventory): {
  kept: Map<string, string>;
  keep: (digest: string, reason: string) => void;
  keepReferrers: () => void;
} {
  const kept = new Map<string, string>();
  const byDigest = new Map(inventory.manifests.map((manifest) => [manifest.digest, manifest]));
  const keep = (digest: string, reason: string): void => {
    if (kept.has(digest)) return;
    kept.set(digest, reason);
    const queue = [digest];
    for (let index = 0; index < queue.length; index++) {
      const parent = queue[index] ?? '';
      for (const child of byDigest.get(parent)?.references ?? []) {
        if (kept.has(child)) continue;
        kept.set(child, `part of ${parent.slice(0, 19)}`);
        queue.push(child);
      }
    }
  };
  // Referrers (signatures, SBOMs, attestations) of kept manifests, to a fixed point: a
  // signature of a kept SBOM stays too. Each round keeps one more manifest or ends, so there
  // are at most as many rounds as manifests.
  const keepReferrers = (): void => {
    for (let round = 0; round <= inventory.manifests.length; round++) {
      const next = inventory.manifests.find(
        (manifest) => !kept.has(manifest.digest) && manifest.subject !== undefined && kept.has(manifest.subject),
      );
      if (!next) return;
      keep(next.digest, `refers to ${next.subject?.slice(0, 19) ?? ''}`);
    }
  };
  return { kept, keep, keepReferrers };
}

/** `*` in a protect pattern matches any run of characters; everything else is literal. */
export function protectMatcher(patterns: readonly string[]): (tag: string) => boolean {
  return (tag) => patterns.some((pattern) => wildcardMatch(pattern, tag));
}

/**
 * What mode: cleanup keeps and deletes in one repository. A tag is kept, for the first reason
 * that applies: delete-tags does not select it (by default, anything but a 40-hex SHA); it is
 * locked; its image is locked; it is a `*-last-good` tag; `protect` names it; it is acr-push's
 * `buildcache`; it is among the newest `keep` by lastUpdatedOn; it was updated within
 * `keep-days`; it is the referrers tag of a kept image. The other tags go. A manifest goes
 * when it is not locked, no kept tag points at it, it is not an untagged one younger than
 * keep-days, no kept image (an index) is made of it (deleting a platform's manifest would
 * break the multi-platform image that lists it), and it is no referrer of a kept one.
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

  // Manifests: locked ones, those a kept tag points at, and untagged ones younger than
  // keep-days (a multi-platform push uploads its platforms before the index that tags them).
  const { kept, keep, keepReferrers } = manifestKeeper(inventory);
  for (const manifest of inventory.manifests) if (manifest.locked) keep(manifest.digest, 'locked');
  for (const tag of keptTags) keep(tag.digest, `tagged ${tag.name}`);
  for (const manifest of inventory.manifests) {
    if (manifest.tags.length === 0 && now - manifest.createdOn.getTime() < policy.keepDays * DAY_MS)
      keep(manifest.digest, `untagged, younger than ${policy.keepDays} days`);
  }
  keepReferrers();
  // A fallback referrers tag (`sha256-<hex>`, cosign's `sha256-<hex>.sig`) names the image its
  // referrers are about: while that image stays, so does the tag, whatever delete-tags says.
  // Each round keeps one tag or ends.
  for (let round = 0; round <= inventory.tags.length; round++) {
    const rescued = deleteTags.findIndex((tag) => kept.has(referrersTagSubject(tag.name) ?? ''));
    if (rescued < 0) break;
    const [tag] = deleteTags.splice(rescued, 1) as [{ name: string; digest: string }];
    keptTags.push({ ...tag, reason: `referrers of ${(referrersTagSubject(tag.name) ?? '').slice(0, 19)}` });
    keep(tag.digest, `tagged ${tag.name}`);
    keepReferrers();
  }
  keptTags.sort((a, b) => a.name.localeCompare(b.name));
  const keptManifests = inventory.manifests
    .filter((manifest) => kept.has(manifest.digest))
    .map((manifest) => ({ digest: manifest.digest, reason: kept.get(manifest.digest) ?? '' }));
  const deleteManifests = inventory.manifests.filter((manifest) => !kept.has(manifest.digest)).map((manifest) => manifest.digest);
  return { repository: inventory.repository, keptTags, deleteTags, keptManifests, deleteManifests };
}
