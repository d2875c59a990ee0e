import { isAbsolute } from 'node:path';
import { InputError } from '../../packages/shared/errors.js';
import { checkBranch } from '../../packages/shared/git-ref.js';
import { type Inputs, isSecureOrLoopback } from '../../packages/shared/inputs.js';
import { readBuiltImages } from '../../packages/shared/build-records.js';
import { type ImageSpec, parseImages, splitReference } from './image-spec.js';
import { globProblem } from '../../packages/shared/glob.js';
import type { SyncWaitConfig } from './argocd-wait.js';

/** The defaults of gitops-bump/action.yml (token's `${{ github.token }}` aside); a test keeps them equal. */
export const DEFAULTS = {
  branch: 'main',
  mode: 'push',
  'commit-message': 'deploy: {images}',
  'pr-title': 'Deploy {images}',
  'max-attempts': '0',
  timeout: '10m',
  'dry-run': 'false',
  signing: 'none',
  'wait-for-sync': 'false',
  'sync-timeout': '10m',
} as const;

export interface SetSpec {
  file: string;
  path: string;
  value: string;
}

export interface BumpConfig {
  repository: string;
  branch: string;
  token: string;
  gitUrl: string;
  files: string[];
  images: ImageSpec[];
  sets: SetSpec[];
  mode: 'push' | 'pull-request';
  prBranch: string | undefined;
  prTitle: string;
  prLabels: string[];
  autoMerge: '' | 'merge' | 'squash' | 'rebase';
  commitMessage: string;
  revert: string | undefined;
  /** A cap on push attempts; 0 means none (the time budget still bounds the loop). */
  maxAttempts: number;
  /** How long the push may keep retrying lost races and transient faults, in ms. */
  timeoutMs: number;
  /** Who signs: nobody, the clone with `signingKey` (ssh), or GitHub through its Git Data API. */
  signing: 'none' | 'ssh' | 'github';
  /** An SSH private key every commit (bump or revert) is signed with, or undefined. */
  signingKey: string | undefined;
  dryRun: boolean;
  /** Argo CD to wait on after the push (`wait-for-sync`), or undefined. */
  sync: SyncWaitConfig | undefined;
}

export function readConfig(inputs: Inputs, env: NodeJS.ProcessEnv = process.env): BumpConfig {
  const token = inputs.secret('token') ?? '';
  const repository = inputs.string('repository') ?? env.GITHUB_REPOSITORY ?? '';
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository))
    throw new InputError('repository', `must be owner/name; got "${repository}"`);
  const branch = checkBranch('branch', inputs.raw('branch'));
  const given = inputs.url('git-url');
  // The token goes with every git call: never in the clear, but on loopback (the tests' git server).
  if (given && !isSecureOrLoopback(given)) {
    throw new InputError('git-url', 'must be an https:// URL (http only on 127.0.0.1): the token is sent to it');
  }
  const gitUrl = given?.href ?? `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${repository}.git`;

  const revert = inputs.string('revert');
  if (revert !== undefined && revert !== 'last' && !/^[0-9a-f]{7,64}$/.test(revert)) {
    throw new InputError('revert', `must be a commit SHA or last; got "${revert}"`);
  }
  const files = inputs.list('files');
  for (const pattern of files) {
    const problem = globProblem(pattern.startsWith('!') ? pattern.slice(1) : pattern);
    if (problem !== undefined) throw new InputError('files', `has a glob ${JSON.stringify(pattern)} that ${problem}`);
  }
  const images = parseImages('images', [...inputs.lines('images'), ...recordedImages(inputs)]);
  const sets = inputs.lines('set').map((line) => parseSet(line));
  if (revert !== undefined && (images.length > 0 || sets.length > 0))
    throw new InputError('revert', 'cannot be combined with images or set');
  if (revert === undefined && images.length === 0 && sets.length === 0)
    throw new InputError('images', 'or set is required (or revert)');
  if (files.length === 0 && (images.length > 0 || revert === 'last'))
    throw new InputError('files', 'is required: globs of the YAML files to edit');

  const mode = inputs.choice('mode', ['push', 'pull-request'], 'push');
  const prBranch = inputs.string('pr-branch');
  if (prBranch !== undefined) checkBranch('pr-branch', prBranch);
  if (prBranch === branch) throw new InputError('pr-branch', `must be a branch other than ${branch}; got "${prBranch}"`);
  return {
    repository,
    branch,
    token,
    gitUrl,
    files,
    images,
    sets,
    mode,
    prBranch,
    prTitle: inputs.raw('pr-title'),
    prLabels: inputs.list('pr-labels'),
    autoMerge: inputs.choice('auto-merge', ['', 'merge', 'squash', 'rebase'], ''),
    commitMessage: inputs.text('commit-message') ?? '',
    revert,
    maxAttempts: inputs.integer('max-attempts', { min: 0, max: 10_000 }) ?? 0,
    timeoutMs: inputs.duration('timeout', { minMs: 1000, maxMs: 6 * 3_600_000 }) ?? 600_000,
    ...readSigning(inputs, token, gitUrl, env),
    dryRun: inputs.boolean('dry-run', false),
    sync: readSyncWait(inputs, mode),
  };
}

