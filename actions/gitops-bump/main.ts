import * as core from '@actions/core';
import { Inputs } from '../../packages/shared/inputs.js';
import { registerSecret, setOutputs } from '../../packages/shared/secrets.js';
import { writeSummary } from '../../packages/shared/summary.js';
import { DEFAULTS, readConfig } from './config.js';
import { bumpOrRevert } from './run.js';
import { renderSummary } from './summary.js';
import { Workspace } from './workspace.js';
import { syncAfterPush } from './sync-after-push.js';
import { echoToolLine } from '../../packages/shared/tool-output.js';

export async function main(): Promise<void> {
  const config = readConfig(new Inputs(core.getInput, registerSecret, DEFAULTS));
  const env = process.env;
  const runUrl = `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY ?? config.repository}/actions/runs/${env.GITHUB_RUN_ID ?? '0'}`;
  // git's lines, inert: a hook's `remote:` output must not issue workflow commands.
  const log = echoToolLine;
  // The clone, the pushes and their retries all fit in `timeout` (the last with what is left).
  const workspace = new Workspace(config.gitUrl, config.branch, config.token, Date.now() + config.timeoutMs, config.signingKey);
  try {
    await core.group(`Clone ${config.repository} (${config.branch})`, () => workspace.clone());
    const verb = config.revert !== undefined ? 'Revert' : 'Bump';
    const { published, state, images } = await core.group(
      `${verb} and ${config.mode === 'push' ? 'push' : 'open a pull request'}`,
      () => bumpOrRevert(workspace, config, runUrl, log),
    );
    if (!published.changed) log(`Nothing to change: ${config.branch} already has ${images}`);
    else if (!config.dryRun)
      log(`${verb === 'Revert' ? 'Reverted' : 'Bumped'} in ${published.commitSha} after ${published.attempts} attempt(s)`);
    setOutputs({
      attempts: String(published.attempts),
      changed: String(published.changed),
      'commit-sha': published.commitSha,
      'pr-number': published.pull ? String(published.pull.number) : '',
      'pr-url': published.pull?.html_url ?? '',
      diff: published.diff,
    });
    // The commit is an output before the wait: a workflow reverts it when Argo CD fails it.
    const synced = await syncAfterPush(config, workspace, published, log);
    await writeSummary(renderSummary(config, published, state, synced));
    if (synced && 'error' in synced) {
      setOutputs({ 'sync-error': synced.error.message });
      throw synced.error;
    }
    setOutputs({ 'synced-revision': synced?.result.revision ?? '' });
  } finally {
    workspace.dispose();
  }
}
