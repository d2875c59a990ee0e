/**
 * Path globs that match in time linear in the path for a given pattern, for every pattern a
 * user gives (build-matrix's `watch` and `shared`, gitops-bump's `files`). picomatch, like
 * every glob library that compiles to a regular expression, backtracks: `*a*a*a*a*a*a*a*b`
 * against 60 `a`s took 16 s. Here a pattern is split into path segments; a `**` segment
 * matches any number of whole segments (an NFA over segment positions), and every other
 * segment is matched by the iterative one-backtrack-point wildcard algorithm, in
 * O(segment pattern × segment). So a test costs O(pattern × path) at worst.
 *
 * Syntax, as picomatch with `dot: true` for what the two share: `*` (any run within a
 * segment, dotfiles included), `?` (one character), `[abc]`, `[a-z]`, `[!a]`/`[^a]`, `{a,b}`
 * and `{1..9}` (expanded first, nested, at most 256 alternatives), `@(a|b)` (as `{a,b}`),
 * `\` escapes, a leading `./`. A `**` segment matches zero or more segments, so `a/**`
 * matches `a` itself and `**\/*.md` matches `README.md`. Other extglobs are refused.
 */

const MAX_ALTERNATIVES = 256;
const MAX_PATTERN = 1024;

export type Token =
  { kind: 'char'; char: string } | { kind: 'any' } | { kind: 'star' } | { kind: 'class'; test: (c: string) => boolean };
/** A segment's tokens, or `globstar` for a whole `**` segment. */
type Segment = Token[] | 'globstar';

