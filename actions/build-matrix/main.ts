import * as core from '@actions/core';
import { readEvent } from '../../packages/shared/event.js';
import { Git } from '../../packages/shared/git.js';
import { Inputs } from '../../packages/shared/inputs.js';
import { registerSecret, setOutputs } from '../../packages/shared/secrets.js';
import { writeSummary } from '../../packages/shared/summary.js';
import { DEFAULTS, readConfig } from './config.js';
import { changedRange } from './range.js';
import { imageName, matrixEntries, selectServices } from './select.js';
import { renderSummary } from './summary.js';

export async function main(): Promise<void> {
  const config = readConfig(new Inputs(core.getInput, registerSecret, DEFAULTS));
  // The YAML parser is loaded only once the inputs are known to be good: a typo fails fast.
  const { parseServicesFile } = await import('./services-file.js');
  const file = parseServicesFile(config.servicesInput, config.servicesText);

  const range = await core.group('Changed files', () =>
    changedRange(config, readEvent(), process.env.GITHUB_SHA, new Git(process.cwd())),
  );
  const selections = selectServices(file, range.files ?? { all: range.reason });
  for (const selection of selections) core.info(`${selection.service.name}: ${selection.reasons.join('; ')}`);
  if (selections.length === 0) core.info('No service changed: nothing to build.');

  const include = matrixEntries(
    file,
    selections.map((selection) => selection.service),
    config.maxJobs,
  );
  if (include.length < selections.length)
    core.info(`${selections.length} services in ${include.length} batches (max-jobs ${config.maxJobs})`);
  setOutputs({
    matrix: JSON.stringify({ include }),
    jobs: String(include.length),
    services: JSON.stringify(selections.map((selection) => selection.service.name)),
    images: selections.map((selection) => imageName(file, selection.service)).join('\n'),
    changed: String(selections.length > 0),
    count: String(selections.length),
    base: range.base,
    head: range.head,
  });
  await writeSummary(renderSummary(file, selections, range));
}
