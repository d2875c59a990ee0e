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
  const policy = { keep: 2, keepDays: 30, protect: ['v*'] };

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
      { keep: 0, keepDays: 30, protect: [] },
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
    const plan = planCleanup(base, { keep: 0, keepDays: 0, protect: ['multi'] }, NOW);
    expect(plan.keptTags.map((tag) => [tag.name, tag.reason])).toEqual([
      ['multi', 'protected'],
      ['old', 'its image is locked'],
    ]);
    expect(plan.keptManifests.map((manifest) => manifest.digest).sort()).toEqual([digest(1), digest(2), digest(3), digest(4)]);
    expect(plan.deleteManifests.sort()).toEqual([digest(5), digest(9)]);
  });

  it('matches protect patterns literally except for *', () => {
    const matches = protectMatcher(['v1.*', 'release-*-final']);
    expect(['v1.2', 'v1.', 'release-3-final'].map(matches)).toEqual([true, true, true]);
    expect(['v12', 'xv1.2', 'release-3-finalx'].map(matches)).toEqual([false, false, false]);
  });
});
