// @ts-check
// The `pre` step of `npm test` and `npm run demo`: installs whatever is missing so that either
// works as the first command on a fresh clone. Plain node with no dependencies, since it runs
// before any are installed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');

/** @param {string} command @param {string[]} args */
function run(command, args) {
  console.log(`ensure: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`ensure: ${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}

function ensureNode() {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    console.error(`ensure: Node.js 20.19 or newer is needed (vitest and vite); this is ${process.version}`);
    process.exit(1);
  }
}

/** npm ci when node_modules is missing or was installed from another package-lock.json. */
function ensureNpmPackages() {
  const lock = join(root, 'package-lock.json');
  const stamp = join(root, 'node_modules', '.deploy-actions-lock');
  const hash = createHash('sha256').update(readFileSync(lock)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return;
  run('npm', ['ci', '--no-audit', '--no-fund']);
  writeFileSync(stamp, hash);
}

ensureNode();
ensureNpmPackages();
