import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter, retry, type RetryPolicy } from '../../packages/shared/retry.js';

const policy: RetryPolicy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 250, maxRetryAfterMs: 5000, budgetMs: 10_000 };

function fakeTime() {
  let now = 0;
  const waits: number[] = [];
  return {
    waits,
    hooks: {
      now: () => now,
      sleep: (ms: number) => {
        waits.push(ms);
        now += ms;
        return Promise.resolve();
      },
      random: () => 1,
    },
  };
}

describe('retry', () => {
  it('backs off exponentially with jitter, capped', () => {
    expect(backoffDelay(policy, 1, () => 1)).toBe(100);
    expect(backoffDelay(policy, 2, () => 1)).toBe(200);
    expect(backoffDelay(policy, 3, () => 1)).toBe(250);
    expect(backoffDelay(policy, 1, () => 0)).toBe(50);
    expect(backoffDelay({ ...policy, jitter: 'full' }, 2, () => 0)).toBe(0);
    expect(backoffDelay({ ...policy, jitter: 'full' }, 2, () => 0.5)).toBe(100);
  });

  it('retries until success and stops at the attempt limit', async () => {
    const time = fakeTime();
    let calls = 0;
    const value = await retry(
      () => {
        calls += 1;
        return Promise.resolve(calls);
      },
      (outcome) => (outcome.ok && outcome.value < 3 ? { retry: true, why: 'not yet' } : { retry: false }),
      policy,
      time.hooks,
    );
    expect(value).toBe(3);
    expect(time.waits).toEqual([100, 200]);

    const always = fakeTime();
    await expect(
      retry(
        () => Promise.reject(new Error('boom')),
        () => ({ retry: true, why: 'boom' }),
        policy,
        always.hooks,
      ),
    ).rejects.toThrow('boom');
    expect(always.waits).toHaveLength(policy.attempts - 1);
  });

  it('honours Retry-After instead of its own step, and gives up when asked to wait too long', async () => {
    const time = fakeTime();
    let calls = 0;
    await retry(
      () => Promise.resolve(++calls),
      (outcome) => (outcome.ok && outcome.value === 1 ? { retry: true, why: '429', retryAfterMs: 2000 } : { retry: false }),
      policy,
      { ...time.hooks, random: () => 0 },
    );
    expect(time.waits).toEqual([2000]);

    const long = fakeTime();
    const result = await retry(
      () => Promise.resolve('still 429'),
      () => ({ retry: true, why: '429', retryAfterMs: 60_000 }),
      policy,
      long.hooks,
    );
    expect(result).toBe('still 429');
    expect(long.waits).toEqual([]);
  });

  it('stops when the budget would be exceeded', async () => {
    const time = fakeTime();
    await expect(
      retry(
        () => Promise.reject(new Error('down')),
        () => ({ retry: true, why: 'down', retryAfterMs: 4000 }),
        { ...policy, attempts: 10, budgetMs: 9000 },
        { ...time.hooks, random: () => 0 },
      ),
    ).rejects.toThrow('down (gave up: retry budget of 9000 ms spent)');
    expect(time.waits).toEqual([4000, 4000]);
  });

  it('parses Retry-After seconds and dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