/** Why the pattern cannot be used, or undefined. */
export function globProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return 'is empty';
  if (pattern.length > MAX_PATTERN) return `is longer than ${MAX_PATTERN} characters`;
  if (/(?:^|[^\\])[+*?!]\(/.test(pattern)) return 'uses an extglob (+(…), *(…), ?(…), !(…)); use {a,b} instead';
  try {
    alternativesOf(pattern);
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}

/** One glob's test. Throws on a pattern globProblem refuses. */
export function compileGlob(pattern: string): (path: string) => boolean {
  const problem = globProblem(pattern);
  if (problem !== undefined) throw new Error(`glob ${JSON.stringify(pattern)} ${problem}`);
  const alternatives = alternativesOf(pattern).map((alternative) => parseSegments(alternative.replace(/^(?:\.\/)+/, '')));
  return (path) => {
    const segments = path.split('/');
    return alternatives.some((pattern) => matchSegments(pattern, segments));
  };
}

/**
 * A list of globs read in order, as `.gitignore` reads them: a path is selected when the last
 * pattern that matches it is a plain one, and a `!pattern` excludes what the patterns before
 * it selected. So `["libs/**", "!libs/legacy/**"]` selects `libs/a.ts` only, never
 * `backend/b.ts` (picomatch's list would: `!libs/legacy/**` matches every path outside).
 */
export function globList(patterns: readonly string[]): (path: string) => boolean {
  const rules = patterns.map((pattern) => {
    const exclude = pattern.startsWith('!');
    return { exclude, test: compileGlob(exclude ? pattern.slice(1) : pattern) };
  });
  return (path) => {
    for (let index = rules.length - 1; index >= 0; index--) {
      const rule = rules[index];
      if (rule?.test(path)) return !rule.exclude;
    }
    return false;
  };
}

/** The literal folder a pattern starts with (`libs/ui` for `libs/ui/**`), '' when none. */
export function globBase(pattern: string): string {
  const segments = pattern.replace(/^(?:\.\/)+/, '').split('/');
  const literal: string[] = [];
  // The last segment is the file part: a base is made of folders only.
  for (const segment of segments.slice(0, -1)) {
    if (/[*?[\]{}()\\!@+]/.test(segment)) break;
    literal.push(segment);
  }
  return literal.join('/');
}

/** The pattern without braces: `@(a|b)` is `{a,b}`, and both are expanded. */
const alternativesOf = (pattern: string): string[] =>
  expandBraces(pattern.replace(/@\(([^()]*)\)/g, (_, body: string) => `{${body.split('|').join(',')}}`));

/** `{a,b}` and `{1..3}` alternatives, nested, expanded; at most MAX_ALTERNATIVES. */
function expandBraces(pattern: string): string[] {
  const open = findUnescaped(pattern, '{', 0);
  if (open < 0) return [pattern];
  // The matching close brace, and the top-level commas between.
  let depth = 0;
  const commas: number[] = [];
  let close = -1;
  for (let index = open; index < pattern.length; index++) {
    const char = pattern[index];
    if (char === '\\') {
      index += 1;
      continue;
    }
    if (char === '{') depth += 1;
    else if (char === '}') {
      depth -= 1;
      if (depth === 0) {
        close = index;
        break;
      }
    } else if (char === ',' && depth === 1) commas.push(index);
  }
  if (close < 0) throw new Error(`has a "{" at ${open + 1} that is never closed`);
  const head = pattern.slice(0, open);
  const body = pattern.slice(open + 1, close);
  const rest = expandBraces(pattern.slice(close + 1));
  let choices: string[];
  const range = /^(-?\d{1,6})\.\.(-?\d{1,6})$/.exec(body);
  if (commas.length > 0) {
    const bounds = [open, ...commas, close];
    choices = bounds.slice(0, -1).flatMap((start, index) => expandBraces(pattern.slice(start + 1, bounds[index + 1])));
  } else if (range) {
    const [from, to] = [Number(range[1]), Number(range[2])];
    const count = Math.abs(to - from) + 1;
    if (count > MAX_ALTERNATIVES) throw new Error(`expands to more than ${MAX_ALTERNATIVES} alternatives`);
    choices = Array.from({ length: count }, (_, index) => String(from + (to >= from ? index : -index)));
  } else {
    // `{x}` with no comma or range is literal, as in picomatch and bash.
    choices = expandBraces(body).map((choice) => `\\{${choice}\\}`);
  }
  if (choices.length * rest.length > MAX_ALTERNATIVES) throw new Error(`expands to more than ${MAX_ALTERNATIVES} alternatives`);
  return choices.flatMap((choice) => rest.map((tail) => `${head}${choice}${tail}`));
}

function findUnescaped(text: string, char: string, from: number): number {
  for (let index = from; index < text.length; index++) {
    if (text[index] === '\\') index += 1;
    else if (text[index] === char) return index;
  }
  return -1;
}

/** The parsed patterns that hold a `**` segment. */
const globstars = new WeakSet<Segment[]>();

function parseSegments(pattern: string): Segment[] {
  const segments: Segment[] = [];
  let current: Token[] = [];
  let raw = '';
  const finish = () => {
    segments.push(raw === '**' ? 'globstar' : current);
    current = [];
    raw = '';
  };
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index] ?? '';
    if (char === '/') {
      finish();
      continue;
    }
    raw += char;
    if (char === '\\' && index + 1 < pattern.length) {
      index += 1;
      raw += pattern[index] ?? '';
      current.push({ kind: 'char', char: pattern[index] ?? '' });
    } else if (char === '*') {
      // `**` inside a segment (`a**b`) is a `*`; consecutive stars are one.
      if (current.at(-1)?.kind !== 'star') current.push({ kind: 'star' });
    } else if (char === '?') current.push({ kind: 'any' });
    else if (char === '[') {
      const parsed = parseClass(pattern, index);
      if (parsed) {
        current.push({ kind: 'class', test: parsed.test });
        raw += pattern.slice(index + 1, parsed.end + 1);
        index = parsed.end;
      } else current.push({ kind: 'char', char });
    } else current.push({ kind: 'char', char });
  }
  finish();
  if (segments.includes('globstar')) globstars.add(segments);
  return segments;
}

