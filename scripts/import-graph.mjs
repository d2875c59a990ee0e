// @ts-check
// The import rules `npm run lint` enforces on the library's source (actions/, packages/):
// - no import cycles, static or dynamic;
// - an action never imports another action's folder: what two actions need lives in
//   packages/shared;
// - packages/shared imports neither an action nor the runner.
// TypeScript's own pre-processor finds the imports, so nothing but `typescript` is needed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { ROOT } from './actions.mjs';

const SOURCE_DIRS = ['actions', 'packages'];

/** @param {string} dir @returns {string[]} */
const sources = (dir) =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true, recursive: true })
        .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
        .map((entry) => join(entry.parentPath, entry.name))
    : [];

/**
 * Each source file's relative imports, resolved to files under the root.
 * @param {string} root
 * @returns {Map<string, string[]>}
 */
export function importGraph(root = ROOT) {
  /** @type {Map<string, string[]>} */
  const graph = new Map();
  for (const file of SOURCE_DIRS.flatMap((dir) => sources(join(root, dir)))) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = info.importedFiles
      .map((imported) => imported.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => resolve(dirname(file), name.replace(/\.js$/, '.ts')));
    graph.set(relative(root, file), [...new Set(targets.map((target) => relative(root, target)))]);
  }
  return graph;
}

/** @param {string} file */
const actionOf = (file) => (file.startsWith(`actions${sep}`) ? file.split(sep)[1] : undefined);

/**
 * Every broken rule, one line each.
 * @param {Map<string, string[]>} graph
 * @returns {string[]}
 */
export function importProblems(graph) {
  const problems = [];
  for (const [file, targets] of graph) {
    for (const target of targets) {
      const from = actionOf(file);
      const to = actionOf(target);
      if (from !== undefined && to !== undefined && from !== to) {
        problems.push(`${file} imports ${target}: an action may not import another action; move it to packages/shared`);
      }
      if (file.startsWith(`packages${sep}shared`) && (to !== undefined || target.startsWith(`packages${sep}runner`))) {
        problems.push(`${file} imports ${target}: packages/shared may import only packages/shared`);
      }
    }
  }
  // Cycles: a depth-first walk; a back edge closes a cycle, reported once by its members.
  /** @type {Map<string, 'open' | 'done'>} */
  const state = new Map();
  /** @type {string[]} */
  const stack = [];
  const seen = new Set();
  /** @param {string} file */
  const visit = (file) => {
    state.set(file, 'open');
    stack.push(file);
    for (const target of graph.get(file) ?? []) {
      if (state.get(target) === 'open') {
        const cycle = [...stack.slice(stack.indexOf(target)), target];
        const key = [...cycle].sort().join(' ');
        if (!seen.has(key)) {
          seen.add(key);
          problems.push(`import cycle: ${cycle.join(' -> ')}`);
        }
      } else if (!state.has(target) && graph.has(target)) visit(target);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problems = importProblems(importGraph());
  if (problems.length > 0) {
    console.error(`import rules broken:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`imports: no cycles, no action imports another (${importGraph().size} files)`);
}
