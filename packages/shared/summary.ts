import * as core from '@actions/core';
import { logBlock } from './log-block.js';
import { redactSecrets } from './secrets.js';

/** Escapes text for a Markdown table cell or paragraph: HTML, pipes and line breaks. */
export function escapeMarkdown(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('|', '\\|')
    .replace(/\r?\n/g, ' ');
}

/** Inline code that survives backticks inside the text. */
export function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${text.replace(/\r?\n/g, ' ')}${fence}`;
}

/** A table cell: text is escaped; `{ markdown }` is trusted as it is (e.g. from `code()`). */
export type Cell = string | number | undefined | { markdown: string };

export function table(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header.map(escapeMarkdown)), line(header.map(() => '---')), ...rows.map((row) => line(row.map(renderCell)))].join(
    '\n',
  );
}

function renderCell(cell: Cell): string {
  if (cell === undefined) return '';
  if (typeof cell === 'object') return cell.markdown;
  return escapeMarkdown(String(cell));
}

/**
 * Appends Markdown to the job summary, with registered secrets redacted. Outside a runner
 * (no GITHUB_STEP_SUMMARY) it does nothing, so local runs and unit tests need no set-up.
 * With `log`, the same text also goes to the log (where no line of it can issue a command),
 * for runners that show no job summary: act, older GitHub Enterprise Servers.
 */
export async function writeSummary(markdown: string, options: { log?: boolean } = {}): Promise<void> {
  if (options.log) logBlock('Job summary', markdown);
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(redactSecrets(markdown), true).write();
}
