import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { Docker } from '../../packages/shared/docker.js';
import { InputError } from '../../packages/shared/errors.js';
import { readEvent } from '../../packages/shared/event.js';
import { imageRef } from '../../packages/shared/image-ref.js';
import { Inputs } from '../../packages/shared/inputs.js';
import { RegistryClient } from '../../packages/shared/registry-client.js';
import { redactSecrets, registerSecret, setOutputs } from '../../packages/shared/secrets.js';
import { writeSummary } from '../../packages/shared/summary.js';
import { DOCKER_CONFIG_STATE, loggedInDocker, registryCredential } from './auth.js';
import { buildAndPush, buildArgs } from './build.js';
import { type AcrPushConfig, DEFAULTS, readConfig } from './config.js';
import { promote } from './promote.js';
import { renderSummary } from './summary.js';
import { defaultTags } from './tags.js';

export async function main(): Promise<void> {
  const config = readConfig(new Inputs(core.getInput, registerSecret, DEFAULTS));
  const tags = config.tags ?? defaultTags({ event: readEvent(), sha: process.env.GITHUB_SHA, ref: process.env.GITHUB_REF });
  if (tags.length === 0)
    throw new InputError('tags', 'is empty and no default tag applies (no GITHUB_SHA): give tags explicitly');
  const refs = tags.map((tag) => imageRef(config.registry, config.repository, tag));
  const started = performance.now();

  let digest: string | undefined;
  let detail: string;
  if (config.promote !== undefined) {
    const source = imageRef(config.registry, config.repository, config.promote);
    detail = `promote ${source}`;
    if (config.dryRun) core.info(`dry-run: would copy the manifest of ${source} to ${refs.join(', ')}`);
    else {
      const client = new RegistryClient(config.registry, await registryCredential(config));
      ({ digest } = await promote(client, config.repository, config.promote, tags));
      core.info(`Promoted ${digest} to ${refs.join(', ')}`);
    }
  } else {
    const result = await build(config, refs);
    digest = result.digest;
    detail = result.detail;
  }

  const seconds = (performance.now() - started) / 1000;
  setOutputs({
    digest: digest ?? '',
    image: digest ? imageRef(config.registry, config.repository, digest) : '',
    tags: JSON.stringify(refs),
  });
  await writeSummary(renderSummary({ config, refs, digest, detail, seconds }));
}

async function build(config: AcrPushConfig, refs: string[]): Promise<{ digest: string | undefined; detail: string }> {
  // Everything that can be checked is checked before any login or build.
  if (!existsSync(config.context)) throw new InputError('context', `names ${config.context}, which does not exist`);
  if (!existsSync(config.dockerfile)) throw new InputError('dockerfile', `names ${config.dockerfile}, which does not exist`);
  const probe = new Docker();
  const buildx = await probe.hasBuildx();
  if (config.platforms.length > 0 && !buildx)
    throw new InputError('platforms', 'needs docker buildx, which this runner does not have');
  const cacheNote =
    config.cache === 'registry' && !buildx ? 'registry cache skipped: it needs docker buildx' : `cache: ${config.cache}`;
  if (config.cache === 'registry' && !buildx)
    core.warning('cache: registry needs docker buildx; building without a registry cache');
  const labels = withDefaultLabels(config.labels);
  const settings = { ...config, labels };

  if (config.dryRun) {
    core.info(`dry-run: would run docker ${redactSecrets(buildArgs(settings, refs, buildx).join(' '))}`);
    return { digest: undefined, detail: `dry-run; ${buildx ? 'buildx' : 'docker build'}; ${cacheNote}` };
  }
  if (!(await probe.available())) throw new Error('docker is not available on this runner (no daemon answered)');

  const docker = await loggedInDocker(config, await registryCredential(config));
  const workDir = mkdtempSync(join(process.env.RUNNER_TEMP ?? tmpdir(), 'acr-push-'));
  try {
    const result = await buildAndPush(
      settings,
      refs,
      {
        docker,
        buildx,
        log: (line) => {
          core.info(redactSecrets(line));
        },
      },
      join(workDir, 'metadata.json'),
    );
    if (config.push && result.digest) core.info(`Pushed ${refs.join(', ')} as ${result.digest}`);
    const tries = result.attempts > 1 ? `; push took ${result.attempts} attempts` : '';
    return { digest: result.digest, detail: `${buildx ? 'buildx' : 'docker build'}; ${cacheNote}${tries}` };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
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

/** The post step: delete the docker config this step logged in with. */
export function post(): Promise<void> {
  const dir = core.getState(DOCKER_CONFIG_STATE);
  if (dir) {
    rmSync(dir, { recursive: true, force: true });
    core.info(`Removed the docker login at ${dir}`);
  }
  return Promise.resolve();
}
