import { InputError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import { isServiceName } from '../service-name.js';

/** One service's health URL, from a `service=url` line. */
export interface ServiceUrl {
  service: string;
  url: URL;
}

/**
 * The one reader of the workflows' `health-urls` (`service=https://...` lines) and
 * `health-paths` (`service=/path` lines, joined to `base-url`): every option's workflow hands
 * them to health-gate as they are, so the rule for a line lives here and nowhere else.
 */
export function readServiceUrls(inputs: Inputs, name: string, base: URL | undefined): ServiceUrl[] {
  const seen = new Set<string>();
  return inputs.lines(name).map((line, index) => {
    const equals = line.indexOf('=');
    const service = equals > 0 ? line.slice(0, equals).trim() : '';
    const target = equals > 0 ? line.slice(equals + 1).trim() : '';
    if (!isServiceName(service) || target === '') {
      throw new InputError(name, `must be lines of service=${base ? '/path' : 'https://url'}; line ${index + 1} is not`);
    }
    if (seen.has(service)) throw new InputError(name, `names ${service} twice`);
    seen.add(service);
    if (base === undefined) return { service, url: inputs.maskedUrl(name, target) };
    if (!/^\/[^\s]*$/.test(target))
      throw new InputError(name, `must be lines of service=/path (with base-url); line ${index + 1} is not`);
    return { service, url: inputs.maskedUrl(name, base.href.replace(/\/+$/, '') + target) };
  });
}
