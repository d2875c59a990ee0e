import * as core from '@actions/core';
import { Inputs } from '../../packages/shared/inputs.js';
import { registerSecret, setOutputs } from '../../packages/shared/secrets.js';
import { writeSummary } from '../../packages/shared/summary.js';
import { runApply } from './apply.js';
import { DEFAULTS, readConfig } from './config.js';
import type { ModeResult } from './mode-result.js';
import { renderSummary } from './summary.js';
import { runTrigger } from './trigger.js';

export async function main(): Promise<void> {
  const config = readConfig(new Inputs(core.getInput, registerSecret, DEFAULTS));
  const result: ModeResult = await core.group(
    `watchtower-config ${config.mode}${config.dryRun ? ' (dry-run)' : ''}`,
    async () => {
      if (config.mode === 'generate') {
        // Only this mode writes YAML, so only it loads the YAML library.
        const { runGenerate } = await import('./generate.js');
        return runGenerate(config.generate, config.dryRun);
      }
      if (config.mode === 'trigger') return runTrigger(config.trigger, config.dryRun);
      return runApply(config.apply, config.dryRun);
    },
  );
  setOutputs({ 'compose-file': '', 'config-dir': '', updated: '', 'trigger-status': '', ...result.outputs });
  await writeSummary(renderSummary(config.mode, config.dryRun, result.lines));
}
