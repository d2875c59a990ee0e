// @ts-check
// Bundles built from the current source, for the tests and for `npm run check`.
// The integration and e2e tests must run what the source builds, not the committed dist/
// (which a broken source line would leave untouched). A build takes ~45 s here, so it is
// kept under node_modules/.cache, keyed by a hash of everything that decides its bytes:
// a changed line anywhere under actions/ or packages/ gives a new key and a new build.
// Usage: node scripts/bundles.mjs   (prints the folder)
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { filesUnder, listActions, ROOT } from './actions.mjs';
import { build } from './build.mjs';

const CACHE = join(ROOT, 'node_modules', '.cache', 'deploy-actions-bundles');
const INPUT_DIRS = ['actions', 'packages'];
const INPUT_FILES = ['package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs', 'scripts/actions.mjs'];
const DONE = '.complete';

/** The hash of every file the bundles are built from, and of the action list and Node version. */
export function sourceHash(root = ROOT) {
  const hash = createHash('sha256');
  hash.update(`${process.version}\n${listActions(root).join(',')}\n`);
  const files = [...INPUT_DIRS.flatMap((dir) => filesUnder(join(root, dir))), ...INPUT_FILES.map((file) => join(root, file))];
  for (const file of files) {
    hash.update(`${relative(root, file)}\n`);
    hash.update(existsSync(file) ? readFileSync(file) : '');
  }
  return hash.digest('hex').slice(0, 20);
}

/**
 * The folder holding `<name>/index.js` for every bundle of the current source; built when
 * missing. Old builds are removed, so the cache holds one or two at most.
 * @param {{ log?: (line: string) => void }} [options]
 * @returns {Promise<string>}
 */
export function ensureBundles(options = {}) {
  // One build per process, however many callers (two vitest projects' global setups) ask.
  const holder = /** @type {{ deployActionsBundles?: Map<string, Promise<string>> }} */ (globalThis);
  /** @type {Map<string, Promise<string>>} */
  const pending = (holder.deployActionsBundles ??= new Map());
  const key = sourceHash();
  let promise = pending.get(key);
  if (!promise) {
    promise = buildOnce(key, options);
    pending.set(key, promise);
  }
  return promise;
}

/**
 * @param {string} key
 * @param {{ log?: (line: string) => void }} options
 * @returns {Promise<string>}
 */
async function buildOnce(key, options) {
  const dir = join(CACHE, key);
  if (existsSync(join(dir, DONE))) return dir;
  const log =
    options.log ??
    ((line) => {
      console.log(line);
    });
  log(`bundles: building the current source into ${relative(ROOT, dir)}`);
  mkdirSync(CACHE, { recursive: true });
  for (const old of readdirSync(CACHE)) if (old !== key) rmSync(join(CACHE, old), { recursive: true, force: true });
  // Built aside and renamed, so a build cut short never passes for a complete one.
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  await build(partial, [], log);
  writeFileSync(join(partial, DONE), key);
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return dir;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(
    await ensureBundles({
      log: (line) => {
        console.error(line);
      },
    }),
  );
}
