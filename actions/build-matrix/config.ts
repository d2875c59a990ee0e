import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../../packages/shared/errors.js';
import type { Inputs } from '../../packages/shared/inputs.js';

/** The defaults of build-matrix/action.yml; test/unit/action-metadata.test.ts keeps them equal. */
export const DEFAULTS = { config: '.github/deploy-services.yml', all: 'false' } as const;

export interface MatrixConfig {
  /** The services file's YAML, and the input it came from (for error messages). */
  servicesText: string;
  servicesInput: 'config' | 'services';
  all: boolean;
  base: string | undefined;
  head: string | undefined;
}

/** Reads and checks every input before git runs. */
export function readConfig(inputs: Inputs): MatrixConfig {
  const inline = inputs.string('services');
  const all = inputs.boolean('all', false);
  const base = inputs.string('base');
  const head = inputs.string('head');
  if (head !== undefined && base === undefined) throw new InputError('head', 'needs base as well');
  return {
    servicesText: inline ?? readServicesFile(inputs.raw('config')),
    servicesInput: inline === undefined ? 'config' : 'services',
    all,
    base,
    head,
  };
}

function readServicesFile(path: string): string {
  if (!existsSync(path))
    throw new InputError('config', `names ${path}, which does not exist in the checkout (or give services inline)`);
  return readFileSync(path, 'utf8');
}
