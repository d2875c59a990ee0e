import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../../packages/shared/errors.js';
import { checkCommitish } from '../../packages/shared/git-ref.js';
import type { Inputs } from '../../packages/shared/inputs.js';
import { confinedPath } from '../../packages/shared/paths.js';

/** The defaults of build-matrix/action.yml; test/unit/action-metadata.test.ts keeps them equal. */
export const DEFAULTS = { config: '.github/deploy-services.yml', all: 'false', 'max-jobs': '256' } as const;

export interface MatrixConfig {
  /** The services file's YAML, and the input it came from (for error messages). */
  servicesText: string;
  servicesInput: 'config' | 'services';
  all: boolean;
  base: string | undefined;
  head: string | undefined;
  /** The most matrix entries to emit; more services are batched. */
  maxJobs: number;
}

/** Reads and checks every input before git runs. */
export function readConfig(inputs: Inputs): MatrixConfig {
  const inline = inputs.text('services');
  const all = inputs.boolean('all', false);
  const base = optional(inputs.string('base'), (value) => checkCommitish('base', value));
  const head = optional(inputs.string('head'), (value) => checkCommitish('head', value));
  if (head !== undefined && base === undefined) throw new InputError('head', 'needs base as well');
  return {
    servicesText: inline ?? readServicesFile(inputs.raw('config')),
    servicesInput: inline === undefined ? 'config' : 'services',
    all,
    base,
    head,
    maxJobs: inputs.integer('max-jobs', { min: 1, max: 256 }) ?? 256,
  };
}

const optional = <T>(value: T | undefined, check: (value: T) => T): T | undefined =>
  value === undefined ? undefined : check(value);

function readServicesFile(value: string): string {
  const path = confinedPath('config', value);
  if (!existsSync(path))
    throw new InputError('config', `names ${value}, which does not exist in the checkout (or give services inline)`);
  return readFileSync(path, 'utf8');
}
