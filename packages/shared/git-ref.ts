import { InputError } from './errors.js';
import { hasControlCharacter } from './inputs.js';

/** A full commit SHA: 40 hex digits (SHA-1), or 64 (SHA-256 repositories). */
export const isFullSha = (text: string): boolean => /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(text);

/**
 * A ref name by `git check-ref-format --allow-onelevel`, and not starting with `-`, so it
 * can never be read as an option: no `..`, no `@{`, no control characters, space, `~ ^ : ? * [ \`,
 * no component starting with `.` or ending with `.lock`, no leading, trailing or double `/`,
 * no trailing `.`, and not `@` alone.
 */
export function isRefName(name: string): boolean {
  if (name === '' || name === '@' || name.startsWith('-') || name.length > 255) return false;
  if (hasControlCharacter(name) || /[ ~^:?*[\\]/.test(name)) return false;
  if (name.includes('..') || name.includes('@{') || name.includes('//')) return false;
  if (name.startsWith('/') || name.endsWith('/') || name.endsWith('.')) return false;
  return name.split('/').every((part) => !part.startsWith('.') && !part.endsWith('.lock'));
}

/** A branch input: a ref name (see isRefName). */
export function checkBranch(input: string, value: string): string {
  if (!isRefName(value)) {
    throw new InputError(input, `must be a branch name (git check-ref-format, not starting with "-"); got "${value}"`);
  }
  return value;
}

/** A commit input: a 7 to 64 digit hex SHA, or a ref name such as a branch or tag. */
export function checkCommitish(input: string, value: string): string {
  if (/^[0-9a-f]{7,64}$/.test(value) || isRefName(value)) return value;
  throw new InputError(input, `must be a commit SHA or a branch or tag name (not starting with "-"); got "${value}"`);
}
