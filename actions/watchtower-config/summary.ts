import { escapeMarkdown } from '../../packages/shared/summary.js';

export function renderSummary(mode: string, dryRun: boolean, lines: readonly string[]): string {
  const title = `### watchtower-config: ${mode}${dryRun ? ' (dry-run)' : ''}`;
  return `${[title, '', ...lines.map((line) => `- ${escapeMarkdown(line)}`)].join('\n')}\n`;
}
