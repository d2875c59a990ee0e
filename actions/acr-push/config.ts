import { join } from 'node:path';
import { isGuid } from '../../packages/shared/azure-auth.js';
import { InputError } from '../../packages/shared/errors.js';
import { isDigest, isRegistryHost, isRepository, isTag } from '../../packages/shared/image-ref.js';
import type { Inputs } from '../../packages/shared/inputs.js';
import { readAzureEndpoints } from '../../packages/shared/azure-cloud.js';
import { confinedPath } from '../../packages/shared/paths.js';
import { isServiceName } from '../../packages/shared/service-name.js';
import { type BuildxOptions, buildxOnly, readBuildxOptions } from './buildx-options.js';

/** The defaults of acr-push/action.yml; test/unit/action-metadata.test.ts keeps them equal. */
export const DEFAULTS = {
  context: '.',
  push: 'true',
  cache: 'registry',
  provenance: 'false',
  sbom: 'false',
  'azure-cloud': 'AzureCloud',
  'authority-host': '',
  'dry-run': 'false',
  lock: 'false',
  keep: '20',
  'keep-days': '30',
} as const;

export type AuthMode = 'oidc' | 'password' | 'none';
export type Mode = 'build' | 'promote' | 'cleanup';

/** What mode: cleanup keeps (see cleanup.ts for the rules). */
export interface CleanupPolicy {
  /** The newest this many tags of each repository, by lastUpdatedOn. */
  keep: number;
  /** Every tag updated within this many days. */
  keepDays: number;
  /** Tag names, or patterns with `*`, never deleted. */
  protect: string[];
  /**
   * The tags cleanup may delete at all, names or patterns with `*` (as `acr purge --filter`);
   * empty: the tags the build jobs push, full 40-hex commit SHAs. Every other tag stays.
   */
  deleteTags: string[];
}

export interface BuildTarget {
  /** The service's name in the build record (a batch entry's `service`, else the repository's last part). */
  service: string;
  repository: string;
  context: string;
  dockerfile: string;
}

export interface AcrPushConfig {
  /** build, promote (when `promote` is set) or cleanup. */
  mode: Mode;
  registry: string;
  repository: string;
  /** Every repository given; more than one only with promote (one tag moved in each). */
  repositories: string[];
  /** What a build builds: the repository, context and dockerfile inputs, or each of a batch. */
  builds: BuildTarget[];
  buildArgs: [string, string][];
  /** Where each build's record for deploy-report goes (its report-dir format); none when undefined. */
  reportDir: string | undefined;
  target: string | undefined;
  platforms: string[];
  labels: [string, string][];
  /** Explicit tags; undefined means the defaults (SHA, latest, semver). */
  tags: string[] | undefined;
  push: boolean;
  cache: 'registry' | 'none';
  /** builder, secrets, secret-files, provenance, sbom: the buildx path's own. */
  buildx: BuildxOptions;
  promote: string | undefined;
  /** Lock the promoted image (manifest and source tag) against overwrite and delete. */
  lock: boolean;
  /** mode: cleanup works on every repository under this prefix (instead of `repository`). */
  repositoryPrefix: string | undefined;
  cleanup: CleanupPolicy;
  auth: AuthMode;
  clientId: string | undefined;
  tenantId: string | undefined;
  authorityHost: string;
  username: string | undefined;
  password: string | undefined;
  dryRun: boolean;
}

const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;

