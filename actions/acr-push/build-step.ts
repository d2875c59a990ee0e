import { join } from 'node:path';
import * as core from '@actions/core';
import { Docker } from '../../packages/shared/docker.js';
import { InputError } from '../../packages/shared/errors.js';
import { imageRef } from '../../packages/shared/image-ref.js';
import { redactSecrets } from '../../packages/shared/secrets.js';
import { makeTempDir, removeTempDir } from '../../packages/shared/temp.js';
import { loggedInDocker, registryCredential } from './auth.js';
import { reuseCommitImage } from './commit-image.js';
import { RegistryClient } from '../../packages/shared/registry-client.js';
import { buildAndPush, buildArgs } from './build.js';
import type { AcrPushConfig, BuildTarget } from './config.js';
import { buildxOnly } from './buildx-options.js';
import { echoToolLine } from '../../packages/shared/tool-output.js';

export interface StepResult {
  digest: string | undefined;
  /** The digest in each repository pushed or promoted (empty on dry-run). */
  digests: Record<string, string>;
  /** One line for the summary: how it was built, the cache, the retries. */
  detail: string;
}

/**
 * Build mode: checks, one docker login of the step's own, then each build (one, or each
 * service of a build-matrix batch, in turn): build, and push with retries.
 */
export async function buildStep(config: AcrPushConfig, tags: string[]): Promise<StepResult> {
  // Everything that can be checked is checked before any login or build (the paths: readConfig).
  const probe = new Docker();
  const buildx = await probe.hasBuildx();
  if (config.platforms.length > 0 && !buildx)
    throw new InputError('platforms', 'needs docker buildx, which this runner does not have');
  const buildxInput = buildxOnly(config.buildx);
  if (buildxInput !== undefined && !buildx) {
    throw new InputError(buildxInput, 'needs docker buildx, which this runner does not have (docker/setup-buildx-action)');
  }
  const cacheNote =
    config.cache === 'registry' && !buildx ? 'registry cache skipped: it needs docker buildx' : `cache: ${config.cache}`;
  if (config.cache === 'registry' && !buildx)
    core.warning('cache: registry needs docker buildx; building without a registry cache');
  const labels = withDefaultLabels(config.labels);
  const settingsOf = (build: BuildTarget) => ({ ...config, ...build, labels });
  const refsOf = (build: BuildTarget) => tags.map((tag) => imageRef(config.registry, build.repository, tag));

  if (config.dryRun) {
    for (const build of config.builds) {
      core.info(`dry-run: would run docker ${redactSecrets(buildArgs(settingsOf(build), refsOf(build), buildx).join(' '))}`);
    }
    return { digest: undefined, detail: `dry-run; ${buildx ? 'buildx' : 'docker build'}; ${cacheNote}`, digests: {} };
  }
  if (!(await probe.available())) throw new Error('docker is not available on this runner (no daemon answered)');

  const { credential, docker } = await core.group('Log in', async () => {
    const credential = await registryCredential(config);
    return { credential, docker: await loggedInDocker(config, credential) };
  });
  const registry = new RegistryClient(config.registry, credential);
  const workDir = makeTempDir('acr-push');
  const digests: Record<string, string> = {};
  let attempts = 1;
  let reused = 0;
  try {
    for (const [index, build] of config.builds.entries()) {
      const refs = refsOf(build);
      const existing = config.push ? await reuseCommitImage(registry, build.repository, tags) : undefined;
      if (existing) {
        const moved = existing.moved.length > 0 ? `; moved ${existing.moved.join(', ')} to it` : '';
        core.info(
          `${imageRef(config.registry, build.repository, existing.commitTag)} is already ${existing.digest}: not rebuilt (commit tags are immutable)${moved}`,
        );
        digests[build.repository] = existing.digest;
        reused += 1;
        continue;
      }
      const result = await core.group(`Build and push ${refs.join(', ')}`, () =>
        buildAndPush(
          settingsOf(build),
          refs,
          {
            docker,
            buildx,
            log: echoToolLine,
          },
          join(workDir, `metadata-${index}.json`),
        ),
      );
      if (config.push && result.digest) {
        core.info(`Pushed ${refs.join(', ')} as ${result.digest}`);
        digests[build.repository] = result.digest;
      }
      attempts = Math.max(attempts, result.attempts);
    }
    const tries = attempts > 1 ? `; a push took ${attempts} attempts` : '';
    const count = config.builds.length > 1 ? `${config.builds.length} images; ` : '';
    const how = `${buildx ? 'buildx' : 'docker build'}; ${cacheNote}${tries}`;
    const detail =
      reused === 0
        ? how
        : reused === config.builds.length
          ? 'not rebuilt: the commit tag already names an image in the registry'
          : `${how}; ${reused} already in the registry under the commit tag, not rebuilt`;
    return { digest: digests[config.repository], digests, detail: `${count}${detail}` };
  } finally {
    removeTempDir(workDir);
  }
}

/** OCI labels that tie the image to its commit; the caller's labels win. */
function withDefaultLabels(labels: [string, string][]): [string, string][] {
  const defaults: [string, string][] = [];
  if (process.env.GITHUB_SHA) defaults.push(['org.opencontainers.image.revision', process.env.GITHUB_SHA]);
  if (process.env.GITHUB_REPOSITORY) {
    defaults.push([
      'org.opencontainers.image.source',
      `${process.env.GITHUB_SERVER_URL ?? 'https://github.com'}/${process.env.GITHUB_REPOSITORY}`,
    ]);
  }
  const given = new Set(labels.map(([key]) => key));
  return [...defaults.filter(([key]) => !given.has(key)), ...labels];
}
