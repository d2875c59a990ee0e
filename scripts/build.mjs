// @ts-check
// Bundles every action (and the local runner) with ncc: dist/<name>/index.js, minified, with licenses.
// Usage: node scripts/build.mjs [--out DIR] [name ...]
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { listBundles, ROOT } from './actions.mjs';

const run = promisify(execFile);
const NCC = join(ROOT, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');

/**
 * @param {string} outDir
 * @param {string[]} only
 * @param {(line: string) => void} [log]
 */
export async function build(
  outDir,
  only = [],
  log = (line) => {
    console.log(line);
  },
) {
  const bundles = listBundles().filter((bundle) => only.length === 0 || only.includes(bundle.name));
  mkdirSync(outDir, { recursive: true });
  // Two at a time: ncc is single-threaded and the machines here have two cores.
  const queue = [...bundles];
  const worker = async () => {
    for (let bundle = queue.shift(); bundle; bundle = queue.shift()) {
      const target = join(outDir, bundle.name);
      rmSync(target, { recursive: true, force: true });
      const started = Date.now();
      await run(
        process.execPath,
        [NCC, 'build', bundle.entry, '-o', target, '--minify', '--license', 'licenses.txt', '--quiet'],
        {
          cwd: ROOT,
          maxBuffer: 64 * 1024 * 1024,
        },
      ).catch((/** @type {unknown} */ error) => {
        const failure = /** @type {{ stdout?: string, stderr?: string, message?: string }} */ (error);
        throw new Error(`ncc failed for ${bundle.name}:\n${failure.stdout ?? ''}${failure.stderr ?? failure.message ?? ''}`);
      });
      log(`built ${bundle.name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  };
  await Promise.all([worker(), worker()]);
  return bundles;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  const outDir = outAt >= 0 ? resolve(args[outAt + 1] ?? 'dist') : join(ROOT, 'dist');
  const names = args.filter((_, index) => outAt < 0 || (index !== outAt && index !== outAt + 1));
  await build(outDir, names);
}
