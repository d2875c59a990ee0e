// The files acr-push writes with `report-dir` (one `{ phases, services }` JSON per service),
// read back by the actions that act on a release's builds: deploy-report reports them, and
// gitops-bump pins each pushed image by digest, so no workflow step has to parse them.
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from './errors.js';
import { confinedPath } from './paths.js';

/** Bounds on a records folder: files read, and bytes a file. */
const MAX_FILES = 500;
const MAX_FILE_BYTES = 256 * 1024;

/**
 * Each `*.json` file of the folder `given` (the input's value, confined to the workspace or
 * RUNNER_TEMP, links included), in name order, as an object; [] for a missing folder. Errors
 * name the input and the file.
 */
export function readRecordFiles(input: string, given: string): { name: string; record: Record<string, unknown> }[] {
  const dir = confinedPath(input, given);
  if (!existsSync(dir)) return [];
  if (!lstatSync(dir).isDirectory()) throw new InputError(input, `must be a folder; got "${given}"`);
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort();
  if (files.length > MAX_FILES) throw new InputError(input, `holds over ${MAX_FILES} JSON files`);
  return files.map((name) => {
    const path = confinedPath(input, join(given, name), { mustExist: true });
    const stat = lstatSync(path);
    if (!stat.isFile() || stat.size > MAX_FILE_BYTES)
      throw new InputError(input, `${name} must be a file of at most ${MAX_FILE_BYTES / 1024} KiB`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      throw new InputError(input, `${name} is not JSON`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new InputError(input, `${name} must hold { "phases": [...], "services": [...] }`);
    return { name, record: parsed as Record<string, unknown> };
  });
}

export interface BuiltImage {
  service: string;
  /** `registry/repository:tag` as pushed. */
  image: string;
  digest?: string;
}

/** Every service of every record in the folder `given`. */
export function readBuiltImages(input: string, given: string): BuiltImage[] {
  return readRecordFiles(input, given).flatMap(({ name, record }) => {
    if (!Array.isArray(record.services)) throw new InputError(input, `${name} must hold { "services": [...] }`);
    return record.services.map((item: unknown): BuiltImage => {
      const { service, image, digest } = (item ?? {}) as Record<string, unknown>;
      if (typeof service !== 'string' || typeof image !== 'string' || (digest !== undefined && typeof digest !== 'string')) {
        throw new InputError(input, `${name}: each service must be { service, image, digest }`);
      }
      return { service, image, ...(digest === undefined ? {} : { digest }) };
    });
  });
}
