import { errorMessage } from './errors.js';

export interface RetryPolicy {
  /** Total tries, the first included. */
  attempts: number;
  /** First backoff; doubles each retry up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A server asking to wait longer than this ends the retries instead of stalling the job. */
  maxRetryAfterMs?: number;
  /** No retry may start after this many ms from the first try. */
  budgetMs?: number;
  /**
   * `half` (default): 50-100% of the step, waits stay near the curve. `full`: 0-100%, for
   * many clients contending for one resource, where spreading them out matters most.
   */
  jitter?: 'half' | 'full';
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 120_000,
  budgetMs: 300_000,
};

/** What to do after one try: stop (the outcome stands) or retry, saying why. */
export type RetryDecision = { retry: false } | { retry: true; why: string; retryAfterMs?: number | undefined };

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface RetryHooks {
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  onRetry?: (info: { attempt: number; delayMs: number; why: string }) => void;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Exponential backoff with jitter between 50% and 100% of the step, so that many
 * runners failing together do not retry in lockstep. A Retry-After from the server
 * replaces the computed step (a server knows its own load better than we do).
 */
export function backoffDelay(policy: RetryPolicy, retryNumber: number, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retryNumber - 1));
  return Math.round(step * (policy.jitter === 'full' ? random() : 0.5 + random() / 2));
}

export async function retry<T>(
  operation: (attempt: number) => Promise<T>,
  decide: (outcome: Outcome<T>, attempt: number) => RetryDecision,
  policy: RetryPolicy = DEFAULT_RETRY,
  hooks: RetryHooks = {},
): Promise<T> {
  const now = hooks.now ?? Date.now;
  const random = hooks.random ?? Math.random;
  const wait = hooks.sleep ?? sleep;
  const started = now();
  for (let attempt = 1; ; attempt++) {
    let outcome: Outcome<T>;
    try {
      outcome = { ok: true, value: await operation(attempt) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    const decision = attempt < policy.attempts ? decide(outcome, attempt) : { retry: false as const };
    if (!decision.retry) {
      if (outcome.ok) return outcome.value;
      throw outcome.error;
    }
    let delayMs = backoffDelay(policy, attempt, random);
    if (decision.retryAfterMs !== undefined) {
      if (decision.retryAfterMs > (policy.maxRetryAfterMs ?? Number.POSITIVE_INFINITY)) {
        return settle(outcome, `server asked to wait ${decision.retryAfterMs} ms, over the limit`);
      }
      // Small jitter on top so that runners told the same Retry-After do not return together.
      delayMs = decision.retryAfterMs + Math.round(random() * Math.min(1000, decision.retryAfterMs * 0.1));
    }
    if (policy.budgetMs !== undefined && now() + delayMs - started > policy.budgetMs) {
      return settle(outcome, `retry budget of ${policy.budgetMs} ms spent`);
    }
    hooks.onRetry?.({ attempt, delayMs, why: decision.why });
    await wait(delayMs);
  }
}

function settle<T>(outcome: Outcome<T>, why: string): T {
  if (outcome.ok) return outcome.value;
  const error = outcome.error;
  if (error instanceof Error) {
    error.message = `${error.message} (gave up: ${why})`;
    throw error;
  }
  throw new Error(`${errorMessage(error)} (gave up: ${why})`);
}

/** Retry-After is either delta-seconds or an HTTP date; returns ms from now, or undefined. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'ERR_REQUEST_TIMEOUT',
]);

export function isTransientError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TRANSIENT_CODES.has(code);
}
