// @ts-check
// Adopts the library under your own organisation: `org` in `org/deploy-actions` is a
// placeholder in every workflow (`uses: org/deploy-actions/<action>@v1`), the sample's
// callers, the READMEs, the catalog, the tests' act set-up and CODEOWNERS' teams. This
// rewrites each tracked text file of the git repository it runs in, and nothing else.
// Usage: node scripts/adopt.mjs <owner>/<repository> [--dry-run]
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PLACEHOLDER = 'org/deploy-actions';
// GitHub's rules: an owner is 1-39 letters, digits and single hyphens; a repository name is
// letters, digits, `-`, `_` and `.`, not `.` or `..`.
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const NAME = /^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,100}$/;

/**
 * The files to rewrite and their new text, nothing written.
 * @param {string} root a git work tree
 * @param {string} target owner/repository
 * @returns {{ path: string, text: string, count: number }[]}
 */
export function adoptionPlan(root, target) {
  const [owner = '', name = '', ...rest] = target.split('/');
  if (rest.length > 0 || !OWNER.test(owner) || !NAME.test(name)) {
    throw new Error(`adopt: the target must be <owner>/<repository> as GitHub allows them; got "${target}"`);
  }
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  /** @type {{ path: string, text: string, count: number }[]} */
  const plan = [];
  for (const path of files) {
    // The bundles and the lock file hold no reference; binary files are not ours to edit.
    if (path.startsWith('dist/') || path.startsWith('node_modules/') || path === 'package-lock.json') continue;
    const bytes = readFileSync(join(root, path));
    if (bytes.includes(0)) continue;
    const text = bytes.toString('utf8');
    let count = 0;
    let next = text;
    // CODEOWNERS names teams of the placeholder organisation (@org/<team>): first, so a team
    // named deploy-actions-* keeps its name under the new owner.
    if (path.endsWith('CODEOWNERS')) {
      next = next.replaceAll(/(^|\s)@org\//gm, (_match, space) => {
        count += 1;
        return `${space}@${owner}/`;
      });
    }
    next = next.replaceAll(PLACEHOLDER, () => {
      count += 1;
      return `${owner}/${name}`;
    });
    if (count > 0) plan.push({ path, text: next, count });
  }
  return plan;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const dryRun = args.includes('--dry-run');
  const target = args.find((arg) => arg !== '--dry-run') ?? '';
  try {
    const plan = adoptionPlan(process.cwd(), target);
    for (const { path, text, count } of plan) {
      if (!dryRun) writeFileSync(join(process.cwd(), path), text);
      console.log(`${dryRun ? 'would rewrite' : 'rewrote'} ${path} (${count})`);
    }
    console.log(`adopt: ${plan.length} files ${dryRun ? 'to rewrite' : 'rewritten'} for ${target}; then run npm run build`);
  } catch (error) {
    console.error(/** @type {Error} */ (error).message);
    process.exitCode = 1;
  }
}
