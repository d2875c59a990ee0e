// A caller that pins a reusable workflow by commit SHA runs the actions of that release, not
// of the moving major tag. REAL: nektos/act runs the caller and the library's report.yml, and
// deploy-report's bundle built from the current source. The release commit is made as
// scripts/release.mjs makes it (its pinUses): `@v1` in the workflows becomes `@v1.0.0`.
// STAND-INS: the GitHub API (support/fake-github.ts) for the report's jobs; the library's
// refs are folders act resolves by name (--local-repository), as GitHub resolves tags and SHAs.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinUses } from '../../scripts/release.mjs';
import { actBinary } from '../../scripts/tools.mjs';
import { logOf, resultOf, runWorkflow } from '../support/act.js';
import { requirePart } from '../support/daemons.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github.js';

const TOKEN = 'ghs_pinnedCaller9a';
const RELEASE_SHA = 'c0ffee0000000000000000000000000000000001';

/** Puts a line first in deploy-report's bundle, so the log says which copy ran. */
const mark = (dir: string, label: string) => {
  const bundle = join(dir, 'dist', 'deploy-report', 'index.js');
  writeFileSync(bundle, `console.log(${JSON.stringify(`library: ${label}`)});\n${readFileSync(bundle, 'utf8')}`);
};

/** The release commit: its workflows call the actions at v1.0.0 (release.mjs's own rewrite). */
const release = (dir: string) => {
  const folder = join(dir, '.github', 'workflows');
  for (const file of readdirSync(folder)) {
    const path = join(folder, file);
    writeFileSync(path, pinUses(readFileSync(path, 'utf8'), 'org/deploy-actions', 'v1.0.0'));
  }
  mark(dir, 'v1.0.0 (the release)');
};

describe.skipIf(!requirePart('nektos/act (built by scripts/tools.mjs)', existsSync(actBinary())))(
  'a caller pinned to a release SHA',
  () => {
    let github: FakeGitHub;
    let repo: string;
    const caller = (ref: string) =>
      [
        'name: pinned',
        'on: workflow_dispatch',
        'permissions:',
        '  contents: read',
        'jobs:',
        '  report:',
        '    permissions:',
        '      contents: read',
        '      actions: read',
        '      issues: write',
        `    uses: org/deploy-actions/.github/workflows/report.yml@${ref}`,
        '    with:',
        '      environment: staging',
        '      option: d',
        '      outcome: deployed',
        '      notify-on: never',
        '',
      ].join('\n');
    const dispatch = (workflow: string) =>
      runWorkflow({
        repo,
        workflow: `.github/workflows/${workflow}`,
        event: { name: 'workflow_dispatch', inputs: {} },
        env: { GITHUB_API_URL: github.url, GITHUB_RUN_ID: '9100' },
        secrets: { GITHUB_TOKEN: TOKEN },
        editLibrary: (dir) => {
          mark(dir, 'v1 (the moving tag)');
        },
        libraryRefs: [
          { ref: RELEASE_SHA, edit: release },
          { ref: 'v1.0.0', edit: release },
        ],
        timeoutMs: 180_000,
      });

    beforeAll(async () => {
      github = await startFakeGitHub('omis', 'omis-sample', TOKEN);
      repo = mkdtempSync(join(tmpdir(), 'pinned-caller-'));
      mkdirSync(join(repo, '.github', 'workflows'), { recursive: true });
      writeFileSync(join(repo, '.github', 'workflows', 'pinned.yml'), caller(RELEASE_SHA));
      writeFileSync(join(repo, '.github', 'workflows', 'moving.yml'), caller('v1'));
      const id = ['-c', 'user.name=t', '-c', 'user.email=t@example.com'];
      execFileSync('git', ['init', '-q', '--initial-branch=main', repo]);
      execFileSync('git', [...id, 'add', '-A'], { cwd: repo });
      execFileSync('git', [...id, 'commit', '-qm', 'callers'], { cwd: repo });
    });
    afterAll(async () => {
      await github.close();
      rmSync(repo, { recursive: true, force: true });
    });

    it('runs the release’s own deploy-report when pinned by SHA, and the moving tag’s when called at @v1', async () => {
      const pinned = await dispatch('pinned.yml');
      expect(pinned.exitCode).toBe(0);
      expect(resultOf(pinned, 'report')).toBe('success');
      const said = logOf(pinned, 'report');
      expect(said).toContain('library: v1.0.0 (the release)');
      expect(said).not.toContain('library: v1 (the moving tag)');

      const moving = await dispatch('moving.yml');
      expect(resultOf(moving, 'report')).toBe('success');
      expect(logOf(moving, 'report')).toContain('library: v1 (the moving tag)');
    });
  },
);
