// @ts-check
// The release of the library, run by .github/workflows/release.yml (and testable on its own):
//   verify <vX.Y.Z>   the version is new and higher than every release, its CHANGELOG
//                     section exists, and CI passed for the commit (GitHub's API). Read-only.
//   publish <vX.Y.Z>  the same checks again, then: a release commit whose workflows call the
//                     actions at vX.Y.Z (so a caller pinning a workflow by tag or SHA runs
//                     that commit's actions, not the moving major tag's), the vX.Y.Z tag on
//                     it (never moved: an existing one is refused), the GitHub release with
//                     the CHANGELOG section as notes, and last the major tag vX moved to it,
//                     forward only and with a lease on where it was.
// Environment: GITHUB_REPOSITORY, GITHUB_SHA, GITHUB_API_URL, GITHUB_TOKEN (publish, and
// verify's CI check), in a clone whose `origin` may be pushed to (publish).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const VERSION = /^v(0|[1-9]\d{0,3})\.(0|[1-9]\d{0,3})\.(0|[1-9]\d{0,3})$/;
const CI_WORKFLOW = 'ci.yml';
const BOT = ['-c', 'user.name=github-actions[bot]', '-c', 'user.email=41898282+github-actions[bot]@users.noreply.github.com'];

/** @param {string} text @returns {[number, number, number] | undefined} */
export function parseVersion(text) {
  const match = VERSION.exec(text);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/** @param {[number, number, number]} a @param {[number, number, number]} b */
export const compareVersions = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/**
 * The notes of one version: its `## [X.Y.Z]` section of a Keep a Changelog file, without
 * the heading; undefined when there is none or it is empty.
 * @param {string} changelog @param {string} version vX.Y.Z
 */
export function changelogSection(changelog, version) {
  const lines = changelog.split('\n');
  const heading = `## [${version.slice(1)}]`;
  const start = lines.findIndex((line) => line === heading || line.startsWith(`${heading} `));
  if (start < 0) return undefined;
  const end = lines.findIndex((line, index) => index > start && /^## /.test(line));
  const body = lines
    .slice(start + 1, end < 0 ? undefined : end)
    .join('\n')
    .trim();
  return body === '' ? undefined : body;
}

/**
 * The workflows' calls of this repository's actions and workflows at the major tag, pinned
 * to the exact version: `<repository>/<path>@v1` becomes `<repository>/<path>@v1.2.3`.
 * @param {string} text @param {string} repository owner/name @param {string} version vX.Y.Z
 */
export function pinUses(text, repository, version) {
  const major = version.split('.')[0] ?? '';
  const escaped = repository.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`(uses:\\s*${escaped}/[^@\\s]+)@${major}(?=\\s|$)`, 'gm'), `$1@${version}`);
}

/** @param {string[]} args @param {string} [cwd] */
const git = (args, cwd = process.cwd()) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

