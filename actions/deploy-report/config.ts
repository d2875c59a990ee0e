import { readRecordFiles } from '../../packages/shared/build-records.js';
import { InputError } from '../../packages/shared/errors.js';
import { isDigest, isImageReference } from '../../packages/shared/image-ref.js';
import type { Inputs } from '../../packages/shared/inputs.js';
import { isServiceName } from '../../packages/shared/service-name.js';

/** The defaults of deploy-report/action.yml; test/unit/action-metadata.test.ts keeps them equal. */
export const DEFAULTS = {
  'notify-kind': 'auto',
  'notify-on': 'failure',
  'alert-issue': 'false',
  'dry-run': 'false',
  'run-phases': 'true',
} as const;

export const OUTCOMES = ['deployed', 'failed', 'rolled-back'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const NOTIFY_KINDS = ['auto', 'slack', 'teams', 'json'] as const;
export type NotifyKind = Exclude<(typeof NOTIFY_KINDS)[number], 'auto'>;
const NOTIFY_ON = ['always', 'failure', 'never'] as const;
/** A job's or step's result, as GitHub names them. */
export const PHASE_RESULTS = ['success', 'failure', 'cancelled', 'skipped'] as const;

export interface ServiceLine {
  service: string;
  image: string | undefined;
  digest: string | undefined;
  url: URL | undefined;
}

export interface Phase {
  name: string;
  started: Date;
  finished: Date;
  result: (typeof PHASE_RESULTS)[number];
}

export interface ReportConfig {
  environment: string;
  outcome: Outcome;
  option: 'a' | 'c' | 'd' | 'e' | undefined;
  services: ServiceLine[];
  phases: Phase[];
  /** Read the phases from the run's jobs (GitHub's API) instead of `phases` and report-dir. */
  runPhases: boolean;
  reason: string | undefined;
  notify: { url: URL; kind: NotifyKind } | undefined;
  notifyOn: (typeof NOTIFY_ON)[number];
  alertIssue: boolean;
  token: string | undefined;
  dryRun: boolean;
}

const ENVIRONMENT = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/;
const MAX_ITEMS = 300;

/** Every input is checked before anything is sent: a typo costs no message and no issue. */
export function readConfig(inputs: Inputs): ReportConfig {
  // Secrets first: masked before any error could echo them.
  const notifyUrl = inputs.secret('notify-url');
  const token = inputs.secret('github-token');
  const environment = inputs.required('environment');
  if (!ENVIRONMENT.test(environment))
    throw new InputError('environment', 'must be an environment name (letters, digits, space, . _ -, at most 100)');
  const outcomeValue = inputs.required('outcome');
  if (!(OUTCOMES as readonly string[]).includes(outcomeValue))
    throw new InputError('outcome', `must be one of ${OUTCOMES.join(', ')}; got "${outcomeValue}"`);
  const option = inputs.string('option');
  if (option !== undefined && !['a', 'c', 'd', 'e'].includes(option))
    throw new InputError('option', `must be a, c, d or e; got "${option}"`);
  const reason = inputs.string('reason');
  if (reason !== undefined && reason.length > 1000) throw new InputError('reason', 'must be one line of at most 1000 characters');
  const alertIssue = inputs.boolean('alert-issue', false);
  if (alertIssue && token === undefined)
    throw new InputError('github-token', 'is required with alert-issue: true (issues: write on this job)');
  return {
    environment,
    outcome: outcomeValue as Outcome,
    option: option as ReportConfig['option'],
    ...readLists(inputs),
    runPhases: inputs.boolean('run-phases', true),
    reason,
    notify:
      notifyUrl === undefined ? undefined : readNotify(inputs, notifyUrl, inputs.choice('notify-kind', NOTIFY_KINDS, 'auto')),
    notifyOn: inputs.choice('notify-on', NOTIFY_ON, 'failure'),
    alertIssue,
    token,
    dryRun: inputs.boolean('dry-run', false),
  };
}

/**
 * The inputs' services and phases, then those of each JSON file in report-dir (what the
 * matrix legs uploaded as artifacts: `{ "phases": [...], "services": [...] }`). Phases are
 * put in order of their start.
 */
function readLists(inputs: Inputs): { services: ServiceLine[]; phases: Phase[] } {
  const services = readServices(inputs.text('services'));
  // Several lists, one a line, are joined: each job of a workflow reports its own.
  const phases = (inputs.text('phases') ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .flatMap((line) => readPhases(line));
  const dir = inputs.string('report-dir');
  for (const { name, record } of dir === undefined ? [] : readRecordFiles('report-dir', dir)) {
    // An error names report-dir and the file: "input 'report-dir' build-web.json: services ...".
    services.push(...readServices(listText(record.services), 'report-dir', `${name}: services`));
    phases.push(...readPhases(listText(record.phases), 'report-dir', `${name}: phases`));
  }
  phases.sort((a, b) => a.started.getTime() - b.started.getTime());
  return { services, phases };
}

const listText = (value: unknown): string | undefined => (value === undefined ? undefined : JSON.stringify(value));

/** `where` prefixes each message: a file's name and field when the list came from report-dir. */
function jsonList(name: string, text: string | undefined, where = ''): Record<string, unknown>[] {
  if (text === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputError(name, `${where}must be a JSON list`);
  }
  if (!Array.isArray(parsed) || parsed.some((item) => typeof item !== 'object' || item === null || Array.isArray(item)))
    throw new InputError(name, `${where}must be a JSON list of objects`);
  if (parsed.length > MAX_ITEMS) throw new InputError(name, `${where}must hold at most ${MAX_ITEMS} items`);
  return parsed as Record<string, unknown>[];
}

const optionalString = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export function readServices(text: string | undefined, input = 'services', source?: string): ServiceLine[] {
  const where = source === undefined ? '' : `${source} `;
  return jsonList(input, text, where).map((item, index) => {
    const service = optionalString(item.service) ?? '';
    if (!isServiceName(service))
      throw new InputError(
        input,
        `${where}item ${index + 1}: service must be a service name (lower-case letters, digits, . _ -)`,
      );
    const image = optionalString(item.image);
    if (image !== undefined && !isImageReference(image))
      throw new InputError(input, `${where}${service}: image must be an image reference`);
    const digest = optionalString(item.digest);
    if (digest !== undefined && !isDigest(digest))
      throw new InputError(input, `${where}${service}: digest must be sha256:<64 hex>`);
    const urlText = optionalString(item.url);
    let url: URL | undefined;
    if (urlText !== undefined) {
      url = URL.canParse(urlText) ? new URL(urlText) : undefined;
      if (!url || !['http:', 'https:'].includes(url.protocol) || url.username || url.password)
        throw new InputError(input, `${where}${service}: url must be an http(s) URL with no credentials`);
    }
    return { service, image, digest, url };
  });
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export function readPhases(text: string | undefined, input = 'phases', source?: string): Phase[] {
  const where = source === undefined ? '' : `${source} `;
  return jsonList(input, text, where).map((item, index) => {
    const name = optionalString(item.name) ?? '';
    // eslint-disable-next-line no-control-regex
    if (name === '' || name.length > 100 || /[\u0000-\u001f\u007f]/.test(name))
      throw new InputError(input, `${where}item ${index + 1}: name must be one line of at most 100 characters`);
    const times = (['started', 'finished'] as const).map((field) => {
      const value = optionalString(item[field]) ?? '';
      if (!ISO_TIME.test(value) || Number.isNaN(Date.parse(value)))
        throw new InputError(input, `${where}${name}: ${field} must be an ISO 8601 time such as 2026-11-23T10:00:00Z`);
      return new Date(value);
    });
    const [started, finished] = times as [Date, Date];
    if (finished < started) throw new InputError(input, `${where}${name}: finished is before started`);
    const result = optionalString(item.result) ?? 'success';
    if (!(PHASE_RESULTS as readonly string[]).includes(result))
      throw new InputError(input, `${where}${name}: result must be one of ${PHASE_RESULTS.join(', ')}`);
    return { name, started, finished, result: result as Phase['result'] };
  });
}

/** Slack's incoming webhooks, Teams' workflow webhooks (Power Automate), and their older Office 365 host. */
const SLACK_HOST = /^hooks\.slack(-gov)?\.com$/;
const TEAMS_HOST = /(^|\.)(logic\.azure\.com|api\.powerplatform\.com|webhook\.office\.com)$/;
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

function readNotify(inputs: Inputs, text: string, kind: (typeof NOTIFY_KINDS)[number]): { url: URL; kind: NotifyKind } {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (!url) throw new InputError('notify-url', 'must be an https URL (a Slack or Teams webhook)');
  // The path and query are the webhook's credential: masked apart from the whole URL too,
  // in case a library prints them alone. (The whole value is masked by inputs.secret.)
  for (const part of [`${url.pathname}${url.search}`, url.search.slice(1)]) if (part.length > 8) inputs.maskValue(part);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname)))
    throw new InputError('notify-url', 'must be https (plain http only on loopback, for tests)');
  if (url.username || url.password) throw new InputError('notify-url', 'must not hold credentials');
  if (kind !== 'auto') return { url, kind };
  if (SLACK_HOST.test(url.hostname)) return { url, kind: 'slack' };
  if (TEAMS_HOST.test(url.hostname)) return { url, kind: 'teams' };
  throw new InputError('notify-kind', `auto cannot tell the kind from the webhook's host; set slack, teams or json`);
}
