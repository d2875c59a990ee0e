import { exec, type ExecResult, outputTail } from '../../packages/shared/exec.js';
import { redactSecrets } from '../../packages/shared/secrets.js';
import type { UpgradeSettings } from './config.js';
import type { SignalRelay } from './signals.js';

/** Helm's own error line (`Error: UPGRADE FAILED: ...`), else the tail of what it said. */
export function helmErrorLine(result: Pick<ExecResult, 'stdout' | 'stderr'>): string {
  const lines = redactSecrets(result.stderr).split('\n');
  const error = lines.reverse().find((line) => line.startsWith('Error:'));
  return error?.trim() ?? outputTail(result);
}

export class HelmError extends Error {
  override readonly name = 'HelmError';
  constructor(
    readonly subcommand: string,
    readonly result: ExecResult,
  ) {
    super(`helm ${subcommand} failed: ${helmErrorLine(result)}`);
  }
}

/**
 * The helm CLI of one major, against one cluster. Only these subcommands are used:
 * version, upgrade --install, rollback, uninstall, history, status, get manifest, get
 * values, list, registry login and dependency build, so any Helm that honours them works. Positional arguments (release,
 * chart) go after `--`, so no value is ever read as a flag.
 */
export class HelmCli {
  constructor(
    readonly path: string,
    readonly major: 3 | 4,
    private readonly env: NodeJS.ProcessEnv,
    private readonly relay: SignalRelay,
    protected readonly namespace: string,
  ) {}

  /**
   * Readies the files an upgrade names. Helm here reads them where they are; only a helm that
   * runs elsewhere (run-command.ts) has to carry them.
   */
  useFiles?(settings: UpgradeSettings | undefined): void;

  /** The same helm with more environment (HELM_REGISTRY_CONFIG for a registry login of its own). */
  withEnv(extra: NodeJS.ProcessEnv): HelmCli {
    return new HelmCli(this.path, this.major, { ...this.env, ...extra }, this.relay, this.namespace);
  }

  /**
   * Runs helm; `onLine` sees each line as it comes (what helm says while it waits); `input`
   * goes to its stdin (a password for `--password-stdin`, never in argv).
   */
  async run(
    subcommand: string[],
    flags: string[],
    positional: string[],
    onLine?: (line: string) => void,
    input?: string,
  ): Promise<ExecResult> {
    if (this.relay.cancelled) throw new Error(`cancelled by ${this.relay.cancelled}: not starting helm ${subcommand.join(' ')}`);
    const args = [...subcommand, '--namespace', this.namespace, ...flags, '--', ...positional];
    return exec(this.path, args, {
      env: this.env,
      ...(input !== undefined && { input }),
      ...(onLine && {
        onLine: (line: string) => {
          onLine(redactSecrets(line));
        },
      }),
      onSpawn: (child) => {
        this.relay.track(child);
      },
    });
  }

  cancelled(): boolean {
    return this.relay.cancelled !== undefined;
  }

  cancelError(subcommand: string): Error {
    return new Error(
      `cancelled by ${this.relay.cancelled ?? 'a signal'} during helm ${subcommand}, which was told at once; whatever it left pending, the next run recovers`,
    );
  }

  async checked(subcommand: string[], flags: string[], positional: string[], input?: string): Promise<ExecResult> {
    const result = await this.run(subcommand, flags, positional, undefined, input);
    if (this.cancelled()) throw this.cancelError(subcommand.join(' '));
    if (result.code !== 0) throw new HelmError(subcommand.join(' '), result);
    return result;
  }
}
