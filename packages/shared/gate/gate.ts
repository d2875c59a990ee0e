import { mapWithLimit } from '../concurrency.js';
import { formatDuration } from '../duration.js';
import { displayUrl } from '../inputs.js';
import { type BodyMatcher, inlineMatcher } from './body-matcher.js';
import { judgeResponse, type ProbeAnswer, type ProbeFn } from './probe.js';
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
  /** The newest probes, at most PROBES_KEPT; older ones are counted, not kept. */
  probes: ProbeRecord[];
  totalProbes: number;
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

/**
 * A long gate keeps bounded memory: the newest probes for the report and the summary, and
 * the newest passing latencies for the p95 (a window, so an early cold start fades out).
 */
export const PROBES_KEPT = 2000;
export const LATENCIES_KEPT = 5000;

/** Appends and keeps the newest `limit` items (amortised: trims in blocks, not per push). */
function pushBounded<T>(list: T[], items: readonly T[], limit: number): void {
  list.push(...items);
  if (list.length > limit * 1.5) list.splice(0, list.length - limit);
}

export async function runGate(
  settings: GateSettings,
  probe: ProbeFn,
  clock: Clock = realClock,
  onRound: (records: readonly ProbeRecord[]) => void = () => {},
  matchBody: BodyMatcher = inlineMatcher,
): Promise<GateResult> {
  const started = clock.now();
  const deadline = started + settings.timeoutMs;
  const names = settings.urls.map(displayUrl);
  const answered = new Set<string>();
  const records: ProbeRecord[] = [];
  const passingLatencies: number[] = [];
  const counts = { total: 0, successes: 0, failures: 0 };
  let passStreak = 0;
  let failStreak = 0;
  let round = 0;
  let lastRound: ProbeRecord[] = [];

  const finish = (healthy: boolean, ending: Ending, reason: string): GateResult => ({
    healthy,
    ending,
    reason,
    rounds: round,
    probes: records.slice(-PROBES_KEPT),
    totalProbes: counts.total,
    successes: counts.successes,
    failures: counts.failures,
    p95Ms: percentile(passingLatencies.slice(-LATENCIES_KEPT), 95),
    elapsedMs: Math.round(clock.now() - started),
  });

  const judge = async (answer: ProbeAnswer, url: string, at: string, clamped: boolean, index: number): Promise<ProbeRecord> => {
    if (answer.kind === 'transport') {
      if (clamped && answer.timedOut && !answer.answered) {
        return {
          round,
          url,
          at,
          latencyMs: answer.latencyMs,
          verdict: 'cut-short',
          reason: "no answer before the gate's timeout",
        };
      }
      if (answer.answered) answered.add(url);
      const verdict = answered.has(url) ? 'fail' : 'not-up';
      return { round, url, at, latencyMs: answer.latencyMs, verdict, reason: answer.error };
    }
    answered.add(url);
    const own = settings.expectJsonByUrl?.[index];
    const expectations = own === undefined ? settings : { ...settings, expectJson: [...own] };
    const reason = await judgeResponse(answer, expectations, matchBody, deadline - clock.now());
    const base = { round, url, at, status: answer.status, latencyMs: answer.latencyMs };
    return reason === undefined ? { ...base, verdict: 'pass' } : { ...base, verdict: 'fail', reason };
  };

  if (settings.initialDelayMs > 0) await clock.sleep(Math.min(settings.initialDelayMs, deadline - clock.now()));

  for (;;) {
    const remaining = deadline - clock.now();
    if (remaining <= 0) break;
    round += 1;
    const roundStarted = clock.now();
    const at = new Date().toISOString();
    const requestTimeoutMs = Math.max(1, Math.min(settings.requestTimeoutMs, remaining));
    const clamped = requestTimeoutMs < settings.requestTimeoutMs;
    const roundRecords = await mapWithLimit(settings.urls, settings.concurrency, async (url, index) =>
      judge(await probe(url, requestTimeoutMs), names[index] ?? '', at, clamped, index),
    );
    pushBounded(records, roundRecords, PROBES_KEPT);
    counts.total += roundRecords.length;
    for (const record of roundRecords) {
      if (record.verdict === 'pass') counts.successes += 1;
      else if (record.verdict === 'fail') counts.failures += 1;
    }
    onRound(roundRecords);
    // A round the deadline cut short says nothing about the service: the verdict rests on the rounds before it.
    if (roundRecords.some((record) => record.verdict === 'cut-short')) break;
    lastRound = roundRecords;

    const passing = lastRound.filter((record) => record.verdict === 'pass').map((record) => record.latencyMs);
    pushBounded(passingLatencies, passing, LATENCIES_KEPT);
    if (passing.length === lastRound.length) {
      passStreak += 1;
      failStreak = 0;
    } else {
      passStreak = 0;
      if (answered.size === names.length) failStreak += 1;
    }

    if (passStreak >= settings.successThreshold) {
      const p95 = percentile(passingLatencies.slice(-LATENCIES_KEPT), 95) ?? 0;
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
    // Rounds start every interval, start to start (as a Kubernetes probe's period): a round
    // that took a while to probe many URLs does not push the next ones later.
    const wait = Math.max(0, settings.intervalMs - (clock.now() - roundStarted));
    if (clock.now() + wait >= deadline) break;
    await clock.sleep(wait);
  }

  return finish(false, 'timeout', `timed out after ${formatDuration(settings.timeoutMs)}: ${timeoutDetail()}`);

  function timeoutDetail(): string {
    const p95 = percentile(passingLatencies.slice(-LATENCIES_KEPT), 95);
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
