import * as core from '@actions/core';
import { formatDuration } from '../../packages/shared/duration.js';
import { Inputs } from '../../packages/shared/inputs.js';
import { writeSummary } from '../../packages/shared/summary.js';
import { DEFAULTS, readGateConfig } from './config.js';
import { displayUrl, type ProbeRecord, realClock, runGate } from './gate.js';
import { httpProbe } from './probe.js';
import { buildReport, renderSummary } from './report.js';

export async function main(): Promise<void> {
  const config = readGateConfig(new Inputs(core.getInput, core.setSecret, DEFAULTS));
  const urls = config.urls.map(displayUrl);
  core.info(
    `Probing ${urls.join(', ')} every ${formatDuration(config.intervalMs)} for up to ${formatDuration(config.timeoutMs)}: ` +
      `healthy after ${config.successThreshold} passing rounds in a row` +
      (config.failureThreshold > 0 ? `, unhealthy after ${config.failureThreshold} failing rounds` : ''),
  );

  const result = await runGate(config, httpProbe(config), realClock, logRound);

  core.setOutput('healthy', String(result.healthy));
  core.setOutput('probes', String(result.probes.length));
  core.setOutput('successes', String(result.successes));
  core.setOutput('failures', String(result.failures));
  core.setOutput('p95-ms', result.p95Ms === undefined ? '' : String(result.p95Ms));
  core.setOutput('reason', result.reason);
  core.setOutput('report', buildReport(result, urls));
  await writeSummary(renderSummary(result, urls));

  if (result.healthy) core.info(`Healthy: ${result.reason}`);
  else if (config.failOnUnhealthy) throw new Error(result.reason);
  else core.warning(`Unhealthy (fail-on-unhealthy is false): ${result.reason}`);
}

function logRound(records: readonly ProbeRecord[]): void {
  for (const record of records) {
    const mark = record.verdict === 'pass' ? 'pass' : record.verdict === 'fail' ? 'FAIL' : 'not up';
    const status = record.status === undefined ? '' : ` ${record.status}`;
    const reason = record.reason ? `: ${record.reason}` : '';
    core.info(`round ${record.round} ${mark} ${record.url}${status} in ${record.latencyMs} ms${reason}`);
  }
}