/** Every vX.Y.Z tag of origin, with the commit it names. @returns {Map<string, string>} */
function remoteTags() {
  /** @type {Map<string, string>} */
  const tags = new Map();
  for (const line of git(['ls-remote', '--tags', 'origin']).split('\n')) {
    const [sha = '', ref = ''] = line.split('\t');
    const name = ref.replace(/^refs\/tags\//, '').replace(/\^\{\}$/, '');
    // An annotated tag is listed twice; the peeled line (^{}) names the commit.
    if (name && (ref.endsWith('^{}') || !tags.has(name))) tags.set(name, sha);
  }
  return tags;
}

/** @param {string} path */
async function api(path, init = {}) {
  const base = process.env.GITHUB_API_URL ?? 'https://api.github.com';
  const token = process.env.GITHUB_TOKEN ?? '';
  const url = new URL(`${base}${path}`);
  if (url.protocol !== 'https:' && url.hostname !== '127.0.0.1') throw new Error(`release: ${base} is not https`);
  const response = await fetch(url, {
    ...init,
    headers: { accept: 'application/vnd.github+json', authorization: `Bearer ${token}`, 'x-github-api-version': '2022-11-28' },
    signal: AbortSignal.timeout(30_000),
  });
  /** @type {unknown} */
  const parsed = await response.json().catch(() => ({}));
  const body = /** @type {Record<string, unknown>} */ (parsed && typeof parsed === 'object' ? parsed : {});
  const message = typeof body.message === 'string' ? body.message : '';
  if (!response.ok) throw new Error(`release: GitHub answered ${response.status} to ${path}: ${message}`);
  return body;
}

/**
 * What must hold before anything is tagged: a well-formed version higher than every
 * released one, a CHANGELOG section, and a green CI run of ci.yml for the commit.
 * @param {string} version
 */
export async function verify(version) {
  const parsed = parseVersion(version);
  if (!parsed) throw new Error(`release: the version must be vMAJOR.MINOR.PATCH (e.g. v1.2.3); got "${version}"`);
  const notes = changelogSection(readFileSync('CHANGELOG.md', 'utf8'), version);
  if (notes === undefined) throw new Error(`release: CHANGELOG.md has no section ## [${version.slice(1)}] with entries`);
  const released = [...remoteTags().keys()].map((name) => ({ name, version: parseVersion(name) })).filter((tag) => tag.version);
  const higher = released.find((tag) => tag.version && compareVersions(tag.version, parsed) >= 0);
  if (higher) throw new Error(`release: ${version} is not higher than the released ${higher.name}; a tag never moves back`);
  const sha = process.env.GITHUB_SHA ?? git(['rev-parse', 'HEAD']);
  const repository = process.env.GITHUB_REPOSITORY ?? '';
  const runs = await api(`/repos/${repository}/actions/workflows/${CI_WORKFLOW}/runs?head_sha=${sha}&status=success&per_page=1`);
  if (Number(runs.total_count ?? 0) < 1) throw new Error(`release: no successful ${CI_WORKFLOW} run for ${sha}; not released`);
  return { parsed, notes, sha, repository };
}

/** @param {string} version */
export async function publish(version) {
  const { notes, sha, repository } = await verify(version);
  const major = version.split('.')[0] ?? '';
  // The release commit: the workflows call this exact version of the actions.
  git(['checkout', '--quiet', '--detach', sha]);
  const folder = join('.github', 'workflows');
  for (const file of readdirSync(folder).filter((name) => /\.ya?ml$/.test(name))) {
    const path = join(folder, file);
    const text = readFileSync(path, 'utf8');
    const pinned = pinUses(text, repository, version);
    if (pinned !== text) writeFileSync(path, pinned);
  }
  git([...BOT, 'commit', '--quiet', '--allow-empty', '-am', `Release ${version}: the workflows call the actions at ${version}`]);
  const commit = git(['rev-parse', 'HEAD']);
  // The release commit is the commit CI passed plus the pins, nothing else.
  const changed = git(['diff', '--name-only', sha, commit]).split('\n').filter(Boolean);
  const stray = changed.find((path) => !path.startsWith('.github/workflows/'));
  if (stray !== undefined) throw new Error(`release: the release commit would change ${stray}; only the workflows' pins may`);
  // Created, never moved: a push of an existing tag is refused by git itself.
  git(['push', '--quiet', 'origin', `${commit}:refs/tags/${version}`]);
  await api(`/repos/${repository}/releases`, {
    method: 'POST',
    body: JSON.stringify({ tag_name: version, name: version, body: notes, draft: false, prerelease: false, make_latest: 'true' }),
  });
  // The major and minor tags (v1, v1.2), which no release holds, so they stay movable as
  // GitHub's guidance for immutable releases has it: forward only (the version is higher than
  // every release), each over exactly the commit it named when this run looked.
  const minor = version.split('.').slice(0, 2).join('.');
  const before = remoteTags();
  for (const moving of [minor, major]) {
    git([
      'push',
      '--quiet',
      `--force-with-lease=refs/tags/${moving}:${before.get(moving) ?? ''}`,
      'origin',
      `${commit}:refs/tags/${moving}`,
    ]);
  }
  return { commit, major };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [command = '', version = ''] = process.argv.slice(2);
  try {
    if (command === 'verify') {
      const { sha } = await verify(version);
      console.log(`release: ${version} may be released from ${sha}`);
    } else if (command === 'publish') {
      const { commit, major } = await publish(version);
      console.log(`release: ${version} released at ${commit}; ${major} moved to it`);
    } else {
      throw new Error('release: usage: node scripts/release.mjs verify|publish vX.Y.Z');
    }
  } catch (error) {
    console.error(/** @type {Error} */ (error).message.split('\n')[0]);
    process.exitCode = 1;
  }
}
