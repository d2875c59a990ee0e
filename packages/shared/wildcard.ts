import { matchTokens, type Token } from './glob.js';

/**
 * Whether `text` matches `pattern`, where `*` is any run of characters (none included) and
 * everything else is literal: glob.ts's one-backtrack-point matcher, so never exponential.
 * A regular expression built from the pattern backtracks instead: `*-*-*-*-*-*-x` against
 * one 128-character tag took 100 s.
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  const tokens = pattern.split('').map((char): Token => (char === '*' ? { kind: 'star' } : { kind: 'char', char }));
  return matchTokens(tokens, text);
}
