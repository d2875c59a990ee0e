import type { Workspace } from './workspace.js';
import { globList } from '../../packages/shared/glob.js';

interface LoggedCommit {
  sha: string;
  subject: string;
  trailers: Map<string, string[]>;
  files: string[];
}

function parseLog(output: string): LoggedCommit[] {
  return output
    .split('\x1e')
    .map((record) => record.trim())
    .filter(Boolean)
    .map((record) => {
      const [head = '', ...rest] = record.split('\x1f');
      const [sha = '', subject = ''] = head.split('\x00');
      const [trailerText = '', fileText = ''] = rest;
      const trailers = new Map<string, string[]>();
      for (const line of trailerText.split('\n')) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const key = line.slice(0, colon).trim();
        trailers.set(key, [...(trailers.get(key) ?? []), line.slice(colon + 1).trim()]);
      }
      return {
        sha,
        subject,
        trailers,
        files: fileText
          .split('\n')
          .map((file) => file.trim())
          .filter(Boolean),
      };
    });
}

/**
 * The newest bump commit (it carries a Deploy-Actions-Images trailer) that touched the
 * files and has not been reverted yet; revert commits name what they revert in a
 * Deploy-Actions-Reverts trailer, so `revert: last` twice walks back two bumps.
 */
export async function findLastBump(workspace: Workspace, globs: readonly string[]): Promise<{ sha: string; subject: string }> {
  const output = await workspace.git.out([
    'log',
    '--no-merges',
    '--format=%x1e%H%x00%s%x1f%(trailers:only,unfold)%x1f',
    '--name-only',
    'HEAD',
  ]);
  const matches = globList(globs);
  const reverted = new Set<string>();
  for (const commit of parseLog(output)) {
    for (const sha of commit.trailers.get('Deploy-Actions-Reverts') ?? []) reverted.add(sha);
    if (!commit.trailers.has('Deploy-Actions-Images') || reverted.has(commit.sha)) continue;
    if (commit.files.some((file) => matches(file))) return { sha: commit.sha, subject: commit.subject };
  }
  throw new Error(`no deploy-actions bump commit touching ${globs.join(', ')} is left to revert`);
}

/** Reverts one commit on the current tip, with the trailers that record the rollback. */
export async function revertCommit(workspace: Workspace, sha: string, runUrl: string): Promise<void> {
  const subject = await workspace.git.out(['log', '-1', '--format=%s', sha]);
  const result = await workspace.git.run(['revert', '--no-commit', sha]);
  if (result.code !== 0) {
    await workspace.git.run(['revert', '--abort']);
    throw new Error(`reverting ${sha.slice(0, 12)} conflicts with later changes; revert it by hand`);
  }
  await workspace.git.out([
    'commit',
    '--quiet',
    '--no-verify',
    '-m',
    `Revert "${subject}"\n\nThis reverts commit ${sha}.`,
    '--trailer',
    `Deploy-Actions-Reverts: ${sha}`,
    '--trailer',
    `Deploy-Actions-Run: ${runUrl}`,
  ]);
}
