import { rmSync } from 'node:fs';
import * as core from '@actions/core';
import { InputError } from '../../packages/shared/errors.js';
import { readEvent } from '../../packages/shared/event.js';
import { imageRef } from '../../packages/shared/image-ref.js';
import { Inputs } from '../../packages/shared/inputs.js';
import { registerSecret, setOutputs } from '../../packages/shared/secrets.js';
import { writeSummary } from '../../packages/shared/summary.js';
import { DOCKER_CONFIG_STATE } from './auth.js';
import { cleanupOutputs, cleanupStep, renderCleanup } from './cleanup.js';
import { DEFAULTS, readConfig } from './config.js';
import { lockStep, lockTargets } from './lock.js';
import { promoteStep } from './promote.js';
import { recordedBuild } from './report-record.js';
import { renderSummary } from './summary.js';
import { defaultTags } from './tags.js';

/** Every output is set in every mode, so a workflow never reads one that is missing. */
const NO_OUTPUTS = { digest: '', image: '', tags: '[]', digests: '{}', locked: '[]', deleted: '[]', kept: '' };

export async function main(): Promise<void> {
  const config = readConfig(new Inputs(core.getInput, registerSecret, DEFAULTS));
  if (config.mode === 'cleanup') {
    const started = performance.now();
    const result = await cleanupStep(config);
    setOutputs({ ...NO_OUTPUTS, ...cleanupOutputs(result) });
    await writeSummary(renderCleanup(config, result, (performance.now() - started) / 1000));
    return;
  }
  const tags = config.tags ?? defaultTags({ event: readEvent(), sha: process.env.GITHUB_SHA, ref: process.env.GITHUB_REF });
  if (tags.length === 0)
    throw new InputError('tags', 'is empty and no default tag applies (no GITHUB_SHA): give tags explicitly');
  const refs = config.repositories.flatMap((repository) => tags.map((tag) => imageRef(config.registry, repository, tag)));
  const started = performance.now();
  const { digest, detail, digests } =
    config.promote !== undefined ? await promoteStep(config, config.promote, tags) : await recordedBuild(config, tags);
  const locked = config.lock ? await lockStep(config, lockTargets(config, digests, tags)) : [];
  const seconds = (performance.now() - started) / 1000;
  setOutputs({
    ...NO_OUTPUTS,
    locked: JSON.stringify(locked),
    digest: digest ?? '',
    image: digest ? imageRef(config.registry, config.repository, digest) : '',
    tags: JSON.stringify(refs),
    digests: JSON.stringify(digests),
  });
  await writeSummary(renderSummary({ config, refs, digest, detail, seconds, locked }));
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
