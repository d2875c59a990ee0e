import { readFileSync } from 'node:fs';
import { type Docker, isTransientBuildxFailure, isTransientDockerFailure } from '../../packages/shared/docker.js';
import { type ExecResult, outputTail } from '../../packages/shared/exec.js';
import { imageRef } from '../../packages/shared/image-ref.js';
import { DEFAULT_RETRY, retry, type RetryHooks, type RetryPolicy } from '../../packages/shared/retry.js';
import type { AcrPushConfig, BuildTarget } from './config.js';
import { buildxArgs, secretEnv } from './buildx-options.js';

// The service's name is the report's business, not the build's.
export type BuildSettings = Pick<
  AcrPushConfig,
  'registry' | 'buildArgs' | 'target' | 'platforms' | 'labels' | 'push' | 'cache' | 'buildx'
> &
  Omit<BuildTarget, 'service'>;

export const CACHE_TAG = 'buildcache';

/**
 * `docker buildx build` when buildx is there: multi-platform, registry cache, pushed in the
 * same step. Without buildx, plain `docker build` (pushed tag by tag afterwards); it can
 * neither build other platforms nor keep a registry cache, so those are refused or skipped.
 */
export function buildArgs(settings: BuildSettings, refs: readonly string[], buildx: boolean, metadataFile?: string): string[] {
  const args = buildx ? ['buildx', 'build'] : ['build'];
  args.push('--file', settings.dockerfile);
  for (const ref of refs) args.push('--tag', ref);
  for (const [key, value] of settings.buildArgs) args.push('--build-arg', `${key}=${value}`);
  for (const [key, value] of settings.labels) args.push('--label', `${key}=${value}`);
  if (settings.target) args.push('--target', settings.target);
  if (buildx) {
    args.push(...buildxArgs(settings.buildx));
    if (settings.platforms.length > 0) args.push('--platform', settings.platforms.join(','));
    if (settings.cache === 'registry') {
      const cacheRef = imageRef(settings.registry, settings.repository, CACHE_TAG);
      args.push('--cache-from', `type=registry,ref=${cacheRef}`);
      if (settings.push) args.push('--cache-to', `type=registry,ref=${cacheRef},mode=max`);
    }
    args.push(settings.push ? '--push' : '--load');
    if (metadataFile) args.push('--metadata-file', metadataFile);
  }
  // `--` ends the options: the context is a path, never a flag.
  args.push('--', settings.context);
  return args;
}

export interface BuildResult {
  digest: string | undefined;
  attempts: number;
}

export interface BuildDeps {
  docker: Docker;
  buildx: boolean;
  log: (line: string) => void;
  policy?: RetryPolicy;
  hooks?: RetryHooks;
}

function checked(step: string, result: ExecResult): void {
  if (result.code !== 0) {
    throw Object.assign(new Error(`${step} failed: ${outputTail(result)}`), { output: `${result.stdout}\n${result.stderr}` });
  }
}

/** Retries a docker step while its output reads as a transient registry or network fault. */
function retryingDocker(
  step: string,
  run: () => Promise<ExecResult>,
  deps: BuildDeps,
  transient: (output: string) => boolean = isTransientDockerFailure,
) {
  let attempts = 0;
  const result = retry(
    async () => {
      attempts += 1;
      const outcome = await run();
      checked(step, outcome);
      return outcome;
    },
    (outcome) => {
      if (outcome.ok) return { retry: false };
      const output = (outcome.error as { output?: string }).output ?? '';
      return transient(output) ? { retry: true, why: (outcome.error as Error).message } : { retry: false };
    },
    deps.policy ?? DEFAULT_RETRY,
    {
      ...deps.hooks,
      onRetry: ({ attempt, delayMs, why }) => {
        deps.log(`${step}: attempt ${attempt} hit a transient fault (${why}); retrying in ${delayMs} ms`);
      },
    },
  );
  return { result, attempts: () => attempts };
}

export async function buildAndPush(
  settings: BuildSettings,
  refs: readonly string[],
  deps: BuildDeps,
  metadataFile: string,
): Promise<BuildResult> {
  const onLine = (line: string) => {
    deps.log(line);
  };
  const build = buildArgs(settings, refs, deps.buildx, metadataFile);
  if (deps.buildx) {
    // Build and push are one buildx command: retried only when the push part failed.
    const extraEnv = secretEnv(settings.buildx);
    const step = retryingDocker(
      'docker buildx build',
      () => deps.docker.run(build, { onLine, extraEnv }),
      deps,
      isTransientBuildxFailure,
    );
    await step.result;
    const metadata = JSON.parse(readFileSync(metadataFile, 'utf8')) as { 'containerimage.digest'?: string };
    return { digest: settings.push ? metadata['containerimage.digest'] : undefined, attempts: step.attempts() };
  }

  checked('docker build', await deps.docker.run(build, { onLine }));
  if (!settings.push) return { digest: undefined, attempts: 1 };
  let digest: string | undefined;
  let attempts = 0;
  for (const ref of refs) {
    const step = retryingDocker(`docker push ${ref}`, () => deps.docker.run(['push', ref], { onLine }), deps);
    const output = await step.result;
    attempts = Math.max(attempts, step.attempts());
    const pushed = /digest: (sha256:[a-f0-9]{64})/.exec(output.stdout)?.[1];
    if (!pushed) throw new Error(`docker push ${ref} reported no digest`);
    if (digest !== undefined && pushed !== digest)
      throw new Error(`tags of one build got different digests: ${digest} and ${pushed}`);
    digest = pushed;
  }
  return { digest, attempts };
}