export function readConfig(inputs: Inputs): AcrPushConfig {
  const password = inputs.secret('password');
  const registry = inputs.required('registry').toLowerCase();
  if (!isRegistryHost(registry)) {
    throw new InputError(
      'registry',
      `must be a registry host such as myacr.azurecr.io or 127.0.0.1:5000 (no scheme, no path); got "${registry}"`,
    );
  }
  const batchText = inputs.text('batch');
  const repositories = inputs.list('repository');
  const promote = inputs.string('promote');
  const mode = inputs.choice<Mode>('mode', ['build', 'promote', 'cleanup'], promote !== undefined ? 'promote' : 'build');
  const repositoryPrefix = inputs.string('repository-prefix');
  if (repositoryPrefix !== undefined && !isRepository(repositoryPrefix)) {
    throw new InputError('repository-prefix', `must be a lowercase repository path such as omis-pc; got "${repositoryPrefix}"`);
  }
  if (mode !== 'cleanup') {
    if (repositoryPrefix !== undefined) throw new InputError('repository-prefix', 'is used only with mode: cleanup');
    if (inputs.list('protect').length > 0) throw new InputError('protect', 'is used only with mode: cleanup');
  }
  if (mode === 'cleanup') {
    for (const name of ['promote', 'batch', 'tags'] as const) {
      if (inputs.text(name) !== undefined) throw new InputError(name, 'is not used with mode: cleanup');
    }
    if (repositories.length > 0 === (repositoryPrefix !== undefined)) {
      throw new InputError('repository', 'or repository-prefix (one of the two) names what mode: cleanup works on');
    }
  } else if (mode === 'promote' && promote === undefined) {
    throw new InputError('promote', 'is required with mode: promote (the tag or digest to promote)');
  } else if (mode === 'build' && promote !== undefined) {
    throw new InputError('mode', 'is build, which cannot take promote: use mode: promote, or leave mode unset');
  }
  if (batchText !== undefined && repositories.length > 0) {
    throw new InputError('batch', 'replaces repository, context and dockerfile: give one or the other');
  }
  if (batchText === undefined && repositories.length === 0 && mode !== 'cleanup')
    throw new InputError('repository', 'is required');
  for (const name of repositories) {
    if (!isRepository(name)) {
      throw new InputError('repository', `must be a lowercase repository path such as omis-pc/frontend; got "${name}"`);
    }
  }
  const tags = inputs.list('tags');
  for (const tag of tags) {
    if (!isTag(tag))
      throw new InputError(
        'tags',
        `must be tag names (letters, digits, _ . -, up to 128, not starting with . or -); got "${tag}"`,
      );
  }
  if (promote !== undefined && !isTag(promote) && !isDigest(promote)) {
    throw new InputError('promote', `must be a tag or a sha256: digest already in the registry; got "${promote}"`);
  }
  if (batchText !== undefined && promote !== undefined) throw new InputError('batch', 'cannot be used with promote');
  if (repositories.length > 1 && mode === 'build') {
    throw new InputError('repository', 'may list several repositories only with promote; a build pushes one image');
  }
  const push = inputs.boolean('push', true);
  if (promote !== undefined && !push)
    throw new InputError('push', 'cannot be false with promote, which only writes tags to the registry');

  const clientId = inputs.string('client-id');
  const tenantId = inputs.string('tenant-id');
  const auth = inputs.choice<AuthMode>('auth', ['oidc', 'password', 'none'], clientId === undefined ? 'none' : 'oidc');
  if (auth === 'oidc') {
    if (clientId === undefined || !isGuid(clientId))
      throw new InputError('client-id', 'must be the application (client) ID GUID for auth: oidc');
    if (tenantId === undefined || !isGuid(tenantId))
      throw new InputError('tenant-id', 'must be the directory (tenant) ID GUID for auth: oidc');
  }
  const lock = inputs.boolean('lock', false);
  if (lock && mode !== 'promote') throw new InputError('lock', 'is used only with promote (it locks the promoted image)');
  if ((lock || mode === 'cleanup') && auth !== 'oidc') {
    // @azure/container-registry signs in only with an Entra TokenCredential.
    throw new InputError(
      'auth',
      `must be oidc (with client-id and tenant-id) for ${lock ? 'lock' : 'mode: cleanup'}, which use ACR's API through an Entra credential; got "${auth}"`,
    );
  }
  const protect = inputs.list('protect');
  for (const pattern of protect) {
    if (!/^[A-Za-z0-9_.*-]{1,128}$/.test(pattern)) {
      throw new InputError('protect', `must be tag names or patterns with * (letters, digits, _ . - *); got "${pattern}"`);
    }
  }
  const deleteTags = inputs.list('delete-tags');
  for (const pattern of deleteTags) {
    if (!/^[A-Za-z0-9_.*-]{1,128}$/.test(pattern)) {
      throw new InputError('delete-tags', `must be tag names or patterns with * (letters, digits, _ . - *); got "${pattern}"`);
    }
  }
  const cleanup: CleanupPolicy = {
    keep: inputs.integer('keep', { min: 0, max: 10_000 }) ?? 20,
    keepDays: inputs.integer('keep-days', { min: 0, max: 3650 }) ?? 30,
    protect,
    deleteTags,
  };
  const username = inputs.string('username');
  if (auth !== 'password' && (username !== undefined || password !== undefined)) {
    // Silently unused credentials hide a mistake (a typo in auth, a forgotten input).
    throw new InputError(username !== undefined ? 'username' : 'password', `is used only with auth: password, not auth: ${auth}`);
  }
  if (auth === 'password' && (username === undefined || password === undefined)) {
    throw new InputError(username === undefined ? 'username' : 'password', 'is required for auth: password');
  }

  const platforms = inputs.list('platforms');
  for (const platform of platforms) {
    if (!PLATFORM.test(platform))
      throw new InputError('platforms', `must be os/arch[/variant] items such as linux/amd64; got "${platform}"`);
  }
  // Only a build reads files: its context and Dockerfile stay inside the workspace or
  // RUNNER_TEMP, symlinks followed, and must exist.
  const builds: BuildTarget[] =
    mode !== 'build'
      ? []
      : batchText !== undefined
        ? parseBatch(batchText)
        : [buildTarget(repositories[0] ?? '', inputs.raw('context'), inputs.string('dockerfile'), 'context', 'dockerfile')];
  const { authorityHost } = readAzureEndpoints(inputs, { arm: false });
  const reportDirInput = inputs.string('report-dir');
  if (reportDirInput !== undefined && mode !== 'build') {
    throw new InputError(
      'report-dir',
      `records builds only; it is not used with ${mode === 'cleanup' ? 'mode: cleanup' : 'promote'}`,
    );
  }
  // Written to, so held to the same places as what a build reads.
  const reportDir = reportDirInput === undefined ? undefined : confinedPath('report-dir', reportDirInput);
  const buildx = readBuildxOptions(inputs);
  const buildxInput = buildxOnly(buildx);
  if (buildxInput !== undefined && mode !== 'build')
    throw new InputError(buildxInput, `is used only by a build, not by mode: ${mode}`);

  return {
    mode,
    registry,
    repository: builds[0]?.repository ?? repositories[0] ?? '',
    repositories: builds.length > 0 ? builds.map((build) => build.repository) : repositories,
    builds,
    buildArgs: inputs.keyValues('build-args', { newlineOnly: true }),
    reportDir,
    target: inputs.string('target'),
    platforms,
    labels: inputs.keyValues('labels', { newlineOnly: true }),
    tags: tags.length > 0 ? tags : undefined,
    push,
    cache: inputs.choice('cache', ['registry', 'none'], 'registry'),
    buildx,
    promote,
    lock,
    repositoryPrefix,
    cleanup,
    auth,
    clientId,
    tenantId,
    authorityHost,
    username,
    password,
    dryRun: inputs.boolean('dry-run', false),
  };
}

