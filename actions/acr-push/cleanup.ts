import * as core from '@actions/core';
import type { ContainerRegistryClient, ContainerRegistryContentClient } from '@azure/container-registry';
import { mapWithLimit } from '../../packages/shared/concurrency.js';
import { imageRef } from '../../packages/shared/image-ref.js';
import { code, escapeMarkdown, table } from '../../packages/shared/summary.js';
import { type CleanupPlan, type Inventory, planCleanup } from './cleanup-plan.js';
import type { AcrPushConfig } from './config.js';
import { registryClients, restStatusOf } from './registry-admin.js';

/** Manifest reads (for a referrer's subject) at once per repository. */
const READ_CONCURRENCY = 4;
/** Deletes at once per repository: ACR throttles a registry's API, and the SDK backs off on 429. */
const DELETE_CONCURRENCY = 4;
/** Rows per table in the job summary (GitHub caps a summary at 1 MiB). */
const SUMMARY_ROWS = 200;

export interface CleanupResult {
  plans: CleanupPlan[];
  /** `registry/repository:tag` and `registry/repository@digest` deleted (or, in a dry run, to delete). */
  deleted: string[];
  /** Deletes the registry refused (a lock set meanwhile): kept, with a warning. */
  refused: string[];
  repositoriesMissing: string[];
}

const isLocked = (item: { canWrite?: boolean; canDelete?: boolean }) => item.canWrite === false || item.canDelete === false;

/** Every tag and manifest of a repository with its lock and age, through ACR's paged API. */
async function readInventory(client: ContainerRegistryClient, repository: string): Promise<Inventory> {
  const manifests: Inventory['manifests'] = [];
  for await (const manifest of client.getRepository(repository).listManifestProperties()) {
    manifests.push({
      digest: manifest.digest,
      tags: manifest.tags,
      references: manifest.relatedArtifacts.map((artifact) => artifact.digest),
      locked: isLocked(manifest),
      createdOn: manifest.createdOn,
    });
  }
  // Tag times and locks are the tags' own. SDK 1.1 lists every tag of the repository from
  // any artifact (it sends no digest filter): one paged listing. Should a version filter by
  // digest, the images whose tags are still missing are listed one by one.
  const tags = new Map<string, Inventory['tags'][number]>();
  const tagged = manifests.filter((manifest) => manifest.tags.length > 0);
  for (const manifest of tagged) {
    if (manifest.tags.every((name) => tags.has(name))) continue;
    for await (const tag of client.getArtifact(repository, manifest.digest).listTagProperties()) {
      tags.set(tag.name, { name: tag.name, digest: tag.digest, lastUpdatedOn: tag.lastUpdatedOn, locked: isLocked(tag) });
    }
  }
  return { repository, tags: [...tags.values()], manifests };
}

/**
 * The `subject` of each manifest a plan would delete: an OCI referrer (a signature, an SBOM,
 * an attestation) whose subject stays must stay too. ACR's listing does not carry it, so each
 * candidate's manifest is read, and only those: a kept manifest's referrers are among them. A
 * manifest gone meanwhile has none.
 */
async function readSubjects(content: ContainerRegistryContentClient, digests: string[]): Promise<Map<string, string>> {
  const subjects = new Map<string, string>();
  await mapWithLimit(digests, READ_CONCURRENCY, async (digest) => {
    try {
      const { manifest } = await content.getManifest(digest);
      const subject = (manifest as { subject?: { digest?: unknown } }).subject?.digest;
      if (typeof subject === 'string') subjects.set(digest, subject);
    } catch (error) {
      if (restStatusOf(error) !== 404) throw error;
    }
  });
  return subjects;
}

async function repositoriesToClean(client: ContainerRegistryClient, config: AcrPushConfig): Promise<string[]> {
  if (config.repositoryPrefix === undefined) return config.repositories;
  const prefix = config.repositoryPrefix;
  const names: string[] = [];
  for await (const name of client.listRepositoryNames()) if (name === prefix || name.startsWith(`${prefix}/`)) names.push(name);
  return names.sort();
}

/**
 * mode: cleanup. Reads each repository, plans what goes (cleanup-plan.ts), and deletes the
 * tags, then the manifests left untagged. A dry run reads and plans only. A delete the
 * registry refuses (HTTP 405: someone locked it meanwhile) is kept and warned about; any
 * other failure stops the step.
 */
