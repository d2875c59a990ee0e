import * as core from '@actions/core';
import { redactSecrets } from './secrets.js';

/**
 * One line a tool printed (Helm, a chart's `fail`, docker, git, ssh), made inert for the
 * runner: a line starting with `::` or `##[` (after blanks) is a workflow command, and a
 * third-party chart could otherwise add a mask, stop commands or set an output. A zero-width
 * space after the first character keeps the line readable and breaks the command. Registered
 * secrets are redacted first.
 */
export function inertLine(line: string): string {
  return redactSecrets(line).replace(
    /^(\s*)(::|##\[)/,
    (_whole, blank: string, mark: string) => `${blank}${mark[0] ?? ''}\u200b${mark.slice(1)}`,
  );
}

/** Logs a tool's line, inert and redacted. */
export function echoToolLine(line: string): void {
  core.info(inertLine(line));
}
