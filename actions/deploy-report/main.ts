import * as core from '@actions/core';
import { Inputs } from '../../packages/shared/inputs.js';
import { registerSecret, setOutputs } from '../../packages/shared/secrets.js';
import { writeSummary } from '../../packages/shared/summary.js';
import { type IssueChange, plannedChange, repositoryOf, updateAlertIssue } from './alert-issue.js';
import { DEFAULTS, readConfig } from './config.js';
import { issueTexts } from './issue-text.js';
import { notifyTeam } from './notify.js';
import { headline, linksFrom, renderSummary } from './report.js';
import { runPhasesOr } from './run-phases.js';

export async function main(): Promise<void> {
  const config = readConfig(new Inputs(core.getInput, registerSecret, DEFAULTS));
  // A dry run asks nothing of GitHub; its phases are the inputs'.
  if (config.runPhases && config.token && !config.dryRun) config.phases = await runPhasesOr(config.token, config.phases);
  const links = linksFrom(process.env, config.environment);
  const notes: string[] = [];
  core.info(`Release ${headline(config)}${config.reason ? `: ${config.reason}` : ''}`);
  // The message: one per release, in the receiver's format. Failing to send it is a warning.
  const notified = await notifyTeam(config, links, notes);

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
