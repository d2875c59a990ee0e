import * as core from '@actions/core';
import { Inputs } from '../../packages/shared/inputs.js';
import { redactSecrets, registerSecret, setOutputs } from '../../packages/shared/secrets.js';
import { writeSummary } from '../../packages/shared/summary.js';
import { type IssueChange, plannedChange, repositoryOf, updateAlertIssue } from './alert-issue.js';
import { DEFAULTS, readConfig } from './config.js';
import { issueTexts } from './issue-text.js';
import { payloadFor, send, shouldNotify } from './notify.js';
import { headline, linksFrom, renderSummary } from './report.js';

export async function main(): Promise<void> {
  const config = readConfig(new Inputs(core.getInput, registerSecret, DEFAULTS));
  const links = linksFrom(process.env, config.environment);
  const notes: string[] = [];
  core.info(`Release ${headline(config)}${config.reason ? `: ${config.reason}` : ''}`);

  // The message: one per release, in the receiver's format. Failing to send it is a warning.
  let notified = false;
  if (config.notify && shouldNotify(config)) {
    const payload = payloadFor(config.notify.kind, config, links);
    if (config.dryRun) {
      core.info(`dry-run: would post this ${config.notify.kind} message to the webhook:`);
      core.info(redactSecrets(JSON.stringify(payload, null, 2)));
      notes.push(`dry run: the ${config.notify.kind} message was not sent`);
    } else {
      const problem = await send(config.notify.url, payload);
      if (problem) {
        core.warning(`deploy-report: the ${config.notify.kind} message was not delivered: ${problem}`);
        notes.push(`the ${config.notify.kind} message was not delivered: ${problem}`);
      } else {
        notified = true;
        notes.push(`${config.notify.kind} message sent`);
      }
    }
  } else if (config.notify) {
    notes.push(`no message: notify-on is ${config.notifyOn} and the outcome ${config.outcome}`);
  }

  let issue: IssueChange = { action: 'none', number: undefined, url: undefined };
  let issueError: Error | undefined;
  if (config.alertIssue) {
    if (config.dryRun) {
      core.info(`dry-run: would ${plannedChange(config)}`);
      notes.push(`dry run: would ${plannedChange(config)}`);
    } else {
      try {
        issue = await updateAlertIssue(config.token ?? '', repositoryOf(process.env), config, issueTexts(config, links));
        if (issue.action !== 'none') notes.push(`alert issue #${issue.number ?? ''} ${issue.action}: ${issue.url ?? ''}`);
      } catch (error) {
        issueError = error as Error;
      }
    }
  }

  setOutputs({ notified: String(notified), 'issue-action': issue.action, 'issue-url': issue.url ?? '' });
  await writeSummary(renderSummary(config, links, notes), { log: true });
  // The alert issue is what the team watches: not being able to open or close it fails the report.
  if (issueError) throw issueError;
}