export async function cleanupStep(config: AcrPushConfig, now = Date.now()): Promise<CleanupResult> {
  const { admin: client, content } = await registryClients(config);
  const result: CleanupResult = { plans: [], deleted: [], refused: [], repositoriesMissing: [] };
  for (const repository of await repositoriesToClean(client, config)) {
    let inventory: Inventory;
    try {
      inventory = await readInventory(client, repository);
    } catch (error) {
      if (restStatusOf(error) !== 404) throw error;
      core.warning(`Repository ${config.registry}/${repository} does not exist; nothing to clean there`);
      result.repositoriesMissing.push(repository);
      continue;
    }
    // Referrers of kept images stay: the subjects of what a first plan deletes are read, and
    // the plan made again with them (it can only keep more).
    const subjects = await readSubjects(content(repository), planCleanup(inventory, config.cleanup, now).deleteManifests);
    for (const manifest of inventory.manifests) manifest.subject = subjects.get(manifest.digest);
    const plan = planCleanup(inventory, config.cleanup, now);
    result.plans.push(plan);
    core.info(
      `${repository}: ${plan.keptTags.length} tags kept, ${plan.deleteTags.length} tags and ${plan.deleteManifests.length} manifests ${config.dryRun ? 'would go' : 'to delete'}`,
    );
    // Compare-and-swap: each delete goes only if the tag still points at the planned digest,
    // and an image only while no tag points at it: a push or a promote since the inventory
    // (a production tag moved to it) wins over the plan.
    const tagDeletions = plan.deleteTags.map((tag) => ({
      ref: imageRef(config.registry, repository, tag.name),
      run: async (): Promise<string | undefined> => {
        const artifact = client.getArtifact(repository, tag.digest);
        const now = await artifact.getTagProperties(tag.name);
        if (now.digest !== tag.digest) return `it points at ${now.digest} now, not ${tag.digest}`;
        await artifact.deleteTag(tag.name);
        return undefined;
      },
    }));
    const manifestDeletions = plan.deleteManifests.map((digest) => ({
      ref: imageRef(config.registry, repository, digest),
      run: async (): Promise<string | undefined> => {
        const artifact = client.getArtifact(repository, digest);
        let tags: string[];
        try {
          tags = (await artifact.getManifestProperties()).tags;
        } catch (error) {
          if (restStatusOf(error) === 404) return 'it is gone already';
          throw error;
        }
        if (tags.length > 0) return `it is tagged ${tags.join(', ')} now`;
        await artifact.delete();
        return undefined;
      },
    }));
    // Tags first: a manifest goes only once no tag of it is left.
    for (const batch of [tagDeletions, manifestDeletions]) {
      if (config.dryRun) {
        for (const { ref } of batch) core.info(`dry-run: would delete ${ref}`);
        result.deleted.push(...batch.map(({ ref }) => ref));
        continue;
      }
      const outcomes = await mapWithLimit(batch, DELETE_CONCURRENCY, async ({ ref, run }) => {
        try {
          const moved = await run();
          if (moved !== undefined) {
            core.warning(`${ref} changed since the plan (${moved}); it is kept`);
            return { ref, deleted: false };
          }
          core.info(`Deleted ${ref}`);
          return { ref, deleted: true };
        } catch (error) {
          if (restStatusOf(error) !== 405) throw error;
          core.warning(`The registry refused to delete ${ref} (locked); it is kept`);
          return { ref, deleted: false };
        }
      });
      result.deleted.push(...outcomes.filter((outcome) => outcome.deleted).map((outcome) => outcome.ref));
      result.refused.push(...outcomes.filter((outcome) => !outcome.deleted).map((outcome) => outcome.ref));
    }
  }
  return result;
}

/** The step's outputs: what went, and how many tags stayed. */
export function cleanupOutputs(result: CleanupResult): { deleted: string; kept: string } {
  const kept = result.plans.reduce((sum, plan) => sum + plan.keptTags.length, 0);
  return { deleted: JSON.stringify(result.deleted), kept: String(kept) };
}

const deleteTags = (config: AcrPushConfig): string =>
  config.cleanup.deleteTags.length === 0
    ? 'named by a 40-hex commit SHA'
    : `matching ${config.cleanup.deleteTags.map(code).join(', ')}`;

const short = (digest: string) => code(digest.slice(0, 19));

function rows<T>(items: T[], render: (item: T) => string[], header: string[]): string {
  if (items.length === 0) return '_none_';
  const shown = items.slice(0, SUMMARY_ROWS).map((item) => render(item).map((cell) => ({ markdown: cell })));
  const more = items.length > SUMMARY_ROWS ? `\n\n…and ${items.length - SUMMARY_ROWS} more.` : '';
  return `${table(header, shown)}${more}`;
}

export function renderCleanup(config: AcrPushConfig, result: CleanupResult, seconds: number): string {
  const verb = config.dryRun ? 'would delete' : 'deleted';
  // Every part is a validated number or tag pattern, shown as code: nothing to escape.
  const protect = ['*-last-good', 'buildcache', ...config.cleanup.protect].map(code).join(', ');
  const policy = `deletes only tags ${deleteTags(config)}; keeps the newest ${config.cleanup.keep} of those, those younger than ${config.cleanup.keepDays} days, untagged images younger than that, locked images, referrers of kept images, and ${protect}`;
  const lines = [
    `### acr-push cleanup: ${verb} ${result.deleted.length} tags and manifests in ${code(config.registry)}`,
    '',
    `Policy: ${policy}; ${seconds.toFixed(1)} s.`,
  ];
  for (const plan of result.plans) {
    lines.push(
      '',
      `#### ${code(plan.repository)}`,
      '',
      `Kept (${plan.keptTags.length} tags, ${plan.keptManifests.length} images):`,
      '',
      rows(plan.keptTags, (tag) => [code(tag.name), short(tag.digest), escapeMarkdown(tag.reason)], ['tag', 'digest', 'why']),
      '',
      `${config.dryRun ? 'Would go' : 'Went'} (${plan.deleteTags.length} tags, ${plan.deleteManifests.length} images):`,
      '',
      rows(
        [
          ...plan.deleteTags.map((tag) => [code(tag.name), short(tag.digest)]),
          ...plan.deleteManifests.map((digest) => ['_untagged image_', short(digest)]),
        ],
        (row) => row,
        ['tag', 'digest'],
      ),
    );
  }
  if (result.refused.length > 0)
    lines.push('', `Refused by the registry (locked meanwhile): ${result.refused.map(code).join(', ')}`);
  if (result.repositoriesMissing.length > 0) lines.push('', `Not found: ${result.repositoriesMissing.map(code).join(', ')}`);
  return `${lines.join('\n')}\n`;
}
