import * as core from '@actions/core';
import { buildReport, renderSummary } from '../../packages/shared/gate/report.js';
import { probeAndGate } from '../../packages/shared/gate/run.js';
import { displayUrl, Inputs } from '../../packages/shared/inputs.js';
import { redactSecrets, registerSecret, setOutputs } from '../../packages/shared/secrets.js';
import { writeSummary } from '../../packages/shared/summary.js';
import { DEFAULTS, readConfig } from './config.js';

export async function main(): Promise<void> {
  const config = readConfig(new Inputs(core.getInput, registerSecret, DEFAULTS));
  const urls = config.urls.map(displayUrl);
  const result = await probeAndGate(config);

  setOutputs({
    healthy: String(result.healthy),
    probes: String(result.totalProbes),
    successes: String(result.successes),
    failures: String(result.failures),
    'p95-ms': result.p95Ms === undefined ? '' : String(result.p95Ms),
    reason: result.reason,
    // A workflow's `environment.url` when none is given: the first URL checked.
    url: urls[0] ?? '',
    report: buildReport(result, urls),
  });
  await writeSummary(renderSummary(result, urls));

  if (result.healthy) core.info(`Healthy: ${result.reason}`);
  else if (config.failOnUnhealthy) throw new Error(redactSecrets(result.reason));
  else core.warning(`Unhealthy (fail-on-unhealthy is false): ${redactSecrets(result.reason)}`);
}
