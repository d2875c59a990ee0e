import { exec, type ExecOptions, type ExecResult, outputTail } from './exec.js';

/** The docker CLI with one environment (its DOCKER_CONFIG decides which login it uses). */
export class Docker {
  constructor(readonly env: NodeJS.ProcessEnv = process.env) {}

  run(args: readonly string[], options: Omit<ExecOptions, 'env'> = {}): Promise<ExecResult> {
    return exec('docker', args, { ...options, env: this.env });
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
  if (/denied|unauthorized|authentication required|manifest unknown|name unknown/i.test(output)) return false;
  return /\b(408|429|500|502|503|504)\b|toomanyrequests|too many requests|\bunavailable\b|service unavailable|bad gateway|gateway timeout|connection reset|connection refused|i\/o timeout|tls handshake timeout|unexpected eof|\beof\b/i.test(
    output,
  );
}
