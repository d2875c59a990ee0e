// The library's upkeep workflows themselves, under nektos/act. release.yml: the verify job
// (checkout, setup-node 24, npm ci, npm run check, release.mjs verify), then the release job
// bound to the `release` environment (release.mjs publish). dist-on-dependabot.yml: the build
// job on Dependabot's npm pull requests only, and the commit job that pushes what it built to
// the pull request's branch. They run on a MINIATURE of the library
// (test/fixtures/release-library: one action, a one-file build committed under dist/, the same
// `check` that refuses a stale dist/), with the library's own workflows and release.mjs
// copied in: the library's `npm ci` and nine ncc bundles would take minutes per run here.
// REAL: nektos/act, git (the remote over smart HTTP with a token, pushed to as checkout's
// persisted credentials would), npm, Node.js 24 (Node's linux-x64 build from the npm registry,
// in the runner's tool cache where setup-node looks first).
// STAND-INS: GitHub's REST API (ci.yml's runs and the releases endpoint, checked against
// @octokit/openapi), actions/setup-node (test/fixtures/actions: the tool cache, no download),
// actions/upload-artifact and download-artifact (act's artifact server).
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/actions.mjs';
import { RUNNER_NODE, runnerNodeDir } from '../../scripts/runner-node.mjs';
import { actBinary } from '../../scripts/tools.mjs';
import { logOf, resultOf, runWorkflow, type WorkflowRun } from '../support/act.js';
import { requirePart } from '../support/daemons.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github.js';
import { type GitServer, startGitServer } from '../support/git-http.js';

const TOKEN = 'ghs_releaseWorkflowToken000000000000000';
const REPOSITORY = 'org/deploy-actions';
const CHANGELOG = (versions: string[]) =>
  [
    '# Changelog',
    '',
    '## [Unreleased]',
    '',
    ...versions.flatMap((version) => [`## [${version}] - 2026-12-05`, '', `- What ${version} brings.`, '']),
  ].join('\n');
const ready =
  requirePart('nektos/act (built by scripts/tools.mjs)', existsSync(actBinary())) &&
  requirePart(
    `Node.js ${RUNNER_NODE.version} for the runner (scripts/runner-node.mjs)`,
    existsSync(join(runnerNodeDir(), 'bin', 'node')),
  );