function buildTarget(
  repository: string,
  contextValue: string,
  dockerfileValue: string | undefined,
  contextInput: string,
  dockerfileInput: string,
): BuildTarget {
  const context = confinedPath(contextInput, contextValue, { mustExist: true });
  const dockerfile =
    dockerfileValue === undefined
      ? confinedPath(contextInput, join(context, 'Dockerfile'), { mustExist: true })
      : confinedPath(dockerfileInput, dockerfileValue, { mustExist: true });
  return { service: repository.split('/').at(-1) ?? repository, repository, context, dockerfile };
}

/** build-matrix's `batch`: a JSON list of entries with repository, context and dockerfile. */
function parseBatch(text: string): BuildTarget[] {
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch {
    items = undefined;
  }
  if (!Array.isArray(items) || items.length === 0 || items.length > 256) {
    throw new InputError('batch', 'must be a JSON list of 1 to 256 build-matrix entries (repository, context, dockerfile)');
  }
  return items.map((item: unknown, index) => {
    const entry = (item ?? {}) as Record<string, unknown>;
    const field = (name: string) => (typeof entry[name] === 'string' ? entry[name] : '');
    const repository = field('repository');
    if (!isRepository(repository)) {
      throw new InputError('batch', `entry ${index + 1} needs a lowercase repository path; got "${repository.slice(0, 80)}"`);
    }
    const service = field('service');
    if (service !== '' && !isServiceName(service)) {
      throw new InputError(
        'batch',
        `entry ${index + 1} has a service name that is not a build-matrix one; got "${service.slice(0, 80)}"`,
      );
    }
    const target = buildTarget(repository, field('context') || '.', field('dockerfile') || undefined, 'batch', 'batch');
    return service === '' ? target : { ...target, service };
  });
}
