import { InputError } from '../../packages/shared/errors.js';
import { GATE_DEFAULTS, type GateSettings, type ProbeSettings, readGateSettings } from '../../packages/shared/gate/settings.js';
import type { Inputs } from '../../packages/shared/inputs.js';

/** The defaults of health-gate/action.yml; test/unit/action-metadata.test.ts keeps them equal. */
export const DEFAULTS = {
  method: 'GET',
  ...GATE_DEFAULTS,
  'fail-on-unhealthy': 'true',
} as const;

export interface GateConfig extends GateSettings, ProbeSettings {
  failOnUnhealthy: boolean;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Parses every input before any request is sent, so a typo costs no probe. */
export function readConfig(inputs: Inputs): GateConfig {
  // Headers first: their values are secrets and must be masked before any error could echo them.
  const headers = parseHeaders(inputs);
  const urls = inputs.urls('url');
  if (urls.length === 0) throw new InputError('url', 'is required: one or more http(s) URLs');
  const method = inputs.choice('method', METHODS, 'GET');
  return {
    ...readGateSettings(inputs, urls, { bodyless: method === 'HEAD' }),
    method,
    headers,
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
