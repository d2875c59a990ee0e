import * as core from '@actions/core';
import { Inputs } from '../../packages/shared/inputs.js';
import { redactSecrets, registerSecret, setOutputs } from '../../packages/shared/secrets.js';
import { writeSummary } from '../../packages/shared/summary.js';
import type { BumpResult } from './bump.js';
import { type BumpConfig, DEFAULTS, readConfig } from './config.js';
import { type Change, openOrUpdatePull, type Published, pushToBranch } from './publish.js';
import { findLastBump, revertCommit } from './revert.js';
import { renderSummary } from './summary.js';
import { Workspace } from './workspace.js';

export async function main(): Promise<void> {
  const config = readConfig(new Inputs(core.getInput, registerSecret, DEFAULTS));
  // The YAML editor (and its parser) is loaded only once the inputs are known to be good.
  const { applyBump, commitArgs, imagesSummary } = await import('./bump.js');
  const env = process.env;
  const runUrl = `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY ?? config.repository}/actions/runs/${env.GITHUB_RUN_ID ?? '0'}`;
  const log = (line: string) => {
    core.info(redactSecrets(line));
  };
  const workspace = new Workspace(config.gitUrl, config.branch, config.token);
  try {
    await workspace.clone();
    const state: { bump?: BumpResult; reverted?: { sha: string; subject: string } } = {};
    const change: Change = async () => {
      if (config.revert !== undefined) {
        state.reverted =
          config.revert === 'last' ? await findLastBump(workspace, config.files) : { sha: config.revert, subject: '' };
        await revertCommit(workspace, state.reverted.sha, runUrl);
        return true;
      }
      state.bump = await applyBump(workspace, config);
      if (state.bump.changedFiles.length === 0) return false;
      await workspace.gitOut([...commitArgs(config, runUrl, env.GITHUB_SHA ?? ''), '--', ...state.bump.changedFiles]);
      return true;
    };

    let published: Published;
    if (config.dryRun) {
      await workspace.syncToRemote();
      const changed = await change(1);
      const diff = changed ? await workspace.gitOut(['show', '--format=', '--no-color', 'HEAD']) : '';
      published = { changed, commitSha: '', attempts: 0, diff };
      log(
        changed
          ? `dry-run: would commit to ${config.mode === 'push' ? config.branch : 'a pull request'}:\n${diff}`
          : 'dry-run: nothing to change',
      );
    } else if (config.mode === 'push') {
      published = await pushToBranch(workspace, config, change, log);
    } else {
      published = await openOrUpdatePull(workspace, config, change, pullText(config, runUrl, imagesSummary(config)), log);
    }

    if (!published.changed) log(`Nothing to change: ${config.branch} already has ${imagesSummary(config)}`);
    else if (!config.dryRun)
      log(
        `${config.revert !== undefined ? 'Reverted' : 'Bumped'} in ${published.commitSha} after ${published.attempts} attempt(s)`,
      );
    setOutputs({
      changed: String(published.changed),
      'commit-sha': published.commitSha,
      'pr-number': published.pull ? String(published.pull.number) : '',
      'pr-url': published.pull?.html_url ?? '',
      diff: published.diff,
    });
    await writeSummary(renderSummary(config, published, state));
  } finally {
    workspace.dispose();
  }
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
