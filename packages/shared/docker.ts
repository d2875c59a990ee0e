import { exec, type ExecOptions, type ExecResult, outputTail } from './exec.js';

/** The docker CLI with one environment (its DOCKER_CONFIG decides which login it uses). */
export class Docker {
  constructor(readonly env: NodeJS.ProcessEnv = process.env) {}

  /** `extraEnv` is for this one call (a build secret's value, for that build alone). */
  run(
    args: readonly string[],
    options: Omit<ExecOptions, 'env'> & { extraEnv?: Record<string, string> } = {},
  ): Promise<ExecResult> {
    const { extraEnv, ...rest } = options;
    return exec('docker', args, { ...rest, env: extraEnv ? { ...this.env, ...extraEnv } : this.env });
  }

  async available(): Promise<boolean> {
    try {
      return (await this.run(['version', '--format', '{{.Server.Version}}'])).code === 0;
    } catch {
      return false; // no docker binary at all
    }
  }

  async hasBuildx(): Promise<boolean> {
    try {
      return (await this.run(['buildx', 'version'])).code === 0;
    } catch {
      return false;
    }
  }

  /** `docker login --password-stdin`: the secret never appears in an argument list. */
  async login(registry: string, username: string, password: string): Promise<void> {
    const result = await this.run(['login', registry, '--username', username, '--password-stdin'], { input: password });
    if (result.code !== 0) throw new Error(`docker login to ${registry} failed: ${outputTail(result, 1)}`);
  }
}

/**
 * Push and pull failures worth another try: throttling, server errors, dropped connections.
 * Docker prints the registry's error code (`toomanyrequests: ...`, `unavailable: ...`) rather
 * than the HTTP status, so both are matched.
 */
export function isTransientDockerFailure(output: string): boolean {
  return isTransientRegistryText(output);
}

/**
 * A push whose blob the registry lost or got mangled: an upload cut short in transit, or
 * BuildKit pushing the same layer for the image and its cache at once (moby/buildkit#3856),
 * after which the manifest names a blob the registry never kept. The next push uploads it
 * afresh, so it is worth another (bounded) try. Seen here: Debian's registry answering
 * `provided digest did not match uploaded content` and then `blob unknown to registry`.
 */
const LOST_BLOB =
  /digest did not match uploaded content|blob unknown to registry|blob upload unknown|DIGEST_INVALID|BLOB_UNKNOWN|BLOB_UPLOAD_UNKNOWN/;

/**
 * A failed `docker buildx build --push` worth another try: only when what failed was the
 * push (the export to the registry), judged by buildx's own final `ERROR:` lines. The log
 * of a failing `RUN` may well say "503" or "EOF" (a test hitting a server, a download), and
 * rebuilding that five times helps no one.
 */
export function isTransientBuildxFailure(output: string): boolean {
  const errors = output.split('\n').filter((line) => /^\s*(ERROR|error):/.test(line));
  const last = errors.at(-1) ?? '';
  if (/did not complete successfully|executor failed running|failed to compute cache key|dockerfile parse error/i.test(last)) {
    return false;
  }
  const pushing =
    /push|export|failed to copy|failed to do request|unexpected status|writing (blob|manifest)|failed commit on ref/i;
  return pushing.test(last) && isTransientRegistryText(last);
}

function isTransientRegistryText(output: string): boolean {
  if (/denied|unauthorized|authentication required|manifest unknown|name unknown/i.test(output)) return false;
  if (LOST_BLOB.test(output)) return true;
  return /(status:? |HTTP |returned (error: )?|code )(408|429|50[0-4])\b|toomanyrequests|too many requests|\bunavailable\b|service unavailable|bad gateway|gateway timeout|connection reset|connection refused|i\/o timeout|tls handshake timeout|unexpected eof|\beof\b/i.test(
    output,
  );
}