/**
 * `wait-for-sync`: after the push, wait until Argo CD has synced it (argocd-wait.ts). The
 * argocd-* inputs are checked whenever given, so a bad one fails before anything is pushed.
 * A pull request deploys nothing until it is merged, so there is nothing to wait for there.
 */
function readSyncWait(inputs: Inputs, mode: BumpConfig['mode']): SyncWaitConfig | undefined {
  const token = inputs.secret('argocd-token');
  const server = inputs.url('argocd-server');
  if (server && (!isSecureOrLoopback(server) || server.username || server.password || server.search || server.hash)) {
    throw new InputError(
      'argocd-server',
      'must be an https:// URL (http only on 127.0.0.1) with no credentials, query or fragment: the token is sent to it',
    );
  }
  const app = inputs.string('argocd-app');
  const parts = /^(?:([a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)\/)?([a-z0-9](?:[-.a-z0-9]{0,251}[a-z0-9])?)$/.exec(app ?? '');
  if (app !== undefined && !parts) {
    throw new InputError(
      'argocd-app',
      `must be an Application name, or namespace/name (lowercase letters, digits, - and .); got "${app}"`,
    );
  }
  const timeoutMs = inputs.duration('sync-timeout', { minMs: 10_000, maxMs: 6 * 3_600_000 }) ?? 600_000;
  if (!inputs.boolean('wait-for-sync', false)) return undefined;
  if (mode !== 'push')
    throw new InputError('wait-for-sync', 'needs mode: push (a pull request syncs nothing until it is merged)');
  if (!server) throw new InputError('argocd-server', 'is required with wait-for-sync: the URL of the Argo CD API server');
  if (!parts) throw new InputError('argocd-app', 'is required with wait-for-sync: the name of the Argo CD Application');
  if (token === undefined)
    throw new InputError('argocd-token', 'is required with wait-for-sync: a token whose role may get the Application');
  return { server, app: parts[2] ?? '', appNamespace: parts[1], token, timeoutMs, intervalMs: 2000 };
}

/**
 * `signing: ssh` signs every commit with `signing-key` (an OpenSSH private key, from a
 * secret), as a branch rule that requires signed commits wants, on any git host. A key given
 * without `signing: ssh` is refused, naming both: it would otherwise go unused, unnoticed.
 * `signing: github` has GitHub make and sign the commit through its API, so the repository
 * must be this GitHub's: `git-url`, when given, on the same host as GITHUB_SERVER_URL.
 */
function readSigning(
  inputs: Inputs,
  token: string,
  gitUrl: string,
  env: NodeJS.ProcessEnv,
): Pick<BumpConfig, 'signing' | 'signingKey'> {
  const signing = inputs.choice('signing', ['none', 'ssh', 'github'], 'none');
  const key = inputs.secret('signing-key', { multiline: true });
  if (signing !== 'ssh') {
    if (key !== undefined)
      throw new InputError('signing-key', `is set while signing is ${signing}: set signing: ssh, or drop the key`);
    if (signing === 'github') {
      if (token === '') throw new InputError('signing', 'github needs a token that may write contents through the API');
      const server = new URL(env.GITHUB_SERVER_URL ?? 'https://github.com');
      if (new URL(gitUrl).host !== server.host) {
        throw new InputError(
          'signing',
          `github needs the repository on ${server.host}; git-url is elsewhere (use signing: ssh there)`,
        );
      }
    }
    return { signing, signingKey: undefined };
  }
  if (key === undefined || !/^-----BEGIN OPENSSH PRIVATE KEY-----\r?\n[\s\S]+\n-----END OPENSSH PRIVATE KEY-----\s*$/.test(key)) {
    throw new InputError('signing-key', 'must be an OpenSSH private key (-----BEGIN OPENSSH PRIVATE KEY-----) for signing: ssh');
  }
  return { signing, signingKey: key.endsWith('\n') ? key : `${key}\n` };
}

function parseSet(line: string): SetSpec {
  const match = /^([^:=]+\.ya?ml):([^=]+)=(.*)$/.exec(line);
  if (!match) throw new InputError('set', `must be lines of path/to/file.yaml:dot.path=value; got "${line}"`);
  // Checked here, before any clone, and again against the clone's real paths when editing.
  const file = (match[1] ?? '').trim();
  if (isAbsolute(file) || file.split(/[\\/]/).includes('..')) {
    throw new InputError('set', `must name a file inside the GitOps repository (relative, no ..); got "${file}"`);
  }
  return { file: (match[1] ?? '').trim(), path: (match[2] ?? '').trim(), value: (match[3] ?? '').trim() };
}

/**
 * `build-records`: build.yml's records (acr-push's report-dir), each pushed image pinned by
 * its digest (`registry/repository@sha256:...`). A build without a digest did not push.
 */
function recordedImages(inputs: Inputs): string[] {
  const dir = inputs.string('build-records');
  if (dir === undefined) return [];
  return readBuiltImages('build-records', dir)
    .filter((built) => built.digest !== undefined)
    .map((built) => `${splitReference(built.image).name}@${built.digest}`);
}
