import { outputTail } from '../../packages/shared/exec.js';
import { Git } from '../../packages/shared/git.js';
import { redactUserinfo } from '../../packages/shared/inputs.js';
import { makeTempDir, removeTempDir } from '../../packages/shared/temp.js';

const BOT = { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' };

/**
 * A clone of the GitOps repository in a temp folder. The token travels as an HTTP header
 * set through GIT_CONFIG_* variables: never in the URL (git echoes URLs in errors) and
 * never in an argument list (visible to every process on the runner).
 */
export class Workspace {
  readonly dir: string;
  readonly git: Git;

  constructor(
    readonly url: string,
    readonly branch: string,
    token: string,
  ) {
    this.dir = makeTempDir('gitops-bump');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      GIT_TERMINAL_PROMPT: '0',
      GIT_AUTHOR_NAME: BOT.name,
      GIT_AUTHOR_EMAIL: BOT.email,
      GIT_COMMITTER_NAME: BOT.name,
      GIT_COMMITTER_EMAIL: BOT.email,
      GIT_CONFIG_NOSYSTEM: '1',
    };
    const config: [string, string][] = [['core.autocrlf', 'false']];
    if (token !== '') {
      config.push(['http.extraHeader', `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`]);
    }
    env.GIT_CONFIG_COUNT = String(config.length);
    config.forEach(([key, value], index) => {
      env[`GIT_CONFIG_KEY_${index}`] = key;
      env[`GIT_CONFIG_VALUE_${index}`] = value;
    });
    this.git = new Git(this.dir, { env });
  }

  async clone(): Promise<void> {
    // Into the (empty) temp folder itself, which git allows.
    const result = await this.git.run([
      'clone',
      '--quiet',
      '--no-tags',
      '--single-branch',
      '--branch',
      this.branch,
      '--',
      this.url,
      this.dir,
    ]);
    if (result.code !== 0) {
      throw new Error(`cloning ${redactUserinfo(this.url)} (branch ${this.branch}) failed: ${outputTail(result, 1)}`);
    }
  }

  /**
   * Back to the remote branch tip, with nothing left of an earlier attempt (edits only ever
   * touch tracked files, which reset restores). Kept to two git calls: the time between
   * this fetch and the push is the window in which another pipeline can land first.
   */
  async syncToRemote(): Promise<void> {
    await this.git.out([
      'fetch',
      '--quiet',
      '--no-tags',
      '--end-of-options',
      'origin',
      `+refs/heads/${this.branch}:refs/remotes/origin/${this.branch}`,
    ]);
    await this.git.out(['reset', '--quiet', '--hard', `refs/remotes/origin/${this.branch}`, '--']);
  }

  dispose(): void {
    removeTempDir(this.dir);
  }
}

/** A push lost to a concurrent one: fetch, re-apply and try again. */
export function isRejectedPush(output: string): boolean {
  return /\[rejected\]|non-fast-forward|fetch first|cannot lock ref|failed to update ref|stale info|\[remote rejected\]/i.test(
    output,
  );
}

/** A network or server fault worth another try. */
export function isTransientGitFailure(output: string): boolean {
  return /(50[0-4]|429)|connection (reset|refused|timed out)|early EOF|the remote end hung up|RPC failed/i.test(output);
}
