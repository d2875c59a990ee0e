import { exec, execChecked, type ExecResult } from './exec.js';

export const ZERO_SHA = '0000000000000000000000000000000000000000';

export class Git {
  constructor(readonly cwd: string) {}

  run(args: readonly string[]): Promise<ExecResult> {
    return exec('git', args, { cwd: this.cwd });
  }

  async out(args: readonly string[]): Promise<string> {
    return (await execChecked('git', args, { cwd: this.cwd })).stdout.trim();
  }

  async hasCommit(sha: string): Promise<boolean> {
    return (await this.run(['cat-file', '-e', `${sha}^{commit}`])).code === 0;
  }

  async isShallow(): Promise<boolean> {
    return (await this.out(['rev-parse', '--is-shallow-repository'])) === 'true';
  }

  /** Fetches a commit by SHA when it is not here yet (a shallow checkout has only the tip). */
  async ensureCommit(sha: string, remote = 'origin'): Promise<void> {
    if (await this.hasCommit(sha)) return;
    const fetched = await this.run(['fetch', '--no-tags', '--quiet', remote, sha]);
    if (fetched.code !== 0 || !(await this.hasCommit(sha))) {
      throw new Error(`commit ${sha} is not in the checkout and could not be fetched from ${remote}: ${fetched.stderr.trim()}`);
    }
  }

  async mergeBase(a: string, b: string): Promise<string | undefined> {
    const result = await this.run(['merge-base', a, b]);
    return result.code === 0 ? result.stdout.trim() : undefined;
  }
}
