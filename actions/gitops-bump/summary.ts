import { code, table } from '../../packages/shared/summary.js';
import type { BumpResult } from './bump.js';
import type { BumpConfig } from './config.js';
import type { Published } from './publish.js';
import type { SyncOutcome } from './sync-after-push.js';

export function renderSummary(
  config: BumpConfig,
  published: Published,
  state: { bump?: BumpResult; reverted?: { sha: string } },
  synced?: SyncOutcome,
): string {
  const target = `${config.repository}@${config.branch}`;
  let title: string;
  if (!published.changed) title = `nothing to change in ${code(target)}`;
  else if (config.dryRun) title = `dry-run: would change ${code(target)}`;
  else if (published.pull) title = `pull request [#${published.pull.number}](${published.pull.html_url}) for ${code(target)}`;
  else title = `${state.reverted ? 'reverted' : 'pushed'} ${code(published.commitSha.slice(0, 12))} to ${code(target)}`;
  const lines = [`### gitops-bump: ${title}`, ''];
  if (state.reverted) lines.push(`Reverted ${code(state.reverted.sha)}.`, '');
  if (state.bump && state.bump.edits.length > 0) {
    lines.push(
      table(
        ['file', 'value'],
        state.bump.edits.map((edit) => [{ markdown: code(edit.file) }, edit.where]),
      ),
      '',
    );
  }
  if (published.verified !== undefined) {
    lines.push(
      published.verified ? 'Made and signed by GitHub (Verified).' : 'Made by GitHub, but its signature is not verified.',
      '',
    );
  }
  if (synced && config.sync) {
    const app = code(config.sync.app);
    lines.push(
      'result' in synced
        ? `Argo CD: ${app} Synced at ${code(synced.result.revision.slice(0, 12))} and Healthy after ${synced.result.seconds} s.`
        : `Argo CD: ${app} did not sync ${code(synced.commit.slice(0, 12))}: ${synced.error.message}`,
      '',
    );
  }
  if (published.attempts > 1) lines.push(`Landed on attempt ${published.attempts}: other pipelines pushed first.`, '');
  if (published.diff) lines.push('<details><summary>diff</summary>', '', '```diff', published.diff, '```', '', '</details>');
  return `${lines.join('\n')}\n`;
}
