import { escapeMarkdown, table } from '../../packages/shared/summary.js';
import { redactSecrets } from '../../packages/shared/secrets.js';
import type { HelmDeployConfig } from './config.js';
import type { DeployOutcome } from './deploy.js';
import { redactManifest, unifiedDiff } from './manifest-diff.js';

/** Room for the diff in the summary (the runner takes 1 MiB per step). */
const DIFF_LIMIT = 60_000;

export async function renderSummary(config: HelmDeployConfig, helmVersion: string, outcome: DeployOutcome): Promise<string> {
  const title = `### helm-deploy ${config.action}: ${config.release} in ${config.namespace}${config.dryRun ? ' (dry run)' : ''}`;
  const facts = [
    `Helm ${helmVersion}`,
    `status **${escapeMarkdown(outcome.status)}**`,
    outcome.revision === undefined ? undefined : `revision ${outcome.revision}`,
    outcome.previousRevision === undefined ? undefined : `previous ${outcome.previousRevision}`,
    outcome.rolledBack ? 'rolled back' : undefined,
    outcome.recovered === 'none' ? undefined : `recovered a pending release (${outcome.recovered})`,
  ].filter((fact) => fact !== undefined);
  const parts = [title, '', facts.join(' · ')];
  if (outcome.failure) parts.push('', `**Failed:** ${escapeMarkdown(outcome.failure)}`);
  if (outcome.history.length > 0) {
    parts.push(
      '',
      table(
        ['revision', 'updated', 'status', 'chart', 'app version', 'description'],
        outcome.history.map((entry) => [
          entry.revision,
          entry.updated,
          entry.status,
          entry.chart,
          entry.app_version,
          entry.description,
        ]),
      ),
    );
  }
  if (outcome.manifests) {
    // Secrets' values are replaced before the diff is worked out, and everything registered
    // as a secret is redacted before the cut, so neither a value nor part of one shows.
    const [before, after] = await Promise.all([
      redactManifest(outcome.manifests.before),
      redactManifest(outcome.manifests.after),
    ]);
    let diff = redactSecrets(unifiedDiff(before, after, outcome.manifests.labels));
    if (diff.length > DIFF_LIMIT) diff = `${diff.slice(0, DIFF_LIMIT)}\n... (cut: the diff is ${diff.length} characters)`;
    const label = `Manifest diff, ${outcome.manifests.labels.join(' → ')}`;
    parts.push(
      '',
      diff === ''
        ? `${label}: no change.`
        : `<details><summary>${escapeMarkdown(label)}</summary>\n\n\`\`\`diff\n${diff.replaceAll('```', '` ` `')}\n\`\`\`\n</details>`,
    );
  }
  return `${parts.join('\n')}\n`;
}
