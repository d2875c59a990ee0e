// @ts-check
// Where the library's actions and bundles are: one source of truth for build, catalog and check.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Root folders holding an action.yml, sorted. */
export function listActions(root = ROOT) {
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, 'action.yml')))
    .map((entry) => entry.name)
    .sort();
}

/**
 * @typedef {{ description?: string, required?: boolean, default?: string | number | boolean }} ActionInput
 * @typedef {{ description?: string }} ActionOutput
 * @typedef {{ name?: string, description?: string, inputs?: Record<string, ActionInput>,
 *   outputs?: Record<string, ActionOutput>, runs?: { using?: string, main?: string, post?: string } }} ActionSpec
 */

/** @param {string} name @returns {ActionSpec} */
export function readActionYaml(name, root = ROOT) {
  /** @type {unknown} */
  const spec = parse(readFileSync(join(root, name, 'action.yml'), 'utf8'));
  return /** @type {ActionSpec} */ (spec);
}

/** Each bundle: its entry source and its folder under dist/. */
export function listBundles(root = ROOT) {
  return [
    ...listActions(root).map((name) => ({ name, entry: `actions/${name}/index.ts` })),
    { name: 'cli', entry: 'packages/runner/cli.ts' },
  ];
}

/** Every workflow file: the library's own (.github/workflows) and the examples' callers. */
export function workflowFiles(root = ROOT) {
  /** @param {string} dir @returns {string[]} */
  const under = (dir) =>
    existsSync(dir)
      ? readdirSync(dir, { withFileTypes: true, recursive: true })
          .filter(
            (entry) => entry.isFile() && /\.ya?ml$/.test(entry.name) && /[/\\]\.github[/\\]workflows$/.test(entry.parentPath),
          )
          .map((entry) => join(entry.parentPath, entry.name))
          .sort()
      : [];
  return [...under(join(root, '.github')), ...under(join(root, 'examples'))];
}

/**
 * Every file below a folder, absolute and sorted; none when it does not exist.
 * @param {string} dir
 * @returns {string[]}
 */
export function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}
