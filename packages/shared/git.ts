import { exec, type ExecResult, outputTail } from './exec.js';

export const ZERO_SHA = '0000000000000000000000000000000000000000';

export interface GitOptions {
  /** The environment git runs with (identity, GIT_CONFIG_* with an auth header). */
  env?: NodeJS.ProcessEnv;
  /** Each git call is killed after this long; a silent remote must not hang the job. */
  timeoutMs?: number;
  /**
   * When the whole operation must end (epoch ms): each call gets only what is left of it
   * (at least a second), so the last attempt of a retried push cannot run past `timeout`.
   */
  deadline?: number;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** git in one working folder, with one environment and a timeout on every call. */
export class Git {
  constructor(
    readonly cwd: string,
    private readonly options: GitOptions = {},
  ) {}

  /** Runs git; `cwd` overrides the folder for calls made before it exists (clone). */
  run(args: readonly string[], cwd: string = this.cwd): Promise<ExecResult> {
    const own = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const left = this.options.deadline === undefined ? own : this.options.deadline - Date.now();
    return exec('git', args, { cwd, env: this.options.env, timeoutMs: Math.max(1000, Math.min(own, left)) });
  }

  /** stdout, trimmed; a non-zero exit throws `git <command> failed: <what git said last>`. */
  async out(args: readonly string[]): Promise<string> {
    const result = await this.run(args);
    if (result.code !== 0) throw new Error(`git ${args[0] ?? ''} failed: ${outputTail(result, 1)}`);
    return result.stdout.trim();
  }

  async hasCommit(sha: string): Promise<boolean> {
    return (await this.run(['cat-file', '-e', '--end-of-options', `${sha}^{commit}`])).code === 0;
  }

  async isShallow(): Promise<boolean> {
    return (await this.out(['rev-parse', '--is-shallow-repository'])) === 'true';
  }

  /** Fetches a commit by SHA when it is not here yet (a shallow checkout has only the tip). */
  async ensureCommit(sha: string, remote = 'origin'): Promise<void> {
    if (await this.hasCommit(sha)) return;
    const fetched = await this.run(['fetch', '--no-tags', '--quiet', '--end-of-options', remote, sha]);
    if (fetched.code !== 0 || !(await this.hasCommit(sha))) {
      throw new Error(`commit ${sha} is not in the checkout and could not be fetched from ${remote}: ${outputTail(fetched, 1)}`);
    }
  }

  async mergeBase(a: string, b: string): Promise<string | undefined> {
    const result = await this.run(['merge-base', '--end-of-options', a, b]);
    return result.code === 0 ? result.stdout.trim() : undefined;
  }
}