describe.skipIf(!ready)('the upkeep workflows under act', () => {
  let server: GitServer;
  let github: FakeGitHub;
  let work: string;
  let cacheDir: string;
  let gitDir: string;
  const id = ['-c', 'user.name=Maintainer', '-c', 'user.email=maintainer@example.invalid'];
  const local = (...args: string[]) => execFileSync('git', args, { cwd: work, encoding: 'utf8' }).trim();
  const remote = (...args: string[]) => execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8' }).trim();
  const tags = () => remote('tag', '--list').split('\n').filter(Boolean).sort();
  /** A commit, pushed to `branch` (asynchronously: the git server answers from this process). */
  const commit = async (files: Record<string, string>, message: string, build = true, branch = 'main'): Promise<string> => {
    for (const [path, text] of Object.entries(files)) writeFileSync(join(work, path), text);
    if (build) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: work });
    local(...id, 'add', '--all');
    local(...id, 'commit', '--quiet', '-m', message);
    await promisify(execFile)('git', ['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`], { cwd: work });
    return local('rev-parse', 'HEAD');
  };
  const release = (version: string): Promise<WorkflowRun> =>
    runWorkflow({
      repo: work,
      workflow: '.github/workflows/release.yml',
      event: { name: 'workflow_dispatch', inputs: { version } },
      repository: REPOSITORY,
      cacheDir,
      env: { GITHUB_API_URL: github.url, GITHUB_RUN_ID: '9300' },
      secrets: { GITHUB_TOKEN: TOKEN },
      timeoutMs: 180_000,
    });
  /** The verify job failed, saying so, and the release job never ran. */
  const refused = (run: WorkflowRun, said: string) => {
    expect(resultOf(run, 'verify')).toBe('failure');
    expect(resultOf(run, 'release')).toBe('skipped');
    expect(logOf(run, 'verify')).toContain(said);
  };

  beforeAll(async () => {
    server = await startGitServer(TOKEN);
    github = await startFakeGitHub('org', 'deploy-actions', TOKEN);
    work = mkdtempSync(join(tmpdir(), 'release-workflow-'));
    cpSync(join(ROOT, 'test', 'fixtures', 'release-library'), work, { recursive: true });
    for (const workflow of ['release.yml', 'dist-on-dependabot.yml']) {
      cpSync(join(ROOT, '.github', 'workflows', workflow), join(work, '.github', 'workflows', workflow));
    }
    cpSync(join(ROOT, 'scripts', 'release.mjs'), join(work, 'scripts', 'release.mjs'));
    writeFileSync(join(work, 'CHANGELOG.md'), CHANGELOG(['1.0.0']));
    gitDir = join(server.root, `${REPOSITORY}.git`);
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', gitDir]);
    local('init', '--quiet', '--initial-branch=main');
    // The job's checkout is this working tree with its .git, as actions/checkout leaves it:
    // origin, and the token as an extra header (persist-credentials).
    local('remote', 'add', 'origin', server.url(`${REPOSITORY}.git`));
    local('config', 'http.extraHeader', `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`);
    // The release before: v1.0.0, and v1.0 and v1 on it.
    const first = await commit({}, 'the library at 1.0.0');
    for (const tag of ['v1.0.0', 'v1.0', 'v1']) local('tag', tag, first);
    await promisify(execFile)('git', ['push', '--quiet', 'origin', '--tags'], { cwd: work });
    // The runner's tool cache, holding Node 24 as a hosted image's does.
    cacheDir = mkdtempSync(join(tmpdir(), 'release-workflow-cache-'));
    const node = join(cacheDir, 'tool_cache', 'node', RUNNER_NODE.version);
    mkdirSync(node, { recursive: true });
    symlinkSync(runnerNodeDir(), join(node, 'x64'));
    writeFileSync(join(node, 'x64.complete'), '');
  }, 120_000);

  afterAll(async () => {
    await github?.close();
    await server?.close();
    for (const dir of [work, cacheDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a commit without green CI and a stale dist/, releases v1.1.0 and moves v1, then refuses an older version', async () => {
    const v1 = remote('rev-parse', 'v1^{commit}');
    // 1.1.0, built and committed, but CI has not passed for it.
    const ready110 = await commit(
      { 'src/greet.js': "console.log('hello, 1.1');\n", 'CHANGELOG.md': CHANGELOG(['1.1.0', '1.0.5', '1.0.0']) },
      '1.1.0',
    );
    const noCi = await release('v1.1.0');
    refused(noCi, `release: no successful ci.yml run for ${ready110}; not released`);
    expect(logOf(noCi, 'verify')).toContain(`Node.js ${RUNNER_NODE.version}`);

    // A later commit whose dist/ was not rebuilt: refused by the workflow's own check, even
    // with a green CI run on record.
    const stale = await commit({ 'src/greet.js': "console.log('hello, 1.1, edited');\n" }, 'edit without a build', false);
    github.workflowRuns.push({ workflow: 'ci.yml', headSha: stale, conclusion: 'success' });
    const staleRun = await release('v1.1.0');
    refused(staleRun, 'check: not what a fresh build makes: dist/greet/index.js');
    expect(tags()).toEqual(['v1', 'v1.0', 'v1.0.0']);
    expect(github.releases).toEqual([]);

    // Rebuilt, CI green: released. The tag's commit pins the workflows' own calls to v1.1.0.
    const good = await commit({}, 'build');
    github.workflowRuns.push({ workflow: 'ci.yml', headSha: good, conclusion: 'success' });
    const done = await release('v1.1.0');
    expect(resultOf(done, 'verify')).toBe('success');
    expect(resultOf(done, 'release')).toBe('success');
    expect(tags()).toEqual(['v1', 'v1.0', 'v1.0.0', 'v1.1', 'v1.1.0']);
    const tagged = remote('rev-parse', 'v1.1.0^{commit}');
    expect(remote('rev-parse', 'v1^{commit}')).toBe(tagged);
    expect(remote('rev-parse', 'v1.1^{commit}')).toBe(tagged);
    expect(remote('rev-parse', `${tagged}~1`)).toBe(good);
    expect(remote('show', `${tagged}:.github/workflows/deploy.yml`)).toContain('uses: org/deploy-actions/greet@v1.1.0');
    expect(remote('show', 'main:.github/workflows/deploy.yml')).toMatch(/uses: org\/deploy-actions\/greet@v1$/m);
    expect(github.releases).toEqual([{ tag: 'v1.1.0', name: 'v1.1.0', body: '- What 1.1.0 brings.' }]);
    expect(v1).not.toBe(tagged);

    // An older version than the newest release (its notes are there, for a backport): refused,
    // and v1 stays where it is.
    const older = await release('v1.0.5');
    refused(older, 'release: v1.0.5 is not higher than the released v1.1.0; a tag never moves back');
    expect(remote('rev-parse', 'v1^{commit}')).toBe(tagged);
    expect(github.releases).toHaveLength(1);
    expect(github.violations).toEqual([]);
  });

  it("rebuilds dist/ on Dependabot's npm pull requests only, and pushes just dist/ to the branch", async () => {
    /** A branch off main whose dependency update changes the build's output; dist/ not rebuilt. */
    const branch = async (name: string) => {
      local('checkout', '--quiet', '-B', name, 'main');
      const lock = JSON.parse(readFileSync(join(work, 'package-lock.json'), 'utf8')) as { packages: Record<string, object> };
      lock.packages[''] = { ...lock.packages[''], license: 'MIT' };
      return commit(
        { 'package-lock.json': `${JSON.stringify(lock, null, 2)}\n`, 'src/greet.js': `console.log('hello via ${name}');\n` },
        `bump a dependency (${name})`,
        false,
        name,
      );
    };
    const pullRequest = (head: string, actor: string) =>
      runWorkflow({
        repo: work,
        workflow: '.github/workflows/dist-on-dependabot.yml',
        event: { name: 'pull_request', head, base: 'main', actor },
        repository: REPOSITORY,
        cacheDir,
        // The commit job's checkout of the branch (the stand-in) clones from the git server.
        env: { GITHUB_API_URL: github.url, GITHUB_RUN_ID: '9301', STAND_IN_GIT_SERVER_URL: server.url('').replace(/\/$/, '') },
        secrets: { GITHUB_TOKEN: TOKEN },
        timeoutMs: 180_000,
      });

    const npmBranch = 'dependabot/npm_and_yarn/greeting-2.0.0';
    const pushed = await branch(npmBranch);
    const rebuilt = await pullRequest(npmBranch, 'dependabot[bot]');
    expect(resultOf(rebuilt, 'build'), logOf(rebuilt, 'build')).toBe('success');
    expect(resultOf(rebuilt, 'commit'), logOf(rebuilt, 'commit')).toBe('success');
    const tip = remote('rev-parse', `refs/heads/${npmBranch}`);
    expect(remote('rev-parse', `${tip}~1`)).toBe(pushed);
    expect(remote('log', '-1', '--format=%s', tip)).toBe('Rebuild dist/ for the dependency update');
    expect(remote('diff', '--name-only', pushed, tip)).toBe('dist/greet/index.js');
    expect(remote('show', `${tip}:dist/greet/index.js`)).toContain(`hello via ${npmBranch}`);

    // Anyone else's pull request, or Dependabot's for another ecosystem, runs nothing.
    for (const [head, actor] of [
      ['feature/greeting', 'octocat'],
      ['dependabot/github_actions/actions/checkout-6', 'dependabot[bot]'],
    ] as const) {
      const before = await branch(head);
      const skipped = await pullRequest(head, actor);
      expect(resultOf(skipped, 'build')).toBe('skipped');
      expect(resultOf(skipped, 'commit')).toBe('skipped');
      expect(remote('rev-parse', `refs/heads/${head}`)).toBe(before);
    }
    local('checkout', '--quiet', 'main');
  });
});
