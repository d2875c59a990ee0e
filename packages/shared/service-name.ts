import { InputError } from './errors.js';
import type { Inputs } from './inputs.js';

/**
 * A service's name as build-matrix entries and release records carry it: lower-case letters
 * and digits, with . _ - after the first, at most 63 characters. One rule for the actions that
 * read such names from another step (acr-push's batch, deploy-report's services).
 */
export const isServiceName = (name: string): boolean => /^[a-z0-9][a-z0-9._-]{0,62}$/.test(name);

/**
 * The services a release changed, from build-matrix's `services` output (a JSON list) or a
 * comma or newline list. Undefined when the input is empty: then every URL is checked alike.
 */
export function readServiceList(inputs: Inputs, name: string): Set<string> | undefined {
  const text = inputs.text(name)?.trim();
  if (text === undefined || text === '') return undefined;
  let names: unknown;
  if (text.startsWith('[')) {
    try {
      names = JSON.parse(text);
    } catch {
      throw new InputError(name, 'must be a JSON list of service names, or a comma list');
    }
  } else {
    names = text
      .split(/[\n,]/)
      .map((item) => item.trim())
      .filter(Boolean);
  }
  if (!Array.isArray(names) || !names.every((item) => typeof item === 'string' && isServiceName(item))) {
    throw new InputError(name, 'must be a JSON list of service names, or a comma list');
  }
  return new Set(names as string[]);
}
