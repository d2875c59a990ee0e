// packages/shared/glob.ts against picomatch (dot: true) as the oracle on the syntax the two
// share, then what picomatch gets wrong for our users: backtracking, and negations in a list.
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { compileGlob, globBase, globList, globProblem } from '../../packages/shared/glob.js';

const PATTERNS = [
  '*',
  '**',
  '*.md',
  '**/*.md',
  'a/**',
  'a/**/c',
  'a/**/**/c',
  'a/*/c',
  'a/b*',
  'a/**b',
  'a/?',
  'a/?c',
  'a/[bc]',
  'a/[b-d]x',
  'a/[^b]',
  '{a,b}/*',
  'a/{b,c/{d,e}}',
  'a/{1..3}',
  'a/@(b|c)',
  './a/*',
  'a/',
  '\\*',
  '.github/**',
  'libs/ui/**/*.{ts,tsx}',
  '**/.env*',
  'backend/src/**',
];
const PATHS = [
  'a',
  'a/b',
  'a/c',
  'a/e',
  'a/bx',
  'a/cx',
  'a/ex',
  'a/2',
  'a/7',
  'a/b/c',
  'a/b/d',
  'a/c/d',
  'a/c/e',
  'a/x/b',
  'a/xb',
  'a/.x/c',
  'a/.hidden',
  'b/x',
  'README.md',
  'docs/x.md',
  '.github/workflows/ci.yml',
  '.env',
  'backend/.env.local',
  'backend/src/b.ts',
  'libs/ui/a/b.tsx',
  'libs/ui/c.ts',
  'libs/ui/c.js',
  '*',
  'x',
];

describe('compileGlob', () => {
  it('agrees with picomatch (dot: true) on the syntax they share', () => {
    const disagreements: string[] = [];
    for (const pattern of PATTERNS) {
      const ours = compileGlob(pattern);
      const theirs = picomatch(pattern, { dot: true });
      for (const path of PATHS)
        if (ours(path) !== theirs(path)) disagreements.push(`${pattern} ~ ${path}: picomatch ${theirs(path)}`);
    }
    expect(disagreements).toEqual([]);
  });

  it('reads [!x] as a negated class, as git and bash do', () => {
    expect(compileGlob('a/[!b]')('a/c')).toBe(true);
    expect(compileGlob('a/[!b]')('a/b')).toBe(false);
    expect(compileGlob('a/[]]')('a/]')).toBe(true);
    expect(compileGlob('a/[b')('a/[b')).toBe(true);
  });

  it('matches in linear time where picomatch backtracks (16 s on 60 characters)', () => {
    const cases: [string, string][] = [
      ['*a*a*a*a*a*a*a*b', 'a'.repeat(4000)],
      ['**/*a*a*a*a*a*a*a*b', `${'x/'.repeat(500)}${'a'.repeat(2000)}`],
      [`${'**/'.repeat(40)}z`, 'd/'.repeat(2000)],
      ['*-*-*-*-*-*-*-*-*-*-*-*-x', '-'.repeat(4000)],
    ];
    for (const [pattern, path] of cases) {
      const started = performance.now();
      expect(compileGlob(pattern)(path)).toBe(false);
      expect(performance.now() - started).toBeLessThan(500);
    }
  });

  it('refuses what it does not support, and bounds brace expansion', () => {
    expect(globProblem('a/+(b|c)')).toMatch(/extglob/);
    expect(globProblem('a/!(b)')).toMatch(/extglob/);
    expect(globProblem('a/{b,c')).toMatch(/never closed/);
    expect(globProblem('{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}')).toMatch(/more than 256/);
    expect(globProblem('a/{1..100000}')).toMatch(/more than 256/);
    expect(globProblem('')).toBe('is empty');
    expect(globProblem('a/{b,c}/**')).toBeUndefined();
    expect(() => compileGlob('a/{b')).toThrow(/never closed/);
  });

  it('gives the literal folder a pattern starts with', () => {
    expect(globBase('libs/ui/**')).toBe('libs/ui');
    expect(globBase('./libs/*.ts')).toBe('libs');
    expect(globBase('**/*.md')).toBe('');
    expect(globBase('a/{b,c}/d')).toBe('a');
    expect(globBase('file.ts')).toBe('');
  });
});

describe('globList', () => {
  it('reads a list as .gitignore does: a later ! excludes, a later pattern includes again', () => {
    const watch = globList(['libs/**', '!libs/legacy/**', 'libs/legacy/keep.ts']);
    expect(watch('libs/a.ts')).toBe(true);
    expect(watch('libs/legacy/old.ts')).toBe(false);
    expect(watch('libs/legacy/keep.ts')).toBe(true);
    // picomatch's list selects this: `!libs/legacy/**` matches every path outside.
    expect(picomatch(['libs/**', '!libs/legacy/**'], { dot: true })('backend/src/b.ts')).toBe(true);
    expect(watch('backend/src/b.ts')).toBe(false);
    expect(globList(['!docs/**'])('src/a.ts')).toBe(false);
    expect(globList([])('a')).toBe(false);
  });
});
