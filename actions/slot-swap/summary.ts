import { collapseRuns } from '../../packages/shared/gate/report.js';
import { code, escapeMarkdown, table } from '../../packages/shared/summary.js';
import type { SlotSwapConfig } from './config.js';
import type { FlowOutcome } from './flow.js';

export function renderSummary(config: SlotSwapConfig, outcome: FlowOutcome): string {
  const parts = [
    `### slot-swap ${config.action}: ${config.app} (${config.slot} → ${config.targetSlot})${config.dryRun ? ' (dry run)' : ''}`,
    '',
    `Result: **${outcome.result}**${outcome.swapSeconds === undefined ? '' : ` · swap took ${outcome.swapSeconds.toFixed(1)} s`}`,
  ];
  if (outcome.failure) parts.push('', `**Failed:** ${escapeMarkdown(outcome.failure)}`);
  parts.push(
    '',
    table(
      ['', 'image'],
      [
        [`${config.targetSlot} before`, { markdown: code(outcome.previousImage || '(none)') }],
        [`deployed to ${config.slot}`, { markdown: code(outcome.deployedImage || '(unchanged)') }],
        [`${config.targetSlot} after`, { markdown: code(outcome.productionAfter ?? outcome.previousImage) }],
      ],
    ),
  );
  for (const gate of outcome.gates) {
    parts.push(
      '',
      `#### Gate: ${escapeMarkdown(gate.title)} — ${gate.result.healthy ? 'healthy' : 'unhealthy'}`,
      '',
      escapeMarkdown(gate.result.reason),
      '',
      table(
        ['rounds', 'status', 'verdict', 'reason'],
        collapseRuns(gate.result.probes).map((run) => [
          run.first === run.last ? String(run.first) : `${run.first}-${run.last}`,
          run.status,
          run.verdict,
          run.reason,
        ]),
      ),
    );
  }
  return `${parts.join('\n')}\n`;
}
