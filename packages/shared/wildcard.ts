/**
 * Whether `text` matches `pattern`, where `*` is any run of characters and everything else
 * is literal. Iterative, with one backtrack point (the last `*`): O(pattern × text) at
 * worst, never exponential. A regular expression built from the pattern backtracks instead:
 * `*-*-*-*-*-*-x` against one 128-character tag took 100 s.
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === text[t]) {
      p += 1;
      t += 1;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p;
      resume = t;
      p += 1;
    } else if (star >= 0) {
      // Let the last `*` take one more character, and try again after it.
      p = star + 1;
      resume += 1;
      t = resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p += 1;
  return p === pattern.length;
}
