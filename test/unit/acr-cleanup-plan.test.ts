import { describe, expect, it } from 'vitest';
import { type Inventory, planCleanup, protectMatcher } from '../../actions/acr-push/cleanup-plan.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW - days * 86_400_000);
const digest = (n: number) => `sha256:${String(n).padStart(64, '0')}`;

function inventory(tags: [string, number, number, boolean?][], extra: Partial<Inventory> = {}): Inventory {
  const digests = [...new Set(tags.map(([, d]) => d))];
  return {
    repository: 'omis-pc/web',
    tags: tags.map(([name, d, age, locked]) => ({
      name,
      digest: digest(d),
      lastUpdatedOn: daysAgo(age),
      locked: locked ?? false,
    })),
    manifests: digests.map((d) => ({
      digest: digest(d),
      tags: tags.filter(([, td]) => td === d).map(([name]) => name),
      references: [],
      locked: false,
      createdOn: daysAgo(Math.max(...tags.filter(([, td]) => td === d).map(([, , age]) => age))),
    })),
    ...extra,
  };
}

describe('planCleanup', () => {
  const policy = { keep: 2, keepDays: 30, protect: ['v*'], deleteTags: ['*'] };

  it('keeps each tag for its first reason and deletes the rest, then the untagged images', () => {
    const plan = planCleanup(
      inventory([
        ['old1', 1, 100],
        ['old2', 2, 90],
        ['locked', 3, 95, true],
        ['production-last-good', 4, 200],
        ['v1.2.0', 5, 300],
        ['young', 6, 10],
        ['newest', 7, 1],
        ['buildcache', 8, 400],
        ['second-tag-of-4', 4, 150],
      ]),
      policy,
      NOW,
    );
    expect(plan.keptTags.map((tag) => [tag.name, tag.reason])).toEqual([
      ['buildcache', 'build cache'],
      ['locked', 'locked'],
      ['newest', 'newest 2'],
      ['production-last-good', 'last good release'],
      ['v1.2.0', 'protected'],
      ['young', 'newest 2'],
    ]);
    expect(plan.deleteTags.map((tag) => tag.name)).toEqual(['old1', 'old2', 'second-tag-of-4']);
    // Image 4 keeps its last-good tag, so only images 1 and 2 go.
    expect(plan.deleteManifests).toEqual([digest(1), digest(2)]);
  });

  it('keeps younger than keep-days beyond keep, and nothing by count with keep 0', () => {
    const plan = planCleanup(
      inventory([
        ['a', 1, 5],
        ['b', 2, 29],
        ['c', 3, 31],
      ]),
      { keep: 0, keepDays: 30, protect: [], deleteTags: ['*'] },
      NOW,
    );
    expect(plan.keptTags.map((tag) => tag.reason)).toEqual(['younger than 30 days', 'younger than 30 days']);
    expect(plan.deleteTags.map((tag) => tag.name)).toEqual(['c']);
  });

  it('keeps a locked image and its tags, and the platform images a kept index refers to', () => {
    const base = inventory([
      ['old', 1, 100],
      ['multi', 2, 100],
      ['gone', 5, 100],
    ]);
    base.manifests[0] = { ...base.manifests[0]!, locked: true };
    base.manifests[1] = { ...base.manifests[1]!, references: [digest(3), digest(4)] };
    base.manifests.push(
      { digest: digest(3), tags: [], references: [], locked: false, createdOn: daysAgo(100) },
      { digest: digest(4), tags: [], references: [], locked: false, createdOn: daysAgo(100) },
      { digest: digest(9), tags: [], references: [], locked: false, createdOn: daysAgo(100) },
    );
    const plan = planCleanup(base, { keep: 0, keepDays: 0, protect: ['multi'], deleteTags: ['*'] }, NOW);
    expect(plan.keptTags.map((tag) => [tag.name, tag.reason])).toEqual([
      ['multi', 'protected'],
      ['old', 'its image is locked'],
    ]);
    expect(plan.keptManifests.map((manifest) => manifest.digest).sort()).toEqual([digest(1), digest(2), digest(3), digest(4)]);
    expect(plan.deleteManifests.sort()).toEqual([digest(5), digest(9)]);
  });

  it('keeps untagged manifests younger than keep-days (a push in progress), and deletes old ones', () => {
    const base = inventory([['old', 1, 100]]);
    const untagged = (n: number, age: number) => ({
      digest: digest(n),
      tags: [],
      references: [],
      locked: false,
      createdOn: daysAgo(age),
    });
    // A multi-platform push: two platforms uploaded an hour ago, the index not yet.
    base.manifests.push(untagged(2, 0.04), untagged(3, 0.04), untagged(4, 29.9), untagged(5, 30.1), untagged(6, 400));
    const plan = planCleanup(base, { keep: 0, keepDays: 30, protect: [], deleteTags: ['*'] }, NOW);
    expect(plan.deleteManifests.sort()).toEqual([digest(1), digest(5), digest(6)]);
    expect(plan.keptManifests.find((manifest) => manifest.digest === digest(2))?.reason).toBe('untagged, younger than 30 days');
    // keep-days 0: nothing is young.
    const none = planCleanup(base, { keep: 0, keepDays: 0, protect: [], deleteTags: ['*'] }, NOW);
    expect(none.keptManifests).toEqual([]);
  });

  it('keeps the referrers (signatures, SBOMs) of kept images, transitively, and their fallback tags', () => {
    const hex = (n: number) => digest(n).slice(7);
    const base = inventory([
      ['production', 1, 300],
      [String(1).repeat(40), 1, 300],
      [String(2).repeat(40), 2, 300],
      [`sha256-${hex(1)}.sig`, 7, 300],
      [`sha256-${hex(2)}.sig`, 8, 300],
    ]);
    const referrer = (n: number, subject: number) => ({
      digest: digest(n),
      tags: [],
      references: [],
      locked: false,
      createdOn: daysAgo(300),
      subject: digest(subject),
    });
    // 3 signs the kept image 1; 4 is an SBOM of 1 and 5 signs that SBOM; 6 signs image 2, which goes.
    base.manifests.push(referrer(3, 1), referrer(4, 1), referrer(5, 4), referrer(6, 2));
    const plan = planCleanup(base, { keep: 0, keepDays: 30, protect: ['production'], deleteTags: ['*'] }, NOW);
    expect(plan.keptManifests.map((manifest) => [manifest.digest, manifest.reason]).sort()).toEqual(
      [
        [digest(1), 'tagged production'],
        [digest(3), `refers to ${digest(1).slice(0, 19)}`],
        [digest(4), `refers to ${digest(1).slice(0, 19)}`],
        [digest(5), `refers to ${digest(4).slice(0, 19)}`],
        [digest(7), `tagged sha256-${hex(1)}.sig`],
      ].sort(),
    );
    expect(plan.keptTags.map((tag) => [tag.name, tag.reason])).toEqual([
      ['production', 'protected'],
      [`sha256-${hex(1)}.sig`, `referrers of ${digest(1).slice(0, 19)}`],
    ]);
    expect(plan.deleteTags.map((tag) => tag.name).sort()).toEqual([
      String(1).repeat(40),
      String(2).repeat(40),
      `sha256-${hex(2)}.sig`,
    ]);
    expect(plan.deleteManifests.sort()).toEqual([digest(2), digest(6), digest(8)]);
  });

  it('deletes only what delete-tags selects, by default the 40-hex SHA tags the builds push', () => {
    const sha = (n: number) => String(n).repeat(40).slice(0, 40);
    const plan = planCleanup(
      inventory([
        ['production', 1, 400],
        ['staging', 2, 300],
        ['v1.2.0', 3, 300],
        [sha(4), 4, 200],
        [sha(5), 5, 100],
        [sha(6), 6, 1],
      ]),
      { keep: 1, keepDays: 30, protect: [], deleteTags: [] },
      NOW,
    );
    expect(plan.deleteTags.map((tag) => tag.name)).toEqual([sha(4), sha(5)]);
    expect(plan.keptTags.map((tag) => [tag.name, tag.reason])).toEqual([
      [sha(6), 'newest 1'],
      ['production', 'not selected by delete-tags'],
      ['staging', 'not selected by delete-tags'],
      ['v1.2.0', 'not selected by delete-tags'],
    ]);
    // An environment's image stays however old: only images 4 and 5 go.
    expect(plan.deleteManifests).toEqual([digest(4), digest(5)]);
  });

  it('matches patterns in linear time: no backtracking on a hostile one', async () => {
    const { wildcardMatch } = await import('../../packages/shared/wildcard.js');
    const started = performance.now();
    expect(wildcardMatch('*-*-*-*-*-*-x', '-'.repeat(128))).toBe(false);
    expect(wildcardMatch('*a*b*c', 'xxaxxbxxc')).toBe(true);
    expect(wildcardMatch('a*', 'a')).toBe(true);
    expect(wildcardMatch('', '')).toBe(true);
    expect(wildcardMatch('*', '')).toBe(true);
    expect(wildcardMatch('a?', 'ab')).toBe(false);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('matches protect patterns literally except for *', () => {
    const matches = protectMatcher(['v1.*', 'release-*-final']);
    expect(['v1.2', 'v1.', 'release-3-final'].map(matches)).toEqual([true, true, true]);
    expect(['v12', 'xv1.2', 'release-3-finalx'].map(matches)).toEqual([false, false, false]);
  });
});
