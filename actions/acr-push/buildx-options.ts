import { InputError } from '../../packages/shared/errors.js';
import type { Inputs } from '../../packages/shared/inputs.js';
import { confinedPath } from '../../packages/shared/paths.js';

/** An attestation setting as buildx takes it: off, on (buildx's min mode), or mode=max/min. */
export type Attestation = 'false' | 'true' | 'mode=max' | 'mode=min';

/** What only the buildx path takes. Without buildx, any of it set is refused (build-step.ts). */
export interface BuildxOptions {
  /** A buildx builder by name (docker/setup-buildx-action's `name` output); default the current one. */
  builder: string | undefined;
  /** `secrets`: each id with its value, handed to BuildKit through the environment, never argv. */
  secrets: { id: string; value: string }[];
  /** `secret-files`: each id with a file inside the workspace or RUNNER_TEMP. */
  secretFiles: { id: string; path: string }[];
  provenance: Attestation;
  sbom: Attestation;
}

const SECRET_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const BUILDER = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const ATTESTATIONS: readonly Attestation[] = ['false', 'true', 'mode=max', 'mode=min'];

/** Which of these inputs are set: the ones a runner without buildx must refuse. */
export function buildxOnly(options: BuildxOptions): string | undefined {
  if (options.secrets.length > 0) return 'secrets';
  if (options.secretFiles.length > 0) return 'secret-files';
  if (options.provenance !== 'false') return 'provenance';
  if (options.sbom !== 'false') return 'sbom';
  if (options.builder !== undefined) return 'builder';
  return undefined;
}

/**
 * `secrets` lines are `id=value` (docker/build-push-action's form): each value is masked at
 * once, the whole line too, and reaches BuildKit as `--secret id=<id>,env=<variable>`, so it
 * is in no argument list and no log. `secret-files` lines are `id=path`, the path confined
 * like the context, and one BuildKit's CSV can carry (no comma or quote).
 */
export function readBuildxOptions(inputs: Inputs): BuildxOptions {
  const secrets: BuildxOptions['secrets'] = [];
  const text = inputs.secret('secrets', { multiline: true });
  for (const line of (text ?? '').split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const at = line.indexOf('=');
    const id = line.slice(0, at).trim();
    const value = line.slice(at + 1);
    if (at <= 0 || !SECRET_ID.test(id) || value === '') {
      throw new InputError('secrets', 'must be lines of id=value (id: letters, digits, _ . -)');
    }
    inputs.maskValue(value);
    secrets.push({ id, value });
  }
  const secretFiles = inputs.keyValues('secret-files', { newlineOnly: true }).map(([id, file]) => {
    if (!SECRET_ID.test(id))
      throw new InputError('secret-files', `must be lines of id=path (id: letters, digits, _ . -); got "${id}"`);
    const path = confinedPath('secret-files', file, { mustExist: true });
    if (/[,"']/.test(path))
      throw new InputError('secret-files', `names a path with a comma or a quote, which BuildKit cannot take: ${file}`);
    return { id, path };
  });
  const ids = [...secrets, ...secretFiles].map((secret) => secret.id);
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated !== undefined) throw new InputError('secrets', `gives the id ${repeated} twice (with secret-files)`);
  const builder = inputs.string('builder');
  if (builder !== undefined && !BUILDER.test(builder)) {
    throw new InputError('builder', `must be a buildx builder name (letters, digits, _ . -); got "${builder}"`);
  }
  return {
    builder,
    secrets,
    secretFiles,
    provenance: inputs.choice('provenance', ATTESTATIONS, 'false'),
    sbom: inputs.choice('sbom', ATTESTATIONS, 'false'),
  };
}

/** The environment variable a secret's value travels in, to `docker buildx build` alone. */
export const secretVariable = (index: number): string => `DEPLOY_ACTIONS_BUILD_SECRET_${index}`;

/** buildx's arguments for these options; values only as variable names. */
export function buildxArgs(options: BuildxOptions): string[] {
  const args: string[] = [];
  if (options.builder !== undefined) args.push('--builder', options.builder);
  options.secrets.forEach((secret, index) => args.push('--secret', `id=${secret.id},env=${secretVariable(index)}`));
  for (const file of options.secretFiles) args.push('--secret', `id=${file.id},src=${file.path}`);
  // Always said, so buildx's own default (min provenance on push) never adds manifests unasked.
  args.push(`--provenance=${options.provenance}`, `--sbom=${options.sbom}`);
  return args;
}

/** The secrets' values by variable, for the build's environment. */
export const secretEnv = (options: BuildxOptions): Record<string, string> =>
  Object.fromEntries(options.secrets.map((secret, index) => [secretVariable(index), secret.value]));
