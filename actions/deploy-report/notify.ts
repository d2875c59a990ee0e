// Types only (erased from the bundle): Slack's own Block Kit types check the message's shape.
import type { ActionsBlock, Button, ContextBlock, HeaderBlock, KnownBlock, MrkdwnElement, SectionBlock } from '@slack/types';
import { describeBody, httpRequestWithRetry, TransportError } from '../../packages/shared/http.js';
import * as core from '@actions/core';
import { excerpt, redactSecrets } from '../../packages/shared/secrets.js';
import type { NotifyKind, ReportConfig } from './config.js';
import { failing, headline, type Links, versionOf } from './report.js';

type Release = Pick<ReportConfig, 'environment' | 'outcome' | 'option' | 'services' | 'reason'>;

/** Slack's mrkdwn needs only these three escaped (Slack's "Formatting text" reference). */
const slackEscape = (text: string): string => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const clip = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Block Kit's limits: 50 blocks, 10 fields a section, 150 characters a header, 3000 a text. */
const FIELDS_PER_SECTION = 10;
const MAX_SERVICE_FIELDS = 40;

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

export function slackPayload(release: Release, links: Links): SlackMessage {
  const title = headline(release);
  const header: HeaderBlock = { type: 'header', text: { type: 'plain_text', text: clip(title, 150) } };
  const blocks: KnownBlock[] = [header];
  const lines = [`*Environment:* ${slackEscape(release.environment)}`, `*Outcome:* ${release.outcome}`];
  if (release.reason) lines.push(`*Reason:* ${slackEscape(release.reason)}`);
  const summary: SectionBlock = { type: 'section', text: { type: 'mrkdwn', text: clip(lines.join('\n'), 3000) } };
  blocks.push(summary);
  const fields = release.services.slice(0, MAX_SERVICE_FIELDS).map((service): MrkdwnElement => ({
    type: 'mrkdwn',
    text: clip(`*${slackEscape(service.service)}*\n\`${slackEscape(versionOf(service))}\``, 2000),
  }));
  for (let start = 0; start < fields.length; start += FIELDS_PER_SECTION) {
    const section: SectionBlock = { type: 'section', fields: fields.slice(start, start + FIELDS_PER_SECTION) };
    blocks.push(section);
  }
  if (release.services.length > MAX_SERVICE_FIELDS) {
    const more: ContextBlock = {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `and ${release.services.length - MAX_SERVICE_FIELDS} more services: see the run` }],
    };
    blocks.push(more);
  }
  const buttons: Button[] = [];
  if (links.run) buttons.push({ type: 'button', text: { type: 'plain_text', text: 'View the run' }, url: links.run });
  if (links.environment)
    buttons.push({ type: 'button', text: { type: 'plain_text', text: 'The environment' }, url: links.environment });
  if (buttons.length > 0) {
    const actions: ActionsBlock = { type: 'actions', elements: buttons };
    blocks.push(actions);
  }
  const context = [links.repository, release.option && `option ${release.option.toUpperCase()}`, links.sha?.slice(0, 12)]
    .filter(Boolean)
    .join(' · ');
  if (context) {
    const footer: ContextBlock = { type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(context) }] };
    blocks.push(footer);
  }
  // `text` is the notification's fallback (and what screen readers and push alerts show).
  return { text: slackEscape(`${title}${release.reason ? `: ${release.reason}` : ''}`), blocks };
}

/**
 * A Teams workflow webhook ("When a Teams webhook request is received") takes a message
 * whose attachment is an Adaptive Card; 1.4 is what Teams renders everywhere.
 */
export function teamsPayload(release: Release, links: Links): Record<string, unknown> {
  const body: Record<string, unknown>[] = [
    {
      type: 'TextBlock',
      text: headline(release),
      weight: 'Bolder',
      size: 'Medium',
      wrap: true,
      color: failing(release.outcome) ? 'Attention' : 'Good',
    },
  ];
  if (release.reason) body.push({ type: 'TextBlock', text: release.reason, wrap: true });
  const facts = [
    { title: 'Environment', value: release.environment },
    { title: 'Outcome', value: release.outcome },
    ...release.services.map((service) => ({ title: service.service, value: versionOf(service) })),
  ];
  body.push({ type: 'FactSet', facts });
  const actions = [
    links.run && { type: 'Action.OpenUrl', title: 'View the run', url: links.run },
    links.environment && { type: 'Action.OpenUrl', title: 'The environment', url: links.environment },
  ].filter(Boolean);
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          ...(actions.length > 0 && { actions }),
        },
      },
    ],
  };
}

/** The plain shape, for a receiver of one's own. */
export function jsonPayload(release: Release, links: Links): Record<string, unknown> {
  return {
    environment: release.environment,
    outcome: release.outcome,
    option: release.option ?? null,
    reason: release.reason ?? null,
    services: release.services.map((service) => ({
      service: service.service,
      image: service.image ?? null,
      digest: service.digest ?? null,
      url: service.url?.href ?? null,
    })),
    links: { run: links.run ?? null, environment: links.environment ?? null },
    repository: links.repository ?? null,
    sha: links.sha ?? null,
  };
}

export function payloadFor(kind: NotifyKind, release: Release, links: Links): object {
  if (kind === 'slack') return slackPayload(release, links);
  if (kind === 'teams') return teamsPayload(release, links);
  return jsonPayload(release, links);
}

export function shouldNotify(config: Pick<ReportConfig, 'notifyOn' | 'outcome'>): boolean {
  return config.notifyOn === 'always' || (config.notifyOn === 'failure' && failing(config.outcome));
}

/**
 * Posts the message. Transient faults are retried (408, 429, 5xx, resets, honouring
 * Retry-After); no redirect is followed, so the message goes to the webhook's host only.
 * Returns why it failed, or undefined: a failed notification is the caller's warning.
 */
export async function send(url: URL, payload: object): Promise<string | undefined> {
  try {
    const response = await httpRequestWithRetry({
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(payload),
      timeoutMs: 15_000,
      maxBodyBytes: 4096,
    });
    if (response.status >= 200 && response.status < 300) return undefined;
    return `the webhook answered HTTP ${response.status}: ${excerpt(describeBody(response))}`;
  } catch (error) {
    const message = error instanceof TransportError ? error.message : (error as Error).message;
    return `the webhook could not be reached: ${excerpt(message)}`;
  }
}

/**
 * The one message of a release, sent when notify-on says so (printed, not sent, on dry-run).
 * Whether it was delivered; what happened goes into `notes` for the summary.
 */
export async function notifyTeam(config: ReportConfig, links: Links, notes: string[]): Promise<boolean> {
  if (!config.notify) return false;
  if (!shouldNotify(config)) {
    notes.push(`no message: notify-on is ${config.notifyOn} and the outcome ${config.outcome}`);
    return false;
  }
  const { kind, url } = config.notify;
  const payload = payloadFor(kind, config, links);
  if (config.dryRun) {
    core.info(`dry-run: would post this ${kind} message to the webhook:`);
    core.info(redactSecrets(JSON.stringify(payload, null, 2)));
    notes.push(`dry run: the ${kind} message was not sent`);
    return false;
  }
  const problem = await send(url, payload);
  if (problem) {
    core.warning(`deploy-report: the ${kind} message was not delivered: ${problem}`);
    notes.push(`the ${kind} message was not delivered: ${problem}`);
    return false;
  }
  notes.push(`${kind} message sent`);
  return true;
}
