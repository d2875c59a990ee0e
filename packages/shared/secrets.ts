import * as core from '@actions/core';

const secrets = new Set<string>();

/**
 * Masks a secret in the runner's log and remembers it, so that the job summary and
 * step outputs (which the log masking does not cover) can be redacted too.
 */
export function registerSecret(value: string): void {
  if (value === '') return;
  secrets.add(value);
  core.setSecret(value);
}

export function redactSecrets(text: string): string {
  let shown = text;
  // Longest first, so a secret containing another is replaced whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) shown = shown.replaceAll(secret, '***');
  return shown;
}

/**
 * A short excerpt for an error, reason or report: every registered secret is redacted
 * first and the text cut after, so a cut can never leave part of a secret (which the
 * runner, masking whole values only, would then print).
 */
export function excerpt(text: string, max = 200): string {
  const shown = redactSecrets(text).replace(/\s+/g, ' ').trim();
  return shown.length > max ? `${shown.slice(0, max - 3)}...` : shown;
}

/** Sets step outputs with every registered secret redacted. */
export function setOutputs(outputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, redactSecrets(value));
}
