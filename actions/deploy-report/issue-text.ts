import { code, escapeMarkdown, table } from '../../packages/shared/summary.js';
import type { ReportConfig } from './config.js';
import { headline, linkLine, type Links, versionOf } from './report.js';

type Release = Pick<ReportConfig, 'environment' | 'outcome' | 'option' | 'services' | 'reason'>;

/** The alert issue's body, a later failure's comment, and the closing comment. */
export function issueTexts(release: Release, links: Links): { body: string; comment: string; closing: string } {
  const details = [
    `**${escapeMarkdown(headline(release))}**`,
    '',
    `**Reason:** ${escapeMarkdown(release.reason ?? 'not given')}`,
    '',
  ];
  if (release.services.length > 0) {
    details.push(
      table(
        ['service', 'version', 'image'],
        release.services.map((service) => [
          service.service,
          versionOf(service),
          service.image ? { markdown: code(service.image) } : '',
        ]),
      ),
      '',
    );
  }
  const where = linkLine(links, release.environment, [links.sha && `commit ${links.sha}`]);
  if (where) details.push(where, '');
  const body = [
    `Releases to **${escapeMarkdown(release.environment)}** are failing. deploy-report opened this issue and will close it after the next successful release; later failures are added as comments.`,
    '',
    ...details,
  ].join('\n');
  return {
    body,
    comment: ['Failed again.', '', ...details].join('\n'),
    closing: ['Deployed successfully: closing.', '', ...details].join('\n'),
  };
}
