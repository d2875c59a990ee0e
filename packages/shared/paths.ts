import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { InputError } from './errors.js';
import { runnerTemp } from './temp.js';

/** GITHUB_WORKSPACE, where the checkout is; the current folder outside a runner. */
export function workspaceDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.GITHUB_WORKSPACE || process.cwd();
}

/** Whether `path` is `root` or inside it (both absolute). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The real path of `path`, or of its nearest existing parent with the rest appended. */
function realPathOf(path: string): string {
  let existing = path;
  const rest: string[] = [];
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    rest.unshift(relative(parent, existing));
    existing = parent;
  }
  return resolve(realpathSync(existing), ...rest);
}

export interface PathRule {
  /** The folders the path must stay in; default GITHUB_WORKSPACE and RUNNER_TEMP. */
  roots?: readonly string[];
  /** Relative paths resolve against this; default the first root. */
  base?: string;
  mustExist?: boolean;
}

/**
 * An input path, resolved and confined: it must lie inside one of the roots, both as
 * written and once every symlink on the way is followed, so neither `../..`, an absolute
 * path, nor a link planted in the checkout can lead a write (or a copy to a VM) elsewhere.
 */
export function confinedPath(input: string, value: string, rule: PathRule = {}): string {
  const roots = (rule.roots ?? [workspaceDir(), runnerTemp()]).map((root) => resolve(root));
  const base = rule.base ?? roots[0] ?? process.cwd();
  const path = resolve(base, value);
  const where = rule.roots === undefined ? 'the workspace (GITHUB_WORKSPACE) or RUNNER_TEMP' : roots.join(' or ');
  if (!roots.some((root) => isInside(root, path))) {
    throw new InputError(input, `must be a path inside ${where}; got "${value}"`);
  }
  const real = realPathOf(path);
  if (!roots.some((root) => isInside(realPathOf(root), real))) {
    throw new InputError(input, `must not lead outside ${where} through a symbolic link; got "${value}"`);
  }
  if (rule.mustExist && !existsSync(path)) throw new InputError(input, `names ${value}, which does not exist`);
  return path;
}
