import { code, escapeMarkdown, table } from '../../packages/shared/summary.js';
import type { AcrPushConfig } from './config.js';

export function renderSummary(run: {
  config: AcrPushConfig;
  refs: string[];
  digest: string | undefined;
  detail: string;
  seconds: number;
  locked: string[];
}): string {
  const { config } = run;
  const verb = config.dryRun
    ? 'would push'
    : config.promote !== undefined
      ? 'promoted'
      : config.push
        ? 'pushed'
        : 'built (not pushed)';
  const lines = [
    `### acr-push: ${verb} ${code(config.repositories.map((repository) => `${config.registry}/${repository}`).join(', '))}`,
    '',
    table(
      ['tag', 'digest'],
      run.refs.map((ref) => [{ markdown: code(ref) }, run.digest ? { markdown: code(run.digest) } : '']),
    ),
    '',
    `${escapeMarkdown(run.detail)}; auth: ${config.auth}; ${run.seconds.toFixed(1)} s.`,
  ];
  if (run.locked.length > 0) {
    lines.push('', `${config.dryRun ? 'Would lock' : 'Locked'} (no overwrite, no delete): ${run.locked.map(code).join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}
