// The bench's global setup: starts a fresh results file, and at the end prints every section.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { RESULTS_FILE, SECTIONS } from './results.js';

const pad = (cells: readonly string[], widths: number[]) =>
  cells.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join(' | ');

export default function setup(): () => void {
  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  rmSync(RESULTS_FILE, { force: true });
  return () => {
    const lines = existsSync(RESULTS_FILE) ? readFileSync(RESULTS_FILE, 'utf8').split('\n').filter(Boolean) : [];
    const rows = lines.map((line) => JSON.parse(line) as { section: keyof typeof SECTIONS; row: string[] });
    const out: string[] = ['', '=== npm run bench ==='];
    for (const [key, section] of Object.entries(SECTIONS)) {
      const own = rows.filter((row) => row.section === key).map((row) => row.row);
      out.push('', section.title);
      if (own.length === 0) {
        out.push('  (not measured: its part is missing here, see the log above)');
        continue;
      }
      const widths = section.header.map((name, index) => Math.max(name.length, ...own.map((row) => (row[index] ?? '').length)));
      out.push(`  ${pad(section.header, widths)}`, `  ${widths.map((width) => '-'.repeat(width)).join('-|-')}`);
      for (const row of own) out.push(`  ${pad(row, widths)}`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
  };
}
