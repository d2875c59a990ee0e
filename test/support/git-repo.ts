import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const IDENTITY = ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false'];

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', [...IDENTITY, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** A real repository with a bare origin, built by committing file trees. */
export class TestRepo {
  readonly root = mkdtempSync(join(tmpdir(), 'deploy-actions-git-'));
  readonly origin = join(this.root, 'origin.git');
  readonly work = join(this.root, 'author');

  constructor(defaultBranch = 'main') {
    execFileSync('git', ['init', '--quiet', '--bare', `--initial-branch=${defaultBranch}`, this.origin]);
    execFileSync('git', ['init', '--quiet', `--initial-branch=${defaultBranch}`, this.work]);
    git(this.work, 'remote', 'add', 'origin', this.origin);
  }

  /** Writes (or, with null, deletes) files and commits; returns the new SHA. */
  commit(files: Record<string, string | null>, message = 'change'): string {
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.work, path);
      if (content === null) rmSync(full, { force: true });
      else {
        mkdirSync(dirname(full), { recursive: true });
        writeFileSync(full, content);
      }
    }
    git(this.work, 'add', '--all');
    git(this.work, 'commit', '--quiet', '--allow-empty', '-m', message);
    return git(this.work, 'rev-parse', 'HEAD');
  }

  rename(from: string, to: string): string {
    mkdirSync(dirname(join(this.work, to)), { recursive: true });
    renameSync(join(this.work, from), join(this.work, to));
    git(this.work, 'add', '--all');
    git(this.work, 'commit', '--quiet', '-m', `rename ${from}`);
    return git(this.work, 'rev-parse', 'HEAD');
  }

  push(ref = 'HEAD:refs/heads/main'): void {
    git(this.work, 'push', '--quiet', '--force', 'origin', ref);
  }

  /** What actions/checkout makes by default: a depth-1 clone of one commit. */
  shallowCheckout(branch: string): string {
    const dir = mkdtempSync(join(this.root, 'checkout-'));
    execFileSync('git', ['clone', '--quiet', '--depth', '1', '--branch', branch, `file://${this.origin}`, dir]);
    return dir;
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
