// @ts-check
// Bundles every action (and the local runner) with ncc: dist/<name>/index.js, minified, with licenses.
// TypeScript compiles actions/ and packages/ once (tsconfig.build.json, which fails on any type
// error), and ncc bundles the JavaScript it wrote. Handed the .ts entries, ncc type-checked the
// whole program again for each of the nine bundles: 20 s a bundle here, against 4 s from .js.
// Usage: node scripts/build.mjs [--out DIR] [name ...]
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { listBundles, ROOT } from './actions.mjs';

const run = promisify(execFile);
const NCC = join(ROOT, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

// The compiled folder has one fixed path: the bundles name their modules by it, and a
// per-build name would change their bytes. It sits in the root, so the compiled files
// resolve the packages the sources do; not under node_modules, where ncc's license
// collector takes the packages they import for part of this one and leaves them out.
const EMITTED = join(ROOT, '.build');
const LOCK = join(ROOT, 'node_modules', '.cache', 'deploy-actions-build.lock');

/**
 * Holds the compiled folder for this process: waits (at most ten minutes, a floor of 200 ms
 * a look) while another live build holds it, and takes it over from a build that died.
 */
async function lockEmitted() {
  mkdirSync(dirname(LOCK), { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      return () => {
        rmSync(LOCK, { recursive: true, force: true });
      };
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EEXIST') throw error;
    }
    if (!holderAlive()) {
      rmSync(LOCK, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`another build has held ${LOCK} for ten minutes`);
    await new Promise((done) => setTimeout(done, 200 + Math.random() * 300));
  }
}

function holderAlive() {
  let pid;
  try {
    pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
  } catch {
    // Being written, or its writer died between the two calls: a few seconds tell which.
    try {
      return Date.now() - statSync(LOCK).mtimeMs < 10_000;
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs a Node.js tool script from the root; a failure carries what it printed.
 * @param {string} what
 * @param {string[]} args
 */
async function runTool(what, args) {
  await run(process.execPath, args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }).catch((/** @type {unknown} */ error) => {
    const failure = /** @type {{ stdout?: string, stderr?: string, message?: string }} */ (error);
    throw new Error(`${what} failed:\n${failure.stdout ?? ''}${failure.stderr ?? failure.message ?? ''}`);
  });
}

/** Compiles the sources afresh into EMITTED. */
async function compile() {
  rmSync(EMITTED, { recursive: true, force: true });
  await runTool('tsc', [TSC, '-p', 'tsconfig.build.json', '--outDir', EMITTED]);
}

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
  const unlock = await lockEmitted();
  const started = Date.now();
  try {
    await compile();
    log(`compiled the sources in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    // Two at a time: ncc is single-threaded and the machines here have two cores.
    const queue = [...bundles];
    const worker = async () => {
      for (let bundle = queue.shift(); bundle; bundle = queue.shift()) {
        const target = join(outDir, bundle.name);
        rmSync(target, { recursive: true, force: true });
        const started = Date.now();
        const entry = join(EMITTED, bundle.entry.replace(/\.ts$/, '.js'));
        await runTool(`ncc for ${bundle.name}`, [
          NCC,
          'build',
          entry,
          '-o',
          target,
          '--minify',
          '--license',
          'licenses.txt',
          '--quiet',
        ]);
        log(`built ${bundle.name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
    };
    await Promise.all([worker(), worker()]);
  } finally {
    rmSync(EMITTED, { recursive: true, force: true });
    unlock();
  }
  return bundles;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  const outDir = outAt >= 0 ? resolve(args[outAt + 1] ?? 'dist') : join(ROOT, 'dist');
  const names = args.filter((_, index) => outAt < 0 || (index !== outAt && index !== outAt + 1));
  await build(outDir, names);
}
