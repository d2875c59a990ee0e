import { InputError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import { parseJsonExpectations, type JsonExpectation } from './json-expectations.js';
import { parseStatusRanges, type StatusRange } from './status-ranges.js';

/** What a response must be to pass. */
export interface Expectations {
  expectStatus: StatusRange[];
  expectBody: RegExp | undefined;
  expectJson: JsonExpectation[];
}

/** Everything the gate engine (`runGate`) needs besides the way it probes. */
export interface GateSettings extends Expectations {
  urls: URL[];
  timeoutMs: number;
  intervalMs: number;
  requestTimeoutMs: number;
  initialDelayMs: number;
  successThreshold: number;
  failureThreshold: number;
  maxLatencyMs: number | undefined;
  /** URLs probed at once in a round. */
  concurrency: number;
  /**
   * The JSON expectations of each URL by index, where they differ from `expectJson`:
   * health-gate's `changed-services` holds only a release's changed services to the new SHA.
   */
  expectJsonByUrl?: readonly (readonly JsonExpectation[])[];
}

/** How a probe is sent. */
export interface ProbeSettings {
  method: string;
  headers: Record<string, string>;
}

/** The gate's input names; an action may name some differently (slot-swap: `gate-timeout`). */
export interface GateInputNames {
  'expect-status': string;
  'expect-body': string;
  'expect-json': string;
  timeout: string;
  interval: string;
  'request-timeout': string;
  'initial-delay': string;
  'success-threshold': string;
  'failure-threshold': string;
  'max-latency-ms': string;
  concurrency: string;
}

const SAME_NAMES: GateInputNames = {
  'expect-status': 'expect-status',
  'expect-body': 'expect-body',
  'expect-json': 'expect-json',
  timeout: 'timeout',
  interval: 'interval',
  'request-timeout': 'request-timeout',
  'initial-delay': 'initial-delay',
  'success-threshold': 'success-threshold',
  'failure-threshold': 'failure-threshold',
  'max-latency-ms': 'max-latency-ms',
  concurrency: 'concurrency',
};

/** The action.yml defaults of the gate inputs, shared by every action that gates. */
export const GATE_DEFAULTS = {
  'expect-status': '200-299',
  timeout: '5m',
  interval: '5s',
  'request-timeout': '10s',
  'initial-delay': '0s',
  'success-threshold': '3',
  'failure-threshold': '5',
  concurrency: '50',
} as const;

/** No faster than 10 rounds a second: `interval: 0` once sent 13,000 probes in 20 s. */
export const MIN_INTERVAL_MS = 100;

const SIX_HOURS = 6 * 3_600_000; // a GitHub-hosted job's own limit

/**
 * Reads the gate's inputs for `urls`, every one before any request is sent, so a typo
 * costs no probe. `names` maps the gate's inputs to the action's own names.
 */
export function readGateSettings(
  inputs: Inputs,
  urls: URL[],
  options: { names?: Partial<GateInputNames>; bodyless?: boolean } = {},
): GateSettings {
  const name = { ...SAME_NAMES, ...options.names };
  const expectBodyText = inputs.string(name['expect-body']);
  const expectJson = parseJsonExpectations(name['expect-json'], inputs.lines(name['expect-json']));
  if (options.bodyless && (expectBodyText !== undefined || expectJson.length > 0)) {
    throw new InputError(
      expectBodyText !== undefined ? name['expect-body'] : name['expect-json'],
      'cannot be used with method HEAD, which has no body',
    );
  }
  const timeoutMs = inputs.duration(name.timeout, { minMs: 1, maxMs: SIX_HOURS }) ?? 0;
  const initialDelayMs = inputs.duration(name['initial-delay'], { maxMs: SIX_HOURS }) ?? 0;
  if (initialDelayMs >= timeoutMs) {
    throw new InputError(
      name['initial-delay'],
      `must be shorter than ${name.timeout} (${inputs.raw(name.timeout)}), which includes it`,
    );
  }
  return {
    urls,
    expectStatus: parseStatusRanges(name['expect-status'], inputs.raw(name['expect-status'])),
    expectBody: expectBodyText === undefined ? undefined : parseRegExp(name['expect-body'], expectBodyText),
    expectJson,
    timeoutMs,
    intervalMs: inputs.duration(name.interval, { minMs: MIN_INTERVAL_MS, maxMs: SIX_HOURS }) ?? MIN_INTERVAL_MS,
    requestTimeoutMs: inputs.duration(name['request-timeout'], { minMs: 1, maxMs: SIX_HOURS }) ?? 0,
    initialDelayMs,
    successThreshold: inputs.integer(name['success-threshold'], { min: 1, max: 10_000 }) ?? 1,
    failureThreshold: inputs.integer(name['failure-threshold'], { min: 0, max: 10_000 }) ?? 0,
    maxLatencyMs: inputs.integer(name['max-latency-ms'], { min: 1 }),
    concurrency: inputs.integer(name.concurrency, { min: 1, max: 1000 }) ?? 50,
  };
}

function parseRegExp(input: string, source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (error) {
    throw new InputError(input, `must be a valid regular expression: ${(error as Error).message}`);
  }
}
