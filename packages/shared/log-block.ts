import * as core from '@actions/core';
import { randomUUID } from 'node:crypto';
import { redactSecrets } from './secrets.js';

/**
 * Prints text that others wrote (a summary holding user values, a tool's output) in a
 * collapsed group, between `::stop-commands::` and its random end token, so that no line of
 * it can issue a workflow command (`::add-mask::`, `::set-output::`, `::error::`).
 * Registered secrets are redacted first.
 */
export function logBlock(title: string, text: string): void {
  const token = `deploy-actions-${randomUUID()}`;
  core.startGroup(title);
  core.info(`::stop-commands::${token}`);
  core.info(redactSecrets(text));
  core.info(`::${token}::`);
  core.endGroup();
}
