import * as core from '@actions/core';
import { formatDuration } from '../../packages/shared/duration.js';
import { Inputs } from '../../packages/shared/inputs.js';
import { redactSecrets, registerSecret, setOutputs } from '../../packages/shared/secrets.js';
import { writeSummary } from '../../packages/shared/summary.js';
import { DEFAULTS, readConfig } from './config.js';
import { displayUrl, type ProbeRecord, realClock, runGate } from '../../packages/shared/gate/gate.js';
import { httpProbe } from '../../packages/shared/gate/probe.js';
import { buildReport, renderSummary } from '../../packages/shared/gate/report.js';

export async function main(): Promise<void> {
  const config = readConfig(new Inputs(core.getInput, registerSecret, DEFAULTS));
  const urls = config.urls.map(displayUrl);
  core.info(
    `Probing ${urls.join(', ')} every ${formatDuration(config.intervalMs)} for up to ${formatDuration(config.timeoutMs)}: ` +
      `healthy after ${config.successThreshold} passing rounds in a row` +
      (config.failureThreshold > 0 ? `, unhealthy after ${config.failureThreshold} failing rounds` : ''),
  );

  const result = await core.group(`Probe ${urls.length === 1 ? urls[0] : `${urls.length} URLs`}`, () =>
    runGate(config, httpProbe(config), realClock, logRound),
  );

  setOutputs({
    healthy: String(result.healthy),
    probes: String(result.probes.length),
    successes: String(result.successes),
    failures: String(result.failures),
    'p95-ms': result.p95Ms === undefined ? '' : String(result.p95Ms),
    reason: result.reason,
    report: buildReport(result, urls),
  });
  await writeSummary(renderSummary(result, urls));

  if (result.healthy) core.info(`Healthy: ${result.reason}`);
  else if (config.failOnUnhealthy) throw new Error(redactSecrets(result.reason));
  else core.warning(`Unhealthy (fail-on-unhealthy is false): ${redactSecrets(result.reason)}`);
}

function logRound(records: readonly ProbeRecord[]): void {
  for (const record of records) {
    const mark = { pass: 'pass', fail: 'FAIL', 'not-up': 'not up', 'cut-short': 'cut short' }[record.verdict];
    const status = record.status === undefined ? '' : ` ${record.status}`;
    const reason = record.reason ? `: ${record.reason}` : '';
    // Redacted here too, not only by the runner's masking: a service may reflect a header into its body.
    core.info(redactSecrets(`round ${record.round} ${mark} ${record.url}${status} in ${record.latencyMs} ms${reason}`));
  }
}
