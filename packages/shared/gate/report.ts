import { formatDuration } from '../duration.js';
import { code, escapeMarkdown, table } from '../summary.js';
import type { GateResult, ProbeRecord } from './gate.js';

/** The `report` output keeps the newest probes only, so a long gate stays within output limits. */
export const REPORT_PROBE_LIMIT = 2000;

export function buildReport(result: GateResult, urls: readonly string[]): string {
  const kept = result.probes.slice(-REPORT_PROBE_LIMIT);
  return JSON.stringify({
    healthy: result.healthy,
    ending: result.ending,
    reason: result.reason,
    urls,
    rounds: result.rounds,
    elapsedMs: result.elapsedMs,
    p95Ms: result.p95Ms ?? null,
    omittedProbes: result.totalProbes - kept.length,
    probes: kept.map((probe) => ({
      round: probe.round,
      url: probe.url,
      at: probe.at,
      status: probe.status ?? null,
      latencyMs: probe.latencyMs,
      verdict: probe.verdict,
      reason: probe.reason ?? null,
    })),
  });
}

interface Run {
  first: number;
  last: number;
  verdict: ProbeRecord['verdict'];
  status: number | undefined;
  reason: string | undefined;
  minMs: number;
  maxMs: number;
}

/** Consecutive probes with the same outcome become one row, so a 5-minute gate stays readable. */
export function collapseRuns(records: readonly ProbeRecord[]): Run[] {
  const runs: Run[] = [];
  for (const record of records) {
    const current = runs.at(-1);
    if (current && current.verdict === record.verdict && current.status === record.status && current.reason === record.reason) {
      current.last = record.round;
      current.minMs = Math.min(current.minMs, record.latencyMs);
      current.maxMs = Math.max(current.maxMs, record.latencyMs);
    } else {
      runs.push({
        first: record.round,
        last: record.round,
        verdict: record.verdict,
        status: record.status,
        reason: record.reason,
        minMs: record.latencyMs,
        maxMs: record.latencyMs,
      });
    }
  }
  return runs;
}

const VERDICT_LABEL = { pass: '✅ pass', fail: '❌ fail', 'not-up': '⏳ not up', 'cut-short': '⌛ cut short' } as const;

export function renderSummary(result: GateResult, urls: readonly string[]): string {
  const title = result.healthy ? '✅ health-gate: healthy' : '❌ health-gate: unhealthy';
  const lines = [
    `### ${title}`,
    '',
    `**${escapeMarkdown(result.reason)}**`,
    '',
    `${result.rounds} rounds, ${result.totalProbes} probes (${result.successes} passed, ${result.failures} failed) in ${formatDuration(result.elapsedMs)}` +
      (result.p95Ms === undefined ? '' : `; p95 of passing probes ${result.p95Ms} ms`) +
      (result.totalProbes > result.probes.length ? `; the tables show the newest ${result.probes.length}` : ''),
  ];
  for (const url of urls) {
    const runs = collapseRuns(result.probes.filter((probe) => probe.url === url));
    lines.push(
      '',
      `#### ${code(url)}`,
      '',
      table(
        ['rounds', 'result', 'status', 'latency', 'detail'],
        runs.map((run) => [
          run.first === run.last ? `${run.first}` : `${run.first}–${run.last}`,
          VERDICT_LABEL[run.verdict],
          run.status,
          run.minMs === run.maxMs ? `${run.minMs} ms` : `${run.minMs}–${run.maxMs} ms`,
          run.reason,
        ]),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}
