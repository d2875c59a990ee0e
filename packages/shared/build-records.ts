// The files acr-push writes with `report-dir` (one `{ phases, services }` JSON per service),
// read back by the actions that act on a release's builds: gitops-bump pins each pushed image
// by digest, so no workflow step has to parse them.
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from './errors.js';

export interface BuiltImage {
  service: string;
  /** `registry/repository:tag` as pushed. */
  image: string;
  digest?: string;
}

const MAX_FILES = 1000;
const MAX_BYTES = 1024 * 1024;

/** Every service of every `*.json` record in `dir` (an absolute, confined path), by file name. */
export function readBuiltImages(input: string, dir: string): BuiltImage[] {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort();
  if (files.length > MAX_FILES) throw new InputError(input, `holds ${files.length} records; at most ${MAX_FILES}`);
  return files.flatMap((name) => {
    const path = join(dir, name);
    // lstat: a link in the folder could lead outside the workspace.
    const stat = lstatSync(path);
    if (!stat.isFile() || stat.size > MAX_BYTES) {
      throw new InputError(input, `${name} is not a build record file (at most 1 MiB)`);
    }
    let record: unknown;
    try {
      record = JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      throw new InputError(input, `${name} is not JSON`);
    }
    const services = (record as { services?: unknown } | null)?.services;
    if (!Array.isArray(services)) throw new InputError(input, `${name} must hold { "services": [...] }`);
    return services.map((item: unknown): BuiltImage => {
      const { service, image, digest } = (item ?? {}) as Record<string, unknown>;
      if (typeof service !== 'string' || typeof image !== 'string' || (digest !== undefined && typeof digest !== 'string')) {
        throw new InputError(input, `${name}: each service must be { service, image, digest }`);
      }
      return { service, image, ...(digest === undefined ? {} : { digest }) };
    });
  });
}
