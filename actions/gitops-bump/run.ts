import type { BumpResult } from './bump.js';
import type { BumpConfig } from './config.js';
import { type Change, openOrUpdatePull, type Published, pushToBranch } from './publish.js';
import { findLastBump, revertCommit } from './revert.js';
import type { Workspace } from './workspace.js';

/** What the change did, for the summary. */
export interface ChangeState {
  bump?: BumpResult;
  reverted?: { sha: string; subject: string };
}

/**
 * Builds the change (a bump, or a revert) on a fresh tip and publishes it as the mode says:
 * a push, a pull request, or with dry-run nothing but the diff.
 */
export async function bumpOrRevert(
  workspace: Workspace,
  config: BumpConfig,
  runUrl: string,
  log: (line: string) => void,
): Promise<{ published: Published; state: ChangeState; images: string }> {
  // The YAML editor (and its parser) is loaded only once the inputs are known to be good.
  const { applyBump, commitArgs, imagesSummary } = await import('./bump.js');
  const state: ChangeState = {};
  const change: Change = async () => {
    if (config.revert !== undefined) {
      state.reverted =
        config.revert === 'last' ? await findLastBump(workspace, config.files) : { sha: config.revert, subject: '' };
      await revertCommit(workspace, state.reverted.sha, runUrl);
      return true;
    }
    state.bump = await applyBump(workspace, config);
    if (state.bump.changedFiles.length === 0) return false;
    await workspace.git.out([...commitArgs(config, runUrl, process.env.GITHUB_SHA ?? ''), '--', ...state.bump.changedFiles]);
    return true;
  };

  if (config.dryRun) {
    await workspace.syncToRemote();
    const changed = await change(1);
    const diff = changed ? await workspace.git.out(['show', '--format=', '--no-color', 'HEAD']) : '';
    const where = config.mode === 'push' ? config.branch : 'a pull request';
    log(changed ? `dry-run: would commit to ${where}:\n${diff}` : 'dry-run: nothing to change');
    return { published: { changed, commitSha: '', attempts: 0, diff }, state, images: imagesSummary(config) };
  }
  const published =
    config.mode === 'push'
      ? await pushToBranch(workspace, config, change, log)
      : await openOrUpdatePull(workspace, config, change, pullText(config, runUrl, imagesSummary(config)), log);
  return { published, state, images: imagesSummary(config) };
}

function pullText(config: BumpConfig, runUrl: string, images: string): { title: string; body: string } {
  return {
    title: config.prTitle.replaceAll('{images}', images),
    body: [
      `Image bump by [deploy-actions gitops-bump](${runUrl}).`,
      '',
      ...config.images.map((image) => `- \`${image.name}\` → \`${image.digest ?? image.tag ?? ''}\``),
      ...config.sets.map((set) => `- \`${set.file}\` \`${set.path}\` → \`${set.value}\``),
      '',
      'This branch is rewritten by the next bump of the same files; merge or close it freely.',
    ].join('\n'),
  };
}
