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
  // Every line of it: a value with a line break (a JSON string from a remote, say) would
  // otherwise start a new line the runner reads as a command. `\r` counts as a break too.
  return redactSecrets(line).replace(
    /(^|[\r\n])([^\S\r\n]*)(::|##\[)/g,
    (_whole, start: string, blank: string, mark: string) => `${start}${blank}${mark[0] ?? ''}\u200b${mark.slice(1)}`,
  );
}

/** Logs a tool's line (or text that others wrote), inert and redacted. */
export function echoToolLine(line: string): void {
  core.info(inertLine(line));
}
