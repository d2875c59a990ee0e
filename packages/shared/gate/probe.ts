import { httpRequest, TransportError } from '../http.js';
import type { BodyMatcher } from './body-matcher.js';
import { checkJson } from './json-expectations.js';
import type { Expectations, ProbeSettings } from './settings.js';
import { formatStatusRanges, statusAllowed } from './status-ranges.js';

/**
 * One HTTP answer, or why there was none. `answered` on a transport failure: the server
 * had begun answering (a connection reset mid-body), so the URL is up and this is a failure.
 */
export type ProbeAnswer =
  | { kind: 'response'; status: number; body: string; latencyMs: number; bodyTruncated?: boolean }
  | { kind: 'transport'; error: string; latencyMs: number; timedOut: boolean; answered?: boolean };

/** The first expectation the answer misses, as a short reason; undefined when it passes. */
export async function judgeResponse(
  answer: Extract<ProbeAnswer, { kind: 'response' }>,
  expectations: Expectations,
  matchBody: BodyMatcher,
  deadlineMs: number,
): Promise<string | undefined> {
  const { status, body } = answer;
  if (!statusAllowed(expectations.expectStatus, status)) {
    return `status ${status} not in ${formatStatusRanges(expectations.expectStatus)}`;
  }
  const tooLarge = answer.bodyTruncated ? 'body is over 1 MiB, cut there, ' : '';
  if (expectations.expectBody) {
    const verdict = await matchBody(expectations.expectBody, body, deadlineMs);
    if (verdict === 'too-slow')
      return `body match against /${expectations.expectBody.source}/ did not finish before the gate's timeout`;
    if (verdict === 'no-match') return `${tooLarge}body did not match /${expectations.expectBody.source}/`;
  }
  if (tooLarge && expectations.expectJson.length > 0) return 'body is over 1 MiB, too large to check as JSON';
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
        bodyTruncated: response.bodyTruncated,
      };
    } catch (error) {
      if (error instanceof TransportError) {
        return {
          kind: 'transport',
          error: error.message,
          latencyMs: error.latencyMs,
          timedOut: error.code === 'ETIMEDOUT',
          answered: error.afterResponse,
        };
      }
      throw error;
    }
  };
}
