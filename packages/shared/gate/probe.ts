import { httpRequest, TransportError } from '../http.js';
import { checkJson } from './json-expectations.js';
import type { Expectations, ProbeSettings } from './settings.js';
import { formatStatusRanges, statusAllowed } from './status-ranges.js';

/** One HTTP answer, or why there was none. */
export type ProbeAnswer =
  | { kind: 'response'; status: number; body: string; latencyMs: number }
  | { kind: 'transport'; error: string; latencyMs: number; timedOut: boolean };

/** The first expectation the answer misses, as a short reason; undefined when it passes. */
export function judgeResponse(status: number, body: string, expectations: Expectations): string | undefined {
  if (!statusAllowed(expectations.expectStatus, status)) {
    return `status ${status} not in ${formatStatusRanges(expectations.expectStatus)}`;
  }
  if (expectations.expectBody && !expectations.expectBody.test(body)) {
    return `body did not match /${expectations.expectBody.source}/`;
  }
  return checkJson(body, expectations.expectJson);
}

export type ProbeFn = (url: URL, timeoutMs: number) => Promise<ProbeAnswer>;

export function httpProbe(config: ProbeSettings): ProbeFn {
  return async (url, timeoutMs) => {
    try {
      const response = await httpRequest({ url, method: config.method, headers: config.headers, timeoutMs });
      return {
        kind: 'response',
        status: response.status,
        body: response.body.toString('utf8'),
        latencyMs: response.latencyMs,
      };
    } catch (error) {
      if (error instanceof TransportError) {
        return { kind: 'transport', error: error.message, latencyMs: error.latencyMs, timedOut: error.code === 'ETIMEDOUT' };
      }
      throw error;
    }
  };
}
