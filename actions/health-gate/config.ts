import { InputError } from '../../packages/shared/errors.js';
import type { Inputs } from '../../packages/shared/inputs.js';
import { parseJsonExpectations, type JsonExpectation } from './json-expectations.js';
import { parseStatusRanges, type StatusRange } from './status-ranges.js';

/** The defaults of health-gate/action.yml; test/unit/action-defaults.test.ts keeps them equal. */
export const DEFAULTS = {
  method: 'GET',
  'expect-status': '200-299',
  timeout: '5m',
  interval: '5s',
  'request-timeout': '10s',
  'initial-delay': '0s',
  'success-threshold': '3',
  'failure-threshold': '5',
  'fail-on-unhealthy': 'true',
} as const;

export interface GateConfig {
  urls: URL[];
  method: string;
  headers: Record<string, string>;
  expectStatus: StatusRange[];
  expectBody: RegExp | undefined;
  expectJson: JsonExpectation[];
  timeoutMs: number;
  intervalMs: number;
  requestTimeoutMs: number;
  initialDelayMs: number;
  successThreshold: number;
  failureThreshold: number;
  maxLatencyMs: number | undefined;
  failOnUnhealthy: boolean;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const SIX_HOURS = 6 * 3_600_000; // a GitHub-hosted job's own limit

/** Parses every input before any request is sent, so a typo costs no probe. */
export function readGateConfig(inputs: Inputs): GateConfig {
  // Headers first: their values are secrets and must be masked before any error could echo them.
  const headers = parseHeaders(inputs);
  const urls = inputs.urls('url');
  if (urls.length === 0) throw new InputError('url', 'is required: one or more http(s) URLs');

  const method = inputs.choice('method', METHODS, 'GET');
  const expectBodyText = inputs.string('expect-body');
  const expectJson = parseJsonExpectations('expect-json', inputs.lines('expect-json'));
  if (method === 'HEAD' && (expectBodyText !== undefined || expectJson.length > 0)) {
    throw new InputError(
      expectBodyText !== undefined ? 'expect-body' : 'expect-json',
      'cannot be used with method HEAD, which has no body',
    );
  }

  const timeoutMs = inputs.duration('timeout', { minMs: 1, maxMs: SIX_HOURS }) ?? 0;
  const initialDelayMs = inputs.duration('initial-delay', { maxMs: SIX_HOURS }) ?? 0;
  if (initialDelayMs >= timeoutMs) {
    throw new InputError('initial-delay', `must be shorter than timeout (${inputs.raw('timeout')}), which includes it`);
  }

  return {
    urls,
    method,
    headers,
    expectStatus: parseStatusRanges('expect-status', inputs.raw('expect-status')),
    expectBody: expectBodyText === undefined ? undefined : parseRegExp(expectBodyText),
    expectJson,
    timeoutMs,
    intervalMs: inputs.duration('interval', { maxMs: SIX_HOURS }) ?? 0,
    requestTimeoutMs: inputs.duration('request-timeout', { minMs: 1, maxMs: SIX_HOURS }) ?? 0,
    initialDelayMs,
    successThreshold: inputs.integer('success-threshold', { min: 1, max: 10_000 }) ?? 1,
    failureThreshold: inputs.integer('failure-threshold', { min: 0, max: 10_000 }) ?? 0,
    maxLatencyMs: inputs.integer('max-latency-ms', { min: 1 }),
    failOnUnhealthy: inputs.boolean('fail-on-unhealthy', true),
  };
}

function parseHeaders(inputs: Inputs): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [index, line] of inputs.lines('headers').entries()) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    const value = colon > 0 ? line.slice(colon + 1).trim() : '';
    if (value !== '') inputs.maskValue(value);
    if (!HEADER_NAME.test(name)) {
      // The line may hold a secret, so it is named by number, never shown.
      inputs.maskValue(line);
      throw new InputError('headers', `must be lines of "Name: value"; line ${index + 1} is not`);
    }
    headers[name] = value;
  }
  return headers;
}

function parseRegExp(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (error) {
    throw new InputError('expect-body', `must be a valid regular expression: ${(error as Error).message}`);
  }
}
