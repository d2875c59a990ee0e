// @ts-check
// Fails when dist/ or action-catalog.md differ from what a fresh build and catalog produce.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { filesUnder, ROOT } from './actions.mjs';
import { ensureBundles } from './bundles.mjs';
import { renderCatalog } from './catalog.mjs';

/** @param {string} dir @returns {string[]} every file below, relative to it */
const files = (dir) => filesUnder(dir).map((file) => relative(dir, file));

// The build of the current source, shared with the tests (scripts/bundles.mjs): made once
// for a given source, so `.ci/run` builds once for check and test together.
const fresh = await ensureBundles();
const problems = [];
{
  const committed = join(ROOT, 'dist');
  const expected = files(fresh).filter((file) => !file.startsWith('.')); // not the cache's own marker
  const actual = files(committed);
  for (const file of expected) {
    if (!actual.includes(file)) problems.push(`dist/${file} is missing`);
    else if (!readFileSync(join(fresh, file)).equals(readFileSync(join(committed, file)))) {
      problems.push(`dist/${file} differs from a fresh build`);
    }
  }
  for (const file of actual) if (!expected.includes(file)) problems.push(`dist/${file} is not produced by the build`);
  const catalogPath = join(ROOT, 'action-catalog.md');
  if (!existsSync(catalogPath) || readFileSync(catalogPath, 'utf8') !== renderCatalog()) {
    problems.push('action-catalog.md differs from the action.yml files');
  }
}
if (problems.length > 0) {
  console.error(`check failed:\n  ${problems.join('\n  ')}\nRun \`npm run build && npm run catalog\` and commit the result.`);
  process.exit(1);
}
console.log('check passed: dist/ and action-catalog.md match a fresh build');
