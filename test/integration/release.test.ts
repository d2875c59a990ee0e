// scripts/release.mjs (what .github/workflows/release.yml runs) against a REAL git remote
// (git http-backend over smart HTTP with a token, support/git-http.ts) and the GitHub API
// STAND-IN (support/fake-github.ts: ci.yml's runs and the releases endpoint, every request
// and answer checked against @octokit/openapi). The workflow itself, with its `npm run check`
// step's refusal of a stale dist/, runs under act in test/e2e/release-workflow.test.ts.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/actions.mjs';
import { changelogSection, pinUses } from '../../scripts/release.mjs';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github.js';
import { type GitServer, seedRepo, startGitServer } from '../support/git-http.js';

const TOKEN = 'ghs_releaseToken5d1e';
const REPOSITORY = 'org/deploy-actions';
const WORKFLOW = readFileSync(join(ROOT, '.github', 'workflows', 'option-c-aks.yml'), 'utf8');
const CHANGELOG = [
  '# Changelog',
  '',
  '## [Unreleased]',
  '',
  '## [1.0.0] - 2026-12-05',
  '',
  '### Added',
  '',
  '- helm-deploy on private clusters.',
  '',
  '## [0.9.0] - 2026-11-30',
  '',
  '- The first cut.',
  '',
].join('\n');

describe('the release script', () => {
  let server: GitServer;
  let github: FakeGitHub;
  let remote: { name: string; gitDir: string };
  let clone: string;
  const header = `http.extraHeader=AUTHORIZATION: basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`;
  const git = (...args: string[]) => execFileSync('git', ['--git-dir', remote.gitDir, ...args], { encoding: 'utf8' }).trim();
  const tags = () => {
    try {
      return git('tag', '--list').split('\n').filter(Boolean).sort();
    } catch {
      return [];
    }
  };
  // Asynchronous: the git server and the stand-in answer from this process.
  const release = (command: string, version: string, sha: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(ROOT, 'scripts', 'release.mjs'), command, version],
        {
          cwd: clone,
          encoding: 'utf8',
          env: {
            ...process.env,
            GITHUB_REPOSITORY: REPOSITORY,
            GITHUB_SHA: sha,
            GITHUB_API_URL: github.url,
            GITHUB_TOKEN: TOKEN,
            GIT_CONFIG_COUNT: '1',
            GIT_CONFIG_KEY_0: 'http.extraHeader',
            GIT_CONFIG_VALUE_0: header.replace(/^http\.extraHeader=/, ''),
          },
        },
        (error, stdout, stderr) => {
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
        },
      );
    });

  beforeAll(async () => {
    server = await startGitServer(TOKEN);
    github = await startFakeGitHub('org', 'deploy-actions', TOKEN);
    remote = seedRepo(server, {
      'CHANGELOG.md': CHANGELOG,
      '.github/workflows/option-c-aks.yml': WORKFLOW,
      'README.md': '# x\n',
    });
    clone = mkdtempSync(join(tmpdir(), 'release-clone-'));
    await promisify(execFile)('git', ['-c', header, 'clone', '--quiet', server.url(remote.name), clone]);
  });
  afterAll(async () => {
    await github.close();
    await server.close();
    rmSync(clone, { recursive: true, force: true });
  });

  it('pins only this repository’s calls, and reads one CHANGELOG section', () => {
    const text = [
      '      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0',
      '        uses: org/deploy-actions/helm-deploy@v1',
      '    uses: org/deploy-actions/.github/workflows/build.yml@v1',
      '        uses: other/deploy-actions-fork/helm-deploy@v1',
      '        uses: org/deploy-actions/helm-deploy@v10',
    ].join('\n');
    expect(pinUses(text, REPOSITORY, 'v1.2.3').split('\n')).toEqual([
      '      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0',
      '        uses: org/deploy-actions/helm-deploy@v1.2.3',
      '    uses: org/deploy-actions/.github/workflows/build.yml@v1.2.3',
      '        uses: other/deploy-actions-fork/helm-deploy@v1',
      '        uses: org/deploy-actions/helm-deploy@v10',
    ]);
    expect(changelogSection(CHANGELOG, 'v1.0.0')).toBe('### Added\n\n- helm-deploy on private clusters.');
    expect(changelogSection(CHANGELOG, 'v1.1.0')).toBeUndefined();
  });

  it('refuses a commit without green CI, then releases it once CI passed: tag, notes, pinned workflows, v1 moved', async () => {
    const sha = git('rev-parse', 'main');
    const none = await release('publish', 'v1.0.0', sha);
    expect(none.code).toBe(1);
    expect(none.stderr.trim()).toBe(`release: no successful ci.yml run for ${sha}; not released`);
    github.workflowRuns.push({ workflow: 'ci.yml', headSha: sha, conclusion: 'failure' });
    const red = await release('publish', 'v1.0.0', sha);
    expect(red.stderr.trim()).toBe(`release: no successful ci.yml run for ${sha}; not released`);
    expect(tags()).toEqual([]);
    expect(github.releases).toEqual([]);

    github.workflowRuns.push({ workflow: 'ci.yml', headSha: sha, conclusion: 'success' });
    const done = await release('publish', 'v1.0.0', sha);
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(tags()).toEqual(['v1', 'v1.0', 'v1.0.0']);
    const commit = git('rev-parse', 'v1.0.0^{commit}');
    expect(git('rev-parse', 'v1^{commit}')).toBe(commit);
    expect(git('rev-parse', 'v1.0^{commit}')).toBe(commit);
    expect(git('rev-parse', `${commit}~1`)).toBe(sha);
    // The tagged workflows call the actions of this very version; main keeps @v1.
    const tagged = git('show', `${commit}:.github/workflows/option-c-aks.yml`);
    expect(tagged).toContain('uses: org/deploy-actions/helm-deploy@v1.0.0');
    expect(tagged).not.toMatch(/org\/deploy-actions\/[^@\s]+@v1\s/);
    expect(git('show', 'main:.github/workflows/option-c-aks.yml')).toContain('uses: org/deploy-actions/helm-deploy@v1\n');
    expect(git('diff', '--name-only', sha, commit)).toBe('.github/workflows/option-c-aks.yml');
    expect(github.releases).toEqual([{ tag: 'v1.0.0', name: 'v1.0.0', body: '### Added\n\n- helm-deploy on private clusters.' }]);
    expect(github.violations).toEqual([]);
  });

  it('never moves a tag back, never re-releases, and refuses a malformed version or one without notes', async () => {
    const sha = git('rev-parse', 'main');
    const v1 = git('rev-parse', 'v1^{commit}');
    for (const [version, said] of [
      ['v0.9.0', 'release: v0.9.0 is not higher than the released v1.0.0; a tag never moves back'],
      ['v1.0.0', 'release: v1.0.0 is not higher than the released v1.0.0; a tag never moves back'],
      ['v1.0', 'release: the version must be vMAJOR.MINOR.PATCH (e.g. v1.2.3); got "v1.0"'],
      ['v1.1.0', 'release: CHANGELOG.md has no section ## [1.1.0] with entries'],
    ] as const) {
      const result = await release('publish', version, sha);
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(said);
    }
    expect(git('rev-parse', 'v1^{commit}')).toBe(v1);
    expect(tags()).toEqual(['v1', 'v1.0', 'v1.0.0']);
    expect(github.releases).toHaveLength(1);
  });
});
