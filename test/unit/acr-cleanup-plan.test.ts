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
      { digest: digest(3), tags: [], references: [], locked: false },
      { digest: digest(4), tags: [], references: [], locked: false },
      { digest: digest(9), tags: [], references: [], locked: false },
    );
    const plan = planCleanup(base, { keep: 0, keepDays: 0, protect: ['multi'], deleteTags: ['*'] }, NOW);
    expect(plan.keptTags.map((tag) => [tag.name, tag.reason])).toEqual([
      ['multi', 'protected'],
      ['old', 'its image is locked'],
    ]);
    expect(plan.keptManifests.map((manifest) => manifest.digest).sort()).toEqual([digest(1), digest(2), digest(3), digest(4)]);
    expect(plan.deleteManifests.sort()).toEqual([digest(5), digest(9)]);
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
