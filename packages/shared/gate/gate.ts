import { formatDuration } from '../duration.js';
import { type ProbeFn, judgeResponse } from './probe.js';
import type { GateSettings } from './settings.js';
import { percentile } from './stats.js';

/**
 * `not-up`: no HTTP answer from a URL that has never answered yet. `cut-short`: the gate's
 * own deadline ended the request early. Neither passes, and neither counts as a failure.
 */
export type Verdict = 'pass' | 'fail' | 'not-up' | 'cut-short';

export interface ProbeRecord {
  round: number;
  url: string;
  at: string;
  status?: number;
  latencyMs: number;
  verdict: Verdict;
  reason?: string;
}

export type Ending = 'passed' | 'failure-threshold' | 'timeout';

export interface GateResult {
  healthy: boolean;
  ending: Ending;
  reason: string;
  rounds: number;
  probes: ProbeRecord[];
  successes: number;
  failures: number;
  p95Ms: number | undefined;
  elapsedMs: number;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** How a URL is shown in reasons, logs and the summary: never with its credentials. */
export function displayUrl(url: URL): string {
  if (!url.username && !url.password) return url.href;
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

export async function runGate(
  settings: GateSettings,
  probe: ProbeFn,
  clock: Clock = realClock,
  onRound: (records: readonly ProbeRecord[]) => void = () => {},
): Promise<GateResult> {
  const started = clock.now();
  const deadline = started + settings.timeoutMs;
  const names = settings.urls.map(displayUrl);
  const answered = new Set<string>();
  const records: ProbeRecord[] = [];
  const passingLatencies: number[] = [];
  let passStreak = 0;
  let failStreak = 0;
  let round = 0;
  let lastRound: ProbeRecord[] = [];

  const finish = (healthy: boolean, ending: Ending, reason: string): GateResult => ({
    healthy,
    ending,
    reason,
    rounds: round,
    probes: records,
    successes: records.filter((record) => record.verdict === 'pass').length,
    failures: records.filter((record) => record.verdict === 'fail').length,
    p95Ms: percentile(passingLatencies, 95),
    elapsedMs: Math.round(clock.now() - started),
  });

  if (settings.initialDelayMs > 0) await clock.sleep(Math.min(settings.initialDelayMs, deadline - clock.now()));

  for (;;) {
    const remaining = deadline - clock.now();
    if (remaining <= 0) break;
    round += 1;
    const at = new Date().toISOString();
    const requestTimeoutMs = Math.max(1, Math.min(settings.requestTimeoutMs, remaining));
    const clamped = requestTimeoutMs < settings.requestTimeoutMs;
    const answers = await Promise.all(settings.urls.map((url) => probe(url, requestTimeoutMs)));
    const roundRecords = answers.map((answer, index): ProbeRecord => {
      const url = names[index] ?? '';
      if (answer.kind === 'transport') {
        if (clamped && answer.timedOut) {
          return {
            round,
            url,
            at,
            latencyMs: answer.latencyMs,
            verdict: 'cut-short',
            reason: "no answer before the gate's timeout",
          };
        }
        const verdict = answered.has(url) ? 'fail' : 'not-up';
        return { round, url, at, latencyMs: answer.latencyMs, verdict, reason: answer.error };
      }
      answered.add(url);
      const reason = judgeResponse(answer.status, answer.body, settings);
      const base = { round, url, at, status: answer.status, latencyMs: answer.latencyMs };
      return reason === undefined ? { ...base, verdict: 'pass' } : { ...base, verdict: 'fail', reason };
    });
    records.push(...roundRecords);
    onRound(roundRecords);
    // A round the deadline cut short says nothing about the service: the verdict rests on the rounds before it.
    if (roundRecords.some((record) => record.verdict === 'cut-short')) break;
    lastRound = roundRecords;

    if (lastRound.every((record) => record.verdict === 'pass')) {
      passStreak += 1;
      failStreak = 0;
      passingLatencies.push(...lastRound.map((record) => record.latencyMs));
    } else {
      passStreak = 0;
      for (const record of lastRound) if (record.verdict === 'pass') passingLatencies.push(record.latencyMs);
      if (answered.size === names.length) failStreak += 1;
    }

    if (passStreak >= settings.successThreshold) {
      const p95 = percentile(passingLatencies, 95) ?? 0;
      if (settings.maxLatencyMs === undefined || p95 <= settings.maxLatencyMs) {
        const latency =
          settings.maxLatencyMs === undefined ? `p95 ${p95} ms` : `p95 ${p95} ms within max-latency-ms ${settings.maxLatencyMs}`;
        const subject = names.length === 1 ? names[0] : `all ${names.length} URLs`;
        return finish(true, 'passed', `${subject} passed ${passStreak} rounds in a row; ${latency}`);
      }
      // Over the latency limit: keep probing, since more samples dilute a cold start;
      // a service that stays slow fails at the timeout with the p95 as its reason.
    }
    if (settings.failureThreshold > 0 && failStreak >= settings.failureThreshold) {
      const first = lastRound.find((record) => record.verdict !== 'pass');
      return finish(false, 'failure-threshold', `${first?.url}: ${first?.reason} (${failStreak} failing rounds in a row)`);
    }
    if (clock.now() + settings.intervalMs >= deadline) break;
    await clock.sleep(settings.intervalMs);
  }

  return finish(false, 'timeout', `timed out after ${formatDuration(settings.timeoutMs)}: ${timeoutDetail()}`);

  function timeoutDetail(): string {
    const p95 = percentile(passingLatencies, 95);
    if (passStreak >= settings.successThreshold && p95 !== undefined) {
      return `p95 latency ${p95} ms of passing probes is over max-latency-ms ${settings.maxLatencyMs}`;
    }
    const silent = names.find((name) => !answered.has(name));
    if (silent !== undefined) {
      const last = lastRound.find((record) => record.url === silent);
      return `${silent} never answered${last?.reason ? ` (${last.reason})` : ''}`;
    }
    const failing = lastRound.find((record) => record.verdict !== 'pass');
    if (failing) return `${failing.url}: ${failing.reason}`;
    if (round === 0) return 'no probe could be sent';
    return `only ${passStreak} of ${settings.successThreshold} passing rounds in a row`;
  }
}
