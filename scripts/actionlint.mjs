// @ts-check
// Lints every workflow (the library's own and the examples') with rhysd/actionlint, built
// from its module by scripts/tools.mjs (pinned in tools/versions.json). Without Go it cannot
// be built, and the lint fails saying so: a workflow nobody linted is never passed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { ROOT, workflowFiles } from './actions.mjs';
import { actionlintBinary, buildActionlint, hasGo } from './tools.mjs';

const files = workflowFiles().map((file) => relative(ROOT, file));
if (!existsSync(actionlintBinary())) {
  if (!hasGo()) {
    console.error('actionlint: Go is needed to build rhysd/actionlint (scripts/tools.mjs); none is installed');
    process.exit(1);
  }
  buildActionlint((line) => {
    console.error(line);
  });
}
// shellcheck and pyflakes are not used even when installed: the run: steps are checked by
// the workflow rules test, and one result must not depend on what a machine happens to have.
const result = spawnSync(actionlintBinary(), ['-shellcheck=', '-pyflakes=', '-no-color', ...files], {
  cwd: ROOT,
  encoding: 'utf8',
});
if (result.stdout) process.stderr.write(result.stdout);
if (result.stderr) process.stderr.write(result.stderr);
const findings = result.stdout.split('\n').filter((line) => /^\S+:\d+:\d+: /.test(line)).length;
console.log(`actionlint: ${files.length} workflow files, ${findings} findings`);
if (result.status !== 0) process.exitCode = 1;