/** `[...]` at `start`: its test and the index of its `]`, or undefined when it is not a class. */
function parseClass(pattern: string, start: number): { test: (c: string) => boolean; end: number } | undefined {
  let index = start + 1;
  const negated = pattern[index] === '!' || pattern[index] === '^';
  if (negated) index += 1;
  const ranges: [string, string][] = [];
  // A `]` right after `[` or `[!` is a member, as in POSIX.
  for (let first = true; index < pattern.length; first = false) {
    let char = pattern[index] ?? '';
    if (char === ']' && !first) {
      return {
        end: index,
        test: (c) => c !== '/' && ranges.some(([low, high]) => c >= low && c <= high) !== negated,
      };
    }
    if (char === '/') return undefined;
    if (char === '\\' && index + 1 < pattern.length) {
      index += 1;
      char = pattern[index] ?? '';
    }
    if (pattern[index + 1] === '-' && index + 2 < pattern.length && pattern[index + 2] !== ']') {
      let high = pattern[index + 2] ?? '';
      let step = 3;
      if (high === '\\' && index + 3 < pattern.length) {
        high = pattern[index + 3] ?? '';
        step = 4;
      }
      ranges.push([char, high]);
      index += step;
    } else {
      ranges.push([char, char]);
      index += 1;
    }
  }
  return undefined;
}

/**
 * Whether the path's segments match: the set of pattern positions reachable after each path
 * segment (a `**` stays where it is or steps past itself), so each pair is tried once.
 */
function matchSegments(pattern: Segment[], path: string[]): boolean {
  // Without `**`, segment i matches segment i: no state sets needed (most globs).
  if (!globstars.has(pattern)) {
    if (pattern.length !== path.length) return false;
    return pattern.every((part, index) => matchSegment(part as Token[], path[index] ?? ''));
  }
  const closure = (positions: Set<number>): Set<number> => {
    const queue = [...positions];
    for (let index = 0; index < queue.length; index++) {
      const at = queue[index] ?? 0;
      if (pattern[at] === 'globstar' && !positions.has(at + 1)) {
        positions.add(at + 1);
        queue.push(at + 1);
      }
    }
    return positions;
  };
  let states = closure(new Set([0]));
  for (const segment of path) {
    const next = new Set<number>();
    for (const at of states) {
      const part = pattern[at];
      if (part === undefined) continue;
      if (part === 'globstar') next.add(at);
      else if (matchSegment(part, segment)) next.add(at + 1);
    }
    if (next.size === 0) return false;
    states = closure(next);
  }
  return states.has(pattern.length);
}

/** One segment against its tokens: `*` with one backtrack point, O(tokens × text). */
function matchSegment(tokens: Token[], text: string): boolean {
  // An empty segment (`a//b`, a trailing `/`) is matched only by an empty one: `*` needs a character.
  return text === '' ? tokens.length === 0 : matchTokens(tokens, text);
}

/**
 * Whether `text` matches the tokens, `*` being any run of characters: iterative, with one
 * backtrack point (the last `*`), so O(tokens × text) at worst, never exponential. Shared
 * with the tag patterns of wildcard.ts.
 */
export function matchTokens(tokens: readonly Token[], text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  const one = (token: Token | undefined, char: string): boolean =>
    token !== undefined &&
    (token.kind === 'any' || (token.kind === 'char' && token.char === char) || (token.kind === 'class' && token.test(char)));
  while (t < text.length) {
    const token = tokens[p];
    if (token?.kind === 'star') {
      star = p;
      resume = t;
      p += 1;
    } else if (one(token, text[t] ?? '')) {
      p += 1;
      t += 1;
    } else if (star >= 0) {
      // Let the last `*` take one more character, and try again after it.
      p = star + 1;
      resume += 1;
      t = resume;
    } else return false;
  }
  while (tokens[p]?.kind === 'star') p += 1;
  return p === tokens.length;
}
