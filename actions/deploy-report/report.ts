import { code, escapeMarkdown, table } from '../../packages/shared/summary.js';
import type { Outcome, Phase, ReportConfig, ServiceLine } from './config.js';

/** Where a person follows the release up: the run, and the environment's deployments page. */
export interface Links {
  repository: string | undefined;
  sha: string | undefined;
  run: string | undefined;
  environment: string | undefined;
}

export function linksFrom(env: NodeJS.ProcessEnv, environment: string): Links {
  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  const repository = env.GITHUB_REPOSITORY || undefined;
  const runId = env.GITHUB_RUN_ID;
  const attempt = Number(env.GITHUB_RUN_ATTEMPT || '1');
  return {
    repository,
    sha: env.GITHUB_SHA || undefined,
    run:
      repository && runId
        ? `${server}/${repository}/actions/runs/${runId}${attempt > 1 ? `/attempts/${attempt}` : ''}`
        : undefined,
    environment: repository ? `${server}/${repository}/deployments/${encodeURIComponent(environment)}` : undefined,
  };
}

export const failing = (outcome: Outcome): boolean => outcome !== 'deployed';

export const OUTCOME_WORDS: Record<Outcome, string> = {
  deployed: 'deployed',
  failed: 'FAILED',
  'rolled-back': 'ROLLED BACK',
};

export function headline(config: Pick<ReportConfig, 'environment' | 'outcome' | 'option'>): string {
  const option = config.option ? ` (option ${config.option.toUpperCase()})` : '';
  return `${config.environment}: ${OUTCOME_WORDS[config.outcome]}${option}`;
}

/** What a service runs now, for a person: its tag, or its digest shortened. */
export function versionOf(service: ServiceLine): string {
  const image = service.image ?? '';
  const at = image.indexOf('@');
  const tag = at < 0 && image.lastIndexOf(':') > image.lastIndexOf('/') ? image.slice(image.lastIndexOf(':') + 1) : undefined;
  const digest = service.digest ?? (at >= 0 ? image.slice(at + 1) : undefined);
  const short = (text: string) => (text.length > 19 ? text.slice(0, 19) : text);
  if (tag && digest) return `${short(tag)} (${short(digest)})`;
  return tag ? short(tag) : digest ? short(digest) : 'unknown';
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min${seconds % 60 ? ` ${seconds % 60} s` : ''}`;
}

/** Text Mermaid's gantt grammar takes in a title, section or task: its separators and comments out. */
const mermaidText = (text: string): string =>
  text
    .replace(/[:;#%`]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

const TASK_TAGS: Record<Phase['result'], string> = { success: 'done, ', failure: 'crit, ', cancelled: 'active, ', skipped: '' };

/**
 * The phases as a Mermaid gantt chart (GitHub renders ```mermaid blocks): one row each, in
 * the order given, times as epoch milliseconds (`dateFormat x`, no time zone to get wrong).
 * Skipped phases have no bar; they are in the table below it.
 */
export function gantt(config: Pick<ReportConfig, 'environment' | 'outcome' | 'option' | 'phases'>): string | undefined {
  const shown = config.phases.filter((phase) => phase.result !== 'skipped');
  if (shown.length === 0) return undefined;
  const lines = ['gantt', `  title ${mermaidText(headline(config))}`, '  dateFormat x', '  axisFormat %H:%M:%S'];
  shown.forEach((phase, index) => {
    const name = mermaidText(phase.name) || `phase ${index + 1}`;
    const took = formatDuration(phase.finished.getTime() - phase.started.getTime());
    lines.push(
      `  section ${name}`,
      `  ${name} (${took}) :${TASK_TAGS[phase.result]}p${index + 1}, ${phase.started.getTime()}, ${phase.finished.getTime()}`,
    );
  });
  return lines.join('\n');
}

/** `the run · the <environment> environment`, and any extra parts; empty when there is no link. */
export function linkLine(links: Links, environment: string, extra: (string | false | undefined)[] = []): string {
  return [
    links.run && `[the run](${links.run})`,
    links.environment && `[the ${escapeMarkdown(environment)} environment](${links.environment})`,
    ...extra,
  ]
    .filter(Boolean)
    .join(' · ');
}

export function renderSummary(config: ReportConfig, links: Links, notes: readonly string[]): string {
  const parts = [`### Release ${escapeMarkdown(headline(config))}`, ''];
  if (config.reason) parts.push(`**Reason:** ${escapeMarkdown(config.reason)}`, '');
  const where = linkLine(links, config.environment);
  if (where) parts.push(where, '');
  const chart = gantt(config);
  if (chart) parts.push('```mermaid', chart, '```', '');
  if (config.phases.length > 0) {
    parts.push(
      table(
        ['phase', 'result', 'took'],
        config.phases.map((phase) => [
          phase.name,
          phase.result,
          formatDuration(phase.finished.getTime() - phase.started.getTime()),
        ]),
      ),
      '',
    );
  }
  if (config.services.length > 0) {
    parts.push(
      table(
        ['service', 'version', 'image', 'digest', 'url'],
        config.services.map((service) => [
          service.service,
          versionOf(service),
          service.image ? { markdown: code(service.image) } : '',
          service.digest ? { markdown: code(service.digest) } : '',
          service.url ? { markdown: `<${service.url.href}>` } : '',
        ]),
      ),
      '',
    );
  }
  for (const note of notes) parts.push(`- ${escapeMarkdown(note)}`);
  return `${parts.join('\n')}\n`;
}
