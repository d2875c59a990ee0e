import { InputError } from '../../packages/shared/errors.js';
import { GATE_DEFAULTS, type GateSettings, type ProbeSettings, readGateSettings } from '../../packages/shared/gate/settings.js';
import type { Inputs } from '../../packages/shared/inputs.js';
import { readServiceUrls } from '../../packages/shared/gate/service-urls.js';
import { readServiceList } from '../../packages/shared/service-name.js';

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
  const { urls, changed } = readTargets(inputs);
  const method = inputs.choice('method', METHODS, 'GET');
  const settings = readGateSettings(
    inputs,
    urls.map((target) => target.url),
    { bodyless: method === 'HEAD' },
  );
  return {
    ...settings,
    // With changed-services, expect-json holds only the changed services' URLs to it: the
    // others were not redeployed and still report the release before.
    ...(changed ? { expectJsonByUrl: urls.map((target) => (changed.has(target.service ?? '') ? settings.expectJson : [])) } : {}),
    method,
    headers,
    failOnUnhealthy: inputs.boolean('fail-on-unhealthy', true),
  };
}

interface Target {
  url: URL;
  service?: string;
}

/** `url`, or the `services` lines (`service=url`, or `service=/path` under `base-url`): one of them. */
function readTargets(inputs: Inputs): { urls: Target[]; changed: Set<string> | undefined } {
  const base = inputs.url('base-url');
  const services = readServiceUrls(inputs, 'services', base);
  const plain = inputs.urls('url');
  if (base && services.length === 0) throw new InputError('base-url', 'is only used with services (service=/path lines)');
  if (plain.length > 0 && services.length > 0)
    throw new InputError('url', 'and services are two ways to name the URLs: give one');
  if (plain.length === 0 && services.length === 0) {
    throw new InputError('url', 'is required: one or more http(s) URLs, or services (service=url lines)');
  }
  const changed = readServiceList(inputs, 'changed-services');
  if (changed && services.length === 0) throw new InputError('changed-services', 'needs services (service=url lines)');
  return { urls: services.length > 0 ? services : plain.map((url) => ({ url })), changed };
}

/** Header names whose whole value is a credential. */
const SECRET_NAME = /^(cookie|set-cookie)$|api[-_]?key|token|secret|password|passwd|session|signature/i;
/** Headers whose value is `<scheme> <credential>`: the credential is the secret, not the scheme. */
const AUTH_SCHEME = /^(authorization|proxy-authorization)$/i;

/**
 * Masks the credential part of credential headers, and only that: masking every value
 * would turn a harmless `X-Debug: 1` into `***` wherever a 1 appears (outputs, the JSON
 * report), while masking `Bearer T` whole would leave a reflected `T` visible.
 */
function maskCredential(inputs: Inputs, name: string, value: string, secretNames: ReadonlySet<string>): void {
  if (value === '') return;
  if (AUTH_SCHEME.test(name)) {
    const space = value.indexOf(' ');
    const credential = space > 0 ? value.slice(space + 1).trim() : value;
    inputs.maskValue(credential);
    if (/^basic$/i.test(value.slice(0, space))) {
      // Basic's credential is base64 of user:password; the decoded password is a secret too.
      const decoded = Buffer.from(credential, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0 && decoded.length > colon + 1) inputs.maskValue(decoded.slice(colon + 1));
    }
  } else if (SECRET_NAME.test(name) || secretNames.has(name.toLowerCase())) {
    inputs.maskValue(value);
    if (/^cookie$/i.test(name)) {
      for (const pair of value.split(';')) {
        const cookie = pair.slice(pair.indexOf('=') + 1).trim();
        if (cookie.length >= 4) inputs.maskValue(cookie);
      }
    }
  }
}

function parseHeaders(inputs: Inputs): Record<string, string> {
  const secretNames = new Set(inputs.list('secret-headers').map((name) => name.toLowerCase()));
  for (const name of secretNames) {
    if (!HEADER_NAME.test(name)) throw new InputError('secret-headers', `must be header names; got "${name}"`);
  }
  const headers: Record<string, string> = {};
  for (const [index, line] of inputs.lines('headers').entries()) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    const value = colon > 0 ? line.slice(colon + 1).trim() : '';
    if (!HEADER_NAME.test(name)) {
      // The line may hold a secret, so it is named by number, never shown.
      inputs.maskValue(line);
      throw new InputError('headers', `must be lines of "Name: value"; line ${index + 1} is not`);
    }
    maskCredential(inputs, name, value, secretNames);
    if (!/^[\t\x20-\x7e\x80-\xff]*$/.test(value)) {
      // Node would refuse it at the first request with its own words; say it here, by name.
      throw new InputError(
        'headers',
        `line ${index + 1} (${name}) has a character outside Latin-1, which HTTP headers cannot carry`,
      );
    }
    headers[name] = value;
  }
  return headers;
}
