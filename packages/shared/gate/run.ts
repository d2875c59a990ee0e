import * as core from '@actions/core';
import { formatDuration } from '../duration.js';
import { echoToolLine } from '../tool-output.js';
import { workerMatcher } from './body-matcher.js';
import { displayUrl } from '../inputs.js';
import { type GateResult, type ProbeRecord, realClock, runGate } from './gate.js';
import { httpProbe } from './probe.js';
import type { GateSettings, ProbeSettings } from './settings.js';

/**
 * The gate as an action runs it: real HTTP probes, each round logged (folded in a group),
 * and `expect-body` matched in a worker thread so that no regex can outlast the timeout.
 */
export async function probeAndGate(settings: GateSettings & ProbeSettings, title = 'Probe'): Promise<GateResult> {
  const urls = settings.urls.map(displayUrl);
  core.info(
    `Probing ${urls.length === 1 ? urls[0] : `${urls.length} URLs (${settings.concurrency} at a time)`} every ${formatDuration(settings.intervalMs)} ` +
      `for up to ${formatDuration(settings.timeoutMs)}: healthy after ${settings.successThreshold} passing rounds in a row` +
      (settings.failureThreshold > 0 ? `, unhealthy after ${settings.failureThreshold} failing rounds` : ''),
  );
  const matcher = settings.expectBody ? workerMatcher() : undefined;
  try {
    return await core.group(`${title} ${urls.length === 1 ? urls[0] : `${urls.length} URLs`}`, () =>
      runGate(settings, httpProbe(settings), realClock, logRound, matcher),
    );
  } finally {
    await matcher?.close();
  }
}

function logRound(records: readonly ProbeRecord[]): void {
  for (const record of records) {
    const mark = { pass: 'pass', fail: 'FAIL', 'not-up': 'not up', 'cut-short': 'cut short' }[record.verdict];
    const status = record.status === undefined ? '' : ` ${record.status}`;
    const reason = record.reason ? `: ${record.reason}` : '';
    // Redacted here too, not only by the runner's masking: a service may reflect a header into its body.
    // Inert too: a reason quotes the service's answer, which could hold a line break and `::`.
    echoToolLine(`round ${record.round} ${mark} ${record.url}${status} in ${record.latencyMs} ms${reason}`);
  }
}
