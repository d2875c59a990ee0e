import * as core from '@actions/core';
import { ArmClient } from '../../packages/shared/arm.js';
import { entraTokenFromGitHubOidc } from '../../packages/shared/azure-auth.js';
import { probeAndGate } from '../../packages/shared/gate/run.js';
import { Inputs } from '../../packages/shared/inputs.js';
import { registerSecret, setOutputs } from '../../packages/shared/secrets.js';
import { writeSummary } from '../../packages/shared/summary.js';
import { DEFAULTS, readConfig } from './config.js';
import { type GateFn, runFlow } from './flow.js';
import { Site } from './site.js';
import { renderSummary } from './summary.js';

export async function main(): Promise<void> {
  const config = await readConfig(new Inputs(core.getInput, registerSecret, DEFAULTS));
  let token: Promise<string> | undefined;
  const arm = new ArmClient({
    endpoint: config.armEndpoint,
    // One ARM token for the run, fetched on first use: OIDC, no azure/login step.
    token: () => (token ??= entraTokenFromGitHubOidc(config, `${config.armEndpoint}/.default`)),
    conflictTimeoutMs: config.conflictTimeoutMs,
    operationTimeoutMs: config.operationTimeoutMs,
  });
  const site = new Site(arm, config.subscriptionId, config.resourceGroup, config.app);
  // The new version's expect-json only where it must run (slot, production after the swap).
  const gate: GateFn = (url, full, title) =>
    probeAndGate(
      { ...config.gate, urls: [new URL(url)], expectJson: full ? config.gate.expectJson : [], method: 'GET', headers: {} },
      title,
    );
  const outcome = await runFlow(config, site, gate);
  setOutputs({
    result: outcome.result,
    'previous-image': outcome.previousImage,
    'previous-images': JSON.stringify(outcome.previousImages),
    'deployed-image': outcome.deployedImage,
    'production-url': outcome.productionUrl,
    'slot-url': outcome.slotUrl,
    'swap-seconds': outcome.swapSeconds === undefined ? '' : outcome.swapSeconds.toFixed(1),
  });
  await writeSummary(renderSummary(config, outcome));
  if (outcome.failure) throw new Error(`${outcome.result}: ${outcome.failure}`);
}
