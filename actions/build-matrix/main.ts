import { existsSync, readFileSync } from 'node:fs';
import * as core from '@actions/core';
import { InputError } from '../../packages/shared/errors.js';
import { readEvent } from '../../packages/shared/event.js';
import { Git } from '../../packages/shared/git.js';
import { Inputs } from '../../packages/shared/inputs.js';
import { registerSecret, setOutputs } from '../../packages/shared/secrets.js';
import { writeSummary } from '../../packages/shared/summary.js';
import { changedFiles, planRange, resolveRange } from './range.js';
import type { ServicesFile } from './services-file.js';
import { matrixEntry, selectServices } from './select.js';
import { renderSummary } from './summary.js';

export const DEFAULTS = { config: '.github/deploy-services.yml', all: 'false' } as const;

export async function main(): Promise<void> {
  const inputs = new Inputs(core.getInput, registerSecret, DEFAULTS);
  const inline = inputs.string('services');
  const all = inputs.boolean('all', false);
  const base = inputs.string('base');
  const head = inputs.string('head');
  if (head !== undefined && base === undefined) throw new InputError('head', 'needs base as well');
  // The YAML parser is loaded only once the inputs are known to be good: a typo fails fast.
  const { parseServicesFile } = await import('./services-file.js');
  const file: ServicesFile =
    inline === undefined
      ? parseServicesFile('config', readConfigFile(inputs.raw('config')))
      : parseServicesFile('services', inline);

  const git = new Git(process.cwd());
  const plan = planRange({ event: readEvent(), base, head, all, sha: process.env.GITHUB_SHA });
  let range: { base: string; head: string; reason: string; files?: string[] };
  if (plan.kind === 'all') {
    range = { base: '', head: process.env.GITHUB_SHA ?? '', reason: plan.reason };
  } else {
    const resolved = await resolveRange(plan, git);
    range = { ...resolved, files: await changedFiles(git, resolved.base, resolved.head) };
    core.info(
      `Comparing ${resolved.base.slice(0, 12)}..${resolved.head.slice(0, 12)} (${resolved.reason}): ${range.files?.length ?? 0} files changed`,
    );
  }

  const selections = selectServices(file, range.files ?? { all: range.reason });
  for (const selection of selections) core.info(`${selection.service.name}: ${selection.reasons.join('; ')}`);
  if (selections.length === 0) core.info('No service changed: nothing to build.');

  setOutputs({
    matrix: JSON.stringify({ include: selections.map((selection) => matrixEntry(file, selection.service)) }),
    services: JSON.stringify(selections.map((selection) => selection.service.name)),
    changed: String(selections.length > 0),
    count: String(selections.length),
    base: range.base,
    head: range.head,
  });
  await writeSummary(renderSummary(file, selections, range));
}

function readConfigFile(path: string): string {
  if (!existsSync(path))
    throw new InputError('config', `names ${path}, which does not exist in the checkout (or give services inline)`);
  return readFileSync(path, 'utf8');
}
