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

/** Sets step outputs with every registered secret redacted. */
export function setOutputs(outputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, redactSecrets(value));
}
