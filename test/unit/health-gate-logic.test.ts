import { describe, expect, it } from 'vitest';
import { InputError } from '../../packages/shared/errors.js';
import { Inputs } from '../../packages/shared/inputs.js';
import { DEFAULTS, readConfig } from '../../actions/health-gate/config.js';
import { type Clock, runGate } from '../../packages/shared/gate/gate.js';
import { displayUrl } from '../../packages/shared/inputs.js';
import type { GateSettings } from '../../packages/shared/gate/settings.js';
import { checkJson, parseJsonExpectations } from '../../packages/shared/gate/json-expectations.js';
import type { ProbeAnswer } from '../../packages/shared/gate/probe.js';
import { collapseRuns } from '../../packages/shared/gate/report.js';
import { parseStatusRanges, statusAllowed } from '../../packages/shared/gate/status-ranges.js';
import { percentile } from '../../packages/shared/gate/stats.js';

describe('expect-status', () => {
  it('accepts codes, ranges and classes', () => {
    const ranges = parseStatusRanges('expect-status', '200, 204-206,3xx');
    expect([200, 204, 206, 301, 399].every((status) => statusAllowed(ranges, status))).toBe(true);
    expect([201, 207, 400, 500].some((status) => statusAllowed(ranges, status))).toBe(false);
  });

  it.each(['99', '600', '299-200', 'abc', '2x', '', '200-'])('rejects %j', (text) => {
    expect(() => parseStatusRanges('expect-status', text)).toThrow(InputError);
  });
});

describe('expect-json', () => {
  const expectations = parseJsonExpectations('expect-json', ['build.sha=abc123', 'replicas=3', 'ready=true', 'items.1.name=b']);
  const body = (sha: string) =>
    JSON.stringify({ build: { sha }, replicas: 3, ready: true, items: [{ name: 'a' }, { name: 'b' }] });

  it('passes when every path holds', () => {
    expect(checkJson(body('abc123'), expectations)).toBeUndefined();
  });

  it('names the path and both values when one differs', () => {
    expect(checkJson(body('old1'), expectations)).toBe('build.sha was "old1" not "abc123"');
    expect(checkJson(JSON.stringify({ build: {} }), expectations)).toBe('build.sha is missing');
    expect(checkJson('<html>', expectations)).toBe('body is not JSON');
    expect(checkJson(JSON.stringify({ build: { sha: 'abc123' }, replicas: 4 }), expectations.slice(0, 2))).toBe(
      'replicas was 4 not 3',
    );
    // A string value compares as text, so "3" satisfies replicas=3.
    expect(checkJson(JSON.stringify({ build: { sha: 'abc123' }, replicas: '3' }), expectations.slice(0, 2))).toBeUndefined();
  });

  it('rejects lines without a path', () => {
    expect(() => parseJsonExpectations('expect-json', ['=x'])).toThrow(`input 'expect-json' must be lines of path=value`);
    expect(() => parseJsonExpectations('expect-json', ['a..b=x'])).toThrow(InputError);
  });
});

describe('config', () => {
  const read = (values: Record<string, string>) => {
    const masked: string[] = [];
    const config = readConfig(
      new Inputs(
        (name) => values[name] ?? '',
        (secret) => masked.push(secret),
        DEFAULTS,
      ),
    );
    return { config, masked };
  };

  it('applies the action.yml defaults', () => {
    const { config } = read({ url: 'https://app.example/health' });
    expect(config).toMatchObject({
      method: 'GET',
      timeoutMs: 300_000,
      intervalMs: 5000,
      requestTimeoutMs: 10_000,
      initialDelayMs: 0,
      successThreshold: 3,
      failureThreshold: 5,
      maxLatencyMs: undefined,
      failOnUnhealthy: true,
    });
  });

  it('masks the credential part of credential headers only, and malformed lines whole', () => {
    const { masked, config } = read({
      url: 'http://x/',
      headers: 'Authorization: Bearer tok\nX-Api-Key:k2\nX-Debug: 1\nCookie: a=sess1234; b=x\nX-Tenant: t-77',
      'secret-headers': 'x-tenant',
    });
    expect(config.headers).toEqual({
      Authorization: 'Bearer tok',
      'X-Api-Key': 'k2',
      'X-Debug': '1',
      Cookie: 'a=sess1234; b=x',
      'X-Tenant': 't-77',
    });
    expect(masked).toEqual(['tok', 'k2', 'a=sess1234; b=x', 'sess1234', 't-77']);
    const basic = read({ url: 'http://x/', headers: `Authorization: Basic ${Buffer.from('u:pw-9').toString('base64')}` });
    expect(basic.masked).toEqual([Buffer.from('u:pw-9').toString('base64'), 'pw-9']);
    expect(() => read({ url: 'http://x/', headers: 'Bearer-only-secret' })).toThrow(
      `input 'headers' must be lines of "Name: value"; line 1 is not`,
    );
  });

  it('refuses a body expectation with HEAD and an initial delay past the timeout', () => {
    expect(() => read({ url: 'http://x/', method: 'HEAD', 'expect-body': 'ok' })).toThrow(
      `input 'expect-body' cannot be used with method HEAD`,
    );
    expect(() => read({ url: 'http://x/', 'initial-delay': '5m', timeout: '5m' })).toThrow(
      `input 'initial-delay' must be shorter than timeout`,
    );
    expect(() => read({ url: 'http://x/', method: 'BREW' })).toThrow(`input 'method' must be one of GET, HEAD`);
    expect(() => read({ url: 'http://x/', 'expect-body': '(' })).toThrow(
      `input 'expect-body' must be a valid regular expression`,
    );
  });

  it('never shows URL credentials', () => {
    expect(displayUrl(new URL('https://u:p@host/x'))).toBe('https://host/x');
  });
});

