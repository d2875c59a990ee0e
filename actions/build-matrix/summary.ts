import { code, table } from '../../packages/shared/summary.js';
import type { Selection } from './select.js';
import { imageName } from './select.js';
import type { ServicesFile } from './services-file.js';

export function renderSummary(
  file: ServicesFile,
  selections: readonly Selection[],
  range: { base: string; head: string; reason: string; files?: string[] },
): string {
  const short = (sha: string) => sha.slice(0, 12);
  const compared = range.files
    ? `Compared ${code(short(range.base))}..${code(short(range.head))} (${range.reason}): ${range.files.length} files changed.`
    : `Built everything: ${range.reason}.`;
  const lines = [`### build-matrix: ${selections.length} of ${file.services.length} services to build`, '', compared, ''];
  if (selections.length === 0) {
    lines.push('No service changed, so the build jobs are skipped (`changed` is `false`).');
  } else {
    lines.push(
      table(
        ['service', 'image', 'toolchain', 'why'],
        selections.map((selection) => [
          selection.service.name,
          { markdown: code(imageName(file, selection.service)) },
          selection.service.toolchain.spec,
          selection.reasons.join('; '),
        ]),
      ),
    );
  }
  const skipped = file.services.filter((service) => !selections.some((selection) => selection.service === service));
  if (skipped.length > 0) lines.push('', `Unchanged: ${skipped.map((service) => service.name).join(', ')}.`);
  return `${lines.join('\n')}\n`;
}
