import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exec, type ExecResult } from './exec.js';
import { DEFAULT_RETRY, retry, type RetryPolicy } from './retry.js';
import { makeTempDir, removeTempDir } from './temp.js';

export interface SshTarget {
  host: string;
  user: string;
  port: number;
  /** Private key, PEM or OpenSSH format. */
  key: string;
  /** known_hosts lines for the host: the connection fails unless the host key is among them. */
  knownHosts: string;
}

/**
 * An SSH session set-up on disk (key and known_hosts in a private temp folder) and the
 * options that make ssh refuse an unknown host key and never prompt.
 */
export class Ssh {
  private readonly dir: string;
  private readonly options: string[];

  constructor(
    readonly target: SshTarget,
    private readonly policy: RetryPolicy = { ...DEFAULT_RETRY, attempts: 3 },
  ) {
    this.dir = makeTempDir('ssh');
    const keyPath = join(this.dir, 'key');
    writeFileSync(keyPath, target.key.endsWith('\n') ? target.key : `${target.key}\n`, { mode: 0o600 });
    const knownHostsPath = join(this.dir, 'known_hosts');
    writeFileSync(knownHostsPath, `${target.knownHosts.trim()}\n`, { mode: 0o600 });
    this.options = [
      '-i',
      keyPath,
      '-p',
      String(target.port),
      '-o',
      'BatchMode=yes',
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${knownHostsPath}`,
      '-o',
      'GlobalKnownHostsFile=/dev/null',
      '-o',
      'ConnectTimeout=15',
      '-o',
      'ServerAliveInterval=15',
      '-o',
      'LogLevel=ERROR',
    ];
  }

  /**
   * Runs a command line on the host. ssh always hands the remote shell a string: callers
   * build it only from fixed text and `shellQuote`d values.
   */
  run(commandLine: string, input?: Buffer | string, onLine?: (line: string) => void): Promise<ExecResult> {
    // `--` ends ssh's options, so the destination can never be read as one.
    const args = [...this.options, '--', `${this.target.user}@${this.target.host}`, commandLine];
    // Exit 255 is ssh's own failure (connect, handshake); retry those, never the command's own exit codes.
    return retry(
      () => exec('ssh', args, { input, onLine, timeoutMs: 30 * 60_000 }),
      (outcome) =>
        outcome.ok &&
        outcome.value.code === 255 &&
        /connection (refused|reset|timed out)|timed out|broken pipe/i.test(outcome.value.stderr)
          ? { retry: true, why: outcome.value.stderr.trim() }
          : { retry: false },
      this.policy,
    );
  }

  dispose(): void {
    removeTempDir(this.dir);
  }
}
