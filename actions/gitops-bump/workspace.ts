import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
  /** The folder of the signing key (0600 file, 0700 folder), removed with the clone. */
  private readonly keyDir: string | undefined;

  constructor(
    readonly url: string,
    readonly branch: string,
    token: string,
    /** When the action's `timeout` ends (epoch ms): no git call runs past it. */
    deadline?: number,
    /** An OpenSSH private key: every commit is signed with it (git's `gpg.format ssh`). */
    signingKey?: string,
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
    if (signingKey !== undefined) {
      // Beside the clone, never in it; ssh-keygen -Y sign refuses a key others can read.
      this.keyDir = makeTempDir('gitops-signing');
      const keyFile = join(this.keyDir, 'signing-key');
      writeFileSync(keyFile, signingKey, { mode: 0o600 });
      config.push(['gpg.format', 'ssh'], ['user.signingkey', keyFile], ['commit.gpgsign', 'true']);
    }
    env.GIT_CONFIG_COUNT = String(config.length);
    config.forEach(([key, value], index) => {
      env[`GIT_CONFIG_KEY_${index}`] = key;
      env[`GIT_CONFIG_VALUE_${index}`] = value;
    });
    this.env = env;
    this.git = new Git(this.dir, { env, ...(deadline === undefined ? {} : { deadline }) });
  }

  private readonly env: NodeJS.ProcessEnv;

  /**
   * Whether `revision` (a commit Argo CD reports) holds `commit`: it is `commit`, or a later
   * commit of the branch on top of it. The branch is fetched again for it, within `deadline`
   * (the wait's, not the push's).
   */
  async holds(revision: string, commit: string, deadline: number): Promise<boolean> {
    if (revision === commit) return true;
    const git = new Git(this.dir, { env: this.env, deadline });
    if (!(await git.hasCommit(revision))) await this.fetchBranch(git);
    if (!(await git.hasCommit(revision))) return false;
    return (await git.run(['merge-base', '--is-ancestor', '--end-of-options', commit, revision])).code === 0;
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
    await this.fetchBranch(this.git);
    await this.git.out(['reset', '--quiet', '--hard', `refs/remotes/origin/${this.branch}`, '--']);
  }

  /** The branch's remote tip into refs/remotes/origin/<branch>. */
  private async fetchBranch(git: Git): Promise<void> {
    await git.out([
      'fetch',
      '--quiet',
      '--no-tags',
      '--end-of-options',
      'origin',
      `+refs/heads/${this.branch}:refs/remotes/origin/${this.branch}`,
    ]);
  }

  dispose(): void {
    removeTempDir(this.dir);
    removeTempDir(this.keyDir);
  }
}

/** Why a push did not land, and so whether another try can help. */
export type PushFailure = { kind: 'lost-race' } | { kind: 'transient' } | { kind: 'final'; reason: string };

/** How one attempt to publish ended: landed (or found already there), or why it did not. */
export type PushOutcome =
  | { landed: true; sha: string; pushed: boolean; /** signing: github: whether GitHub signed it */ verified?: boolean }
  | { landed: false; failure: PushFailure };

/** The server's refusals that only mean another push won a race for the ref. */
const RACE_REASON = /cannot lock ref|failed to update ref|incorrect old value|stale info|reference already exists/i;

/**
 * Classifies a failed `git push`. A lost race (non-fast-forward, or the server losing the
 * ref lock to another push) is retried on the new tip; a network or server fault (HTTP 408,
 * 429, 5xx as git reports them, resets) is retried as it is; anything the server refused on
 * purpose (`[remote rejected] main (protected branch hook declined)`) is final.
 */
export function classifyPushFailure(output: string): PushFailure {
  for (const match of output.matchAll(/\[remote rejected\][^(\n]*\(([^)\n]*)\)/g)) {
    const reason = match[1] ?? '';
    if (!RACE_REASON.test(reason)) {
      // What the hook or the branch rule told the pusher ("remote: deploys are frozen") is
      // what the team needs to read; kept short, a few lines of it.
      const said = [...output.matchAll(/^remote: *(\S.*)$/gm)].map((line) => (line[1] ?? '').trim().slice(0, 200)).slice(0, 3);
      return { kind: 'final', reason: said.length > 0 ? `${reason}; the server said: ${said.join(' / ')}` : reason };
    }
  }
  if (/\[rejected\]|non-fast-forward|fetch first|\[remote rejected\]/i.test(output) || RACE_REASON.test(output)) {
    return { kind: 'lost-race' };
  }
  if (isTransientGitFailure(output)) return { kind: 'transient' };
  return { kind: 'final', reason: outputTail(output, 1) };
}

/**
 * A network or server fault worth another try. Status codes only where git reports an HTTP
 * status (`returned error: 503`, `HTTP 503`), never any 503 in the text: a port 5003 is not one.
 */
export function isTransientGitFailure(output: string): boolean {
  return /(returned error: |\bHTTP\/?[\d.]* )(408|429|50[0-4])\b|connection (reset|refused|timed out)|early EOF|the remote end hung up unexpectedly|RPC failed; curl (18|52|55|56)|gnutls_handshake|SSL_read/i.test(
    output,
  );
}