/** A clock that moves only when the gate sleeps or a probe takes time. */
function fakeClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  return {
    now: () => now,
    sleep: (ms) => {
      now += ms;
      return Promise.resolve();
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

const up = (status = 200, body = '{}', latencyMs = 5): ProbeAnswer => ({ kind: 'response', status, body, latencyMs });
const refused: ProbeAnswer = { kind: 'transport', error: 'connection refused', latencyMs: 1, timedOut: false };

function settings(overrides: Partial<GateSettings> = {}): GateSettings {
  return {
    urls: [new URL('http://a/health')],
    expectStatus: parseStatusRanges('expect-status', '200-299'),
    expectBody: undefined,
    expectJson: [],
    timeoutMs: 60_000,
    intervalMs: 1000,
    requestTimeoutMs: 500,
    initialDelayMs: 0,
    successThreshold: 3,
    failureThreshold: 3,
    maxLatencyMs: undefined,
    concurrency: 50,
    ...overrides,
  };
}

/** Answers from a script, one per probe; the last answer repeats. */
function scripted(clock: ReturnType<typeof fakeClock>, ...answers: ProbeAnswer[]) {
  let index = 0;
  return (_url: URL, timeoutMs: number) => {
    const answer = answers[Math.min(index++, answers.length - 1)]!;
    clock.advance(Math.min(answer.latencyMs, timeoutMs));
    return Promise.resolve(answer);
  };
}

describe('runGate', () => {
  it('passes after success-threshold passing rounds', async () => {
    const clock = fakeClock();
    const result = await runGate(settings(), scripted(clock, up()), clock);
    expect(result).toMatchObject({ healthy: true, ending: 'passed', rounds: 3, successes: 3, failures: 0, p95Ms: 5 });
    expect(result.reason).toBe('http://a/health passed 3 rounds in a row; p95 5 ms');
  });

  it('treats refusals before the first answer as not up, not failures', async () => {
    const clock = fakeClock();
    const result = await runGate(settings(), scripted(clock, refused, refused, refused, refused, up(), up(), up()), clock);
    expect(result.healthy).toBe(true);
    expect(result.failures).toBe(0);
    expect(result.probes.filter((probe) => probe.verdict === 'not-up')).toHaveLength(4);
  });

  it('counts refusals after the first answer as failures', async () => {
    const clock = fakeClock();
    const result = await runGate(settings(), scripted(clock, up(), refused), clock);
    expect(result).toMatchObject({ healthy: false, ending: 'failure-threshold', failures: 3, rounds: 4 });
    expect(result.reason).toBe('http://a/health: connection refused (3 failing rounds in a row)');
  });

  it('does not count failing rounds until every URL has answered', async () => {
    const clock = fakeClock();
    const urls = [new URL('http://a/'), new URL('http://b/')];
    const probe = (url: URL) => {
      clock.advance(1);
      return Promise.resolve(url.host === 'a' ? up(503) : refused);
    };
    const result = await runGate(settings({ urls, timeoutMs: 10_000 }), probe, clock);
    expect(result.ending).toBe('timeout');
    expect(result.reason).toBe('timed out after 10s: http://b/ never answered (connection refused)');
  });

  it('resets the success streak on a failing round and times out when flapping', async () => {
    const clock = fakeClock();
    const flapping = Array.from({ length: 30 }, (_, index) => up(index % 2 === 0 ? 200 : 500));
    const result = await runGate(settings({ timeoutMs: 20_000 }), scripted(clock, ...flapping), clock);
    expect(result).toMatchObject({ healthy: false, ending: 'timeout' });
    expect(result.reason).toMatch(/^timed out after 20s: /);
    expect(result.successes).toBeGreaterThan(5);
  });

  it('never ends early with failure-threshold 0', async () => {
    const clock = fakeClock();
    const result = await runGate(settings({ failureThreshold: 0, timeoutMs: 10_000 }), scripted(clock, up(503)), clock);
    expect(result.ending).toBe('timeout');
    expect(result.reason).toBe('timed out after 10s: http://a/health: status 503 not in 200-299');
    expect(clock.now()).toBeLessThanOrEqual(10_000);
  });

  it('keeps probing while p95 is over max-latency-ms, and passes once it falls under', async () => {
    const clock = fakeClock();
    const slowThenFast = [up(200, '{}', 900), ...Array.from({ length: 30 }, () => up(200, '{}', 10))];
    const result = await runGate(settings({ maxLatencyMs: 100 }), scripted(clock, ...slowThenFast), clock);
    expect(result.healthy).toBe(true);
    expect(result.rounds).toBe(20); // nearest-rank p95 drops under 100 ms at 20 samples
    expect(result.p95Ms).toBe(10);
  });

  it('fails at the timeout when latency stays over max-latency-ms', async () => {
    const clock = fakeClock();
    const result = await runGate(settings({ maxLatencyMs: 100, timeoutMs: 15_000 }), scripted(clock, up(200, '{}', 300)), clock);
    expect(result.healthy).toBe(false);
    expect(result.reason).toBe('timed out after 15s: p95 latency 300 ms of passing probes is over max-latency-ms 100');
  });

  it('waits initial-delay before the first probe and clamps request timeouts to the budget', async () => {
    const clock = fakeClock();
    const timeouts: number[] = [];
    const started: number[] = [];
    const probe = (_url: URL, timeoutMs: number) => {
      timeouts.push(timeoutMs);
      started.push(clock.now());
      clock.advance(timeoutMs);
      return Promise.resolve({ kind: 'transport', error: 'no answer', latencyMs: timeoutMs, timedOut: true } as const);
    };
    await runGate(settings({ initialDelayMs: 2000, timeoutMs: 3200, requestTimeoutMs: 1000, intervalMs: 0 }), probe, clock);
    expect(started[0]).toBe(2000);
    expect(timeouts).toEqual([1000, 200]);
  });

  it('does not let a round cut short by the deadline decide the reason', async () => {
    const clock = fakeClock();
    let calls = 0;
    const probe = (_url: URL, timeoutMs: number) => {
      calls += 1;
      if (calls === 1) {
        clock.advance(10);
        return Promise.resolve(up(503));
      }
      clock.advance(timeoutMs);
      return Promise.resolve({
        kind: 'transport',
        error: `no answer within ${timeoutMs} ms`,
        latencyMs: timeoutMs,
        timedOut: true,
      } as const);
    };
    const result = await runGate(settings({ timeoutMs: 1500, requestTimeoutMs: 1000, intervalMs: 0 }), probe, clock);
    expect(result.probes.map((record) => record.verdict)).toEqual(['fail', 'fail', 'cut-short']);
    expect(result.reason).toBe('timed out after 1.5s: http://a/health: no answer within 1000 ms');
    expect(result.failures).toBe(2);
  });
});

describe('report helpers', () => {
  it('collapses runs of the same outcome', () => {
    const base = { url: 'u', at: '' };
    const runs = collapseRuns([
      { ...base, round: 1, latencyMs: 1, verdict: 'not-up', reason: 'connection refused' },
      { ...base, round: 2, latencyMs: 2, verdict: 'not-up', reason: 'connection refused' },
      { ...base, round: 3, latencyMs: 7, verdict: 'pass', status: 200 },
      { ...base, round: 4, latencyMs: 3, verdict: 'pass', status: 200 },
    ]);
    expect(runs).toEqual([
      { first: 1, last: 2, verdict: 'not-up', status: undefined, reason: 'connection refused', minMs: 1, maxMs: 2 },
      { first: 3, last: 4, verdict: 'pass', status: 200, reason: undefined, minMs: 3, maxMs: 7 },
    ]);
  });

  it('computes a nearest-rank p95', () => {
    expect(percentile([], 95)).toBeUndefined();
    expect(percentile([5], 95)).toBe(5);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        95,
      ),
    ).toBe(95);
    expect(percentile([1, 2, 3, 100], 95)).toBe(100);
  });
});
