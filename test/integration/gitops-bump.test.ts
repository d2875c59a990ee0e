// gitops-bump against real git: bare repositories served over smart HTTP by `git http-backend`
// on 127.0.0.1 with a token check (support/git-http.ts). PR mode talks to a fake of GitHub's
// REST API whose every request and response is checked against @octokit/openapi
// (support/fake-github.ts).
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub } from '../support/fake-github.js';
import { type GitServer, seedRepo as seedGitRepo, startGitServer } from '../support/git-http.js';
import { concurrentBumps } from '../support/bump-contention.js';
import { failure, runAction, succeeded } from '../support/run-action.js';

const TOKEN = 'ghs_gitopsToken7f3a9c';
const ACR = 'omispcacrprod.azurecr.io/omis-pc';
const SEED = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'gitops', '01-helm-seed.yaml'), 'utf8');
let server: GitServer;

beforeAll(async () => {
  server = await startGitServer(TOKEN);
});
afterAll(() => server.close());

const git = (gitDir: string, ...args: string[]) =>
  execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8' }).trim();

// In the stand-in's own callbacks: a blocking git would stall the servers in this process.
const execFileAsync = promisify(execFile);
const gitAsync = async (gitDir: string, ...args: string[]) =>
  (await execFileAsync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8' })).stdout.trim();

const seedRepo = (files: Record<string, string>) => seedGitRepo(server, files);

const inputs = (repo: { name: string }) => ({ token: TOKEN, repository: 'omis/gitops', 'git-url': server.url(repo.name) });
const env = {
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REPOSITORY: 'omis/app',
  GITHUB_RUN_ID: '4242',
  GITHUB_SHA: 'a'.repeat(40),
};

describe('gitops-bump push mode', () => {
  it('edits only the tag characters, commits with trailers and pushes', async () => {
    const repo = seedRepo({ 'environments/prod/values.yaml': SEED, 'environments/staging/values.yaml': SEED });
    const result = await runAction(
      'gitops-bump',
      { ...inputs(repo), files: 'environments/prod/*.yaml', images: `${ACR}/frontend=9d8c7b6a\n${ACR}/backend=9d8c7b6a` },
      { env },
    );
    succeeded(result);
    const expected = SEED.replace('tag: "3f2a9c1d"  # set by CI', 'tag: "9d8c7b6a"  # set by CI').replace(
      'backend\n    tag: "3f2a9c1d"',
      'backend\n    tag: "9d8c7b6a"',
    );
    expect(Buffer.from(git(repo.gitDir, 'show', 'main:environments/prod/values.yaml') + '\n')).toEqual(Buffer.from(expected));
    expect(git(repo.gitDir, 'show', 'main:environments/staging/values.yaml') + '\n').toBe(SEED);
    expect(result.outputs).toMatchObject({
      changed: 'true',
      'commit-sha': git(repo.gitDir, 'rev-parse', 'main'),
      'pr-number': '',
    });
    expect(result.outputs.diff).toContain('-    tag: "3f2a9c1d"  # set by CI\n+    tag: "9d8c7b6a"  # set by CI');
    const message = git(repo.gitDir, 'log', '-1', '--format=%B', 'main');
    expect(message).toBe(
      `deploy: ${ACR}/frontend:9d8c7b6a, ${ACR}/backend:9d8c7b6a\n\n` +
        `Deploy-Actions-Images: ${ACR}/frontend=9d8c7b6a, ${ACR}/backend=9d8c7b6a\n` +
        'Deploy-Actions-Run: https://github.com/omis/app/actions/runs/4242',
    );
    expect(git(repo.gitDir, 'log', '-1', '--format=%an <%ae>', 'main')).toBe(
      'github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>',
    );
    expect(result.summary).toContain('### gitops-bump: pushed');
    expect(result.stdout.split('\n').filter((line) => line.includes(TOKEN) && !line.startsWith('::add-mask::'))).toEqual([]);

    // The same bump again changes nothing and commits nothing.
    const head = git(repo.gitDir, 'rev-parse', 'main');
    const again = await runAction(
      'gitops-bump',
      { ...inputs(repo), files: 'environments/prod/*.yaml', images: `${ACR}/frontend=9d8c7b6a` },
      { env },
    );
    expect(again.outputs).toMatchObject({ changed: 'false', 'commit-sha': '' });
    expect(git(repo.gitDir, 'rev-parse', 'main')).toBe(head);
  });

  it('fails without side effects on an unknown image, a wrong token, or bad input; dry-run only shows the diff', async () => {
    const repo = seedRepo({ 'values.yaml': SEED });
    const head = git(repo.gitDir, 'rev-parse', 'main');
    const unknown = await runAction(
      'gitops-bump',
      { ...inputs(repo), files: '*.yaml', images: `${ACR}/frontend=x1\n${ACR}/ghost=x1` },
      { env },
    );
    expect(failure(unknown)).toBe(`gitops-bump failed: no reference to ${ACR}/ghost in values.yaml`);
    const refusedBefore = server.refused();
    const badToken = await runAction(
      'gitops-bump',
      { ...inputs(repo), token: 'wrong-token', files: '*.yaml', images: `${ACR}/frontend=x1` },
      { env },
    );
    expect(failure(badToken)).toMatch(
      /^gitops-bump failed: cloning http:\/\/127\.0\.0\.1:\d+\/gitops-\d+\.git \(branch main\) failed: /,
    );
    expect(server.refused()).toBeGreaterThan(refusedBefore);
    const bad = await runAction('gitops-bump', { ...inputs(repo), files: '*.yaml', images: `${ACR}/frontend:x1` }, { env });
    expect(failure(bad)).toBe(
      `gitops-bump failed: input 'images' must be lines of image=tag or image@sha256:...; got "${ACR}/frontend:x1"`,
    );
    const dry = await runAction(
      'gitops-bump',
      { ...inputs(repo), files: '*.yaml', images: `${ACR}/csvtomdb=dry1`, 'dry-run': 'true' },
      { env },
    );
    succeeded(dry);
    expect(dry.outputs.changed).toBe('true');
    expect(dry.outputs.diff).toContain('+    tag: "dry1"');
    expect(git(repo.gitDir, 'rev-parse', 'main')).toBe(head);
  });

  it('reverts the last bump byte for byte, and the one before it next', async () => {
    const repo = seedRepo({ 'environments/prod/values.yaml': SEED, 'README.md': '# gitops\n' });
    const bump = (tag: string) =>
      runAction('gitops-bump', { ...inputs(repo), files: 'environments/prod/*.yaml', images: `${ACR}/backend=${tag}` }, { env });
    const file = () => git(repo.gitDir, 'show', 'main:environments/prod/values.yaml');
    succeeded(await bump('first1'));
    const afterFirst = file();
    succeeded(await bump('second2'));
    const last = await runAction('gitops-bump', { ...inputs(repo), files: 'environments/prod/*.yaml', revert: 'last' }, { env });
    succeeded(last);
    expect(file()).toBe(afterFirst);
    expect(git(repo.gitDir, 'log', '-1', '--format=%(trailers:key=Deploy-Actions-Reverts,valueonly)', 'main')).toMatch(
      /^[0-9a-f]{40}$/,
    );
    succeeded(await runAction('gitops-bump', { ...inputs(repo), files: 'environments/prod/*.yaml', revert: 'last' }, { env }));
    expect(file() + '\n').toBe(SEED);
    const none = await runAction('gitops-bump', { ...inputs(repo), files: 'environments/prod/*.yaml', revert: 'last' }, { env });
    expect(failure(none)).toBe(
      'gitops-bump failed: no deploy-actions bump commit touching environments/prod/*.yaml is left to revert',
    );
    expect(git(repo.gitDir, 'rev-list', '--merges', 'main')).toBe('');
  });

  it('signs the bump and its revert with signing: ssh; git verifies both against the public key', async () => {
    // REAL: ssh-keygen makes the key and signs (git's gpg.format ssh); git verifies.
    const keys = mkdtempSync(join(tmpdir(), 'gitops-signing-'));
    try {
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'deploy-bot', '-f', join(keys, 'id')]);
      const privateKey = readFileSync(join(keys, 'id'), 'utf8');
      const allowed = join(keys, 'allowed_signers');
      writeFileSync(
        allowed,
        `41898282+github-actions[bot]@users.noreply.github.com ${readFileSync(join(keys, 'id.pub'), 'utf8')}`,
      );
      const repo = seedRepo({ 'environments/prod/values.yaml': SEED });
      const runnerTemp = mkdtempSync(join(tmpdir(), 'runner-temp-'));
      const signed = { ...inputs(repo), files: 'environments/prod/*.yaml', signing: 'ssh', 'signing-key': privateKey };
      const bump = succeeded(
        await runAction(
          'gitops-bump',
          { ...signed, images: `${ACR}/backend=signed1` },
          { env: { ...env, RUNNER_TEMP: runnerTemp } },
        ),
      );
      const revert = succeeded(
        await runAction('gitops-bump', { ...signed, revert: 'last' }, { env: { ...env, RUNNER_TEMP: runnerTemp } }),
      );
      const verify = (sha: string) =>
        execFileSync('git', ['--git-dir', repo.gitDir, '-c', `gpg.ssh.allowedSignersFile=${allowed}`, 'verify-commit', sha], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      for (const sha of [bump.outputs['commit-sha'] ?? '', revert.outputs['commit-sha'] ?? '']) {
        expect(sha).toMatch(/^[0-9a-f]{40}$/);
        expect(() => verify(sha)).not.toThrow();
        expect(git(repo.gitDir, '-c', `gpg.ssh.allowedSignersFile=${allowed}`, 'log', '-1', '--format=%G?', sha)).toBe('G');
      }
      // The key was masked, and neither it nor its file outlived the step.
      expect(bump.stdout).toContain('::add-mask::');
      for (const text of [bump.summary, bump.stderr, JSON.stringify(bump.outputs)])
        expect(text).not.toContain('OPENSSH PRIVATE KEY');
      expect(execFileSync('find', [runnerTemp, '-name', 'signing-key'], { encoding: 'utf8' })).toBe('');
      // An unsigned commit (the seed) does not verify: the check is real.
      expect(() => verify(git(repo.gitDir, 'rev-parse', `${bump.outputs['commit-sha'] ?? ''}~1`))).toThrow();
      // A key without signing: ssh is refused before any clone, naming both inputs.
      const stray = await runAction(
        'gitops-bump',
        { ...inputs(repo), files: 'x.yaml', images: `${ACR}/backend=x`, 'signing-key': privateKey },
        { env },
      );
      expect(failure(stray)).toContain("input 'signing-key' is set while signing is none");
    } finally {
      rmSync(keys, { recursive: true, force: true });
    }
  });

  it('signing: github makes the bump and its revert through the Git Data API: GitHub signs them, a lost race is retried', async () => {
    // STAND-IN: GitHub's Git Data API (support/fake-github-git.ts) over the real bare
    // repository the git server serves, its requests and answers checked against
    // @octokit/openapi; it signs as GitHub does, with an SSH key of its own. REAL: git, ssh-keygen.
    const keys = mkdtempSync(join(tmpdir(), 'github-web-flow-'));
    const gh = await startFakeGitHub('omis', 'app', 'ghs_appToken', { [TOKEN]: 'omis/gitops' });
    try {
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'web-flow', '-f', join(keys, 'web-flow')]);
      const allowed = join(keys, 'allowed_signers');
      writeFileSync(allowed, `noreply@github.com ${readFileSync(join(keys, 'web-flow.pub'), 'utf8')}`);
      const repo = seedRepo({ 'environments/prod/values.yaml': SEED, 'README.md': '# gitops\n' });
      const data = { gitDir: repo.gitDir, signingKeyFile: join(keys, 'web-flow'), commits: [] as string[] };
      gh.gitData.set('omis/gitops', data);
      const onGitHub = {
        ...env,
        GITHUB_SERVER_URL: new URL(server.url(repo.name)).origin,
        GITHUB_API_URL: gh.url,
      };
      const signed = { ...inputs(repo), files: 'environments/prod/*.yaml', signing: 'github' };
      const pushesBefore = gh.requests.length;

      // Another writer lands on main just before the first ref update: that update is not a
      // fast forward (422), so the bump is made again on the new tip.
      const other = { value: '' };
      (data as { beforeRefUpdate?: () => Promise<void> }).beforeRefUpdate = async () => {
        other.value = await gitAsync(repo.gitDir, 'commit-tree', 'main^{tree}', '-p', 'main', '-m', 'someone else');
        await gitAsync(repo.gitDir, 'update-ref', 'refs/heads/main', other.value);
      };
      const bump = succeeded(await runAction('gitops-bump', { ...signed, images: `${ACR}/backend=signed2` }, { env: onGitHub }));
      expect(bump.outputs.attempts).toBe('2');
      const tip = git(repo.gitDir, 'rev-parse', 'main');
      expect(bump.outputs['commit-sha']).toBe(tip);
      expect(data.commits).toHaveLength(2);
      expect(data.commits.at(-1)).toBe(tip);
      expect(git(repo.gitDir, 'rev-parse', 'main~1')).toBe(other.value);
      expect(git(repo.gitDir, 'show', 'main:environments/prod/values.yaml')).toContain('tag: "signed2"');
      expect(git(repo.gitDir, 'log', '-1', '--format=%cn <%ce>|%an', 'main')).toBe(
        'GitHub <noreply@github.com>|github-actions[bot]',
      );
      expect(bump.summary).toContain('Made and signed by GitHub (Verified).');
      // The tree GitHub made is the one a git push of the same bump lands, byte for byte.
      const twin = seedRepo({ 'environments/prod/values.yaml': SEED, 'README.md': '# gitops\n' });
      succeeded(
        await runAction(
          'gitops-bump',
          { ...inputs(twin), files: 'environments/prod/*.yaml', images: `${ACR}/backend=signed2` },
          { env },
        ),
      );
      expect(git(repo.gitDir, 'rev-parse', 'main^{tree}')).toBe(git(twin.gitDir, 'rev-parse', 'main^{tree}'));

      const revert = succeeded(await runAction('gitops-bump', { ...signed, revert: 'last' }, { env: onGitHub }));
      expect(git(repo.gitDir, 'show', 'main:environments/prod/values.yaml') + '\n').toBe(SEED);
      for (const sha of [bump.outputs['commit-sha'] ?? '', revert.outputs['commit-sha'] ?? '']) {
        expect(git(repo.gitDir, '-c', `gpg.ssh.allowedSignersFile=${allowed}`, 'log', '-1', '--format=%G?', sha)).toBe('G');
      }
      // Nothing went over git push: every change was an API call, each checked against the description.
      const calls = gh.requests
        .slice(pushesBefore)
        .map((line) => line.replace(/\/repos\/omis\/gitops\/git\//, '').split('?')[0] ?? '');
      expect(calls.filter((call) => call.startsWith('PATCH'))).toHaveLength(3);
      expect(calls).toEqual(expect.arrayContaining(['POST blobs', 'POST trees', 'POST commits']));
      expect(gh.violations).toEqual([]);
      expect(git(repo.gitDir, 'rev-list', '--merges', 'main')).toBe('');

      // Bad input, refused before any clone or call: a key with signing: github, a repository elsewhere.
      const requests = gh.requests.length;
      const withKey = await runAction(
        'gitops-bump',
        {
          ...signed,
          images: `${ACR}/backend=x`,
          'signing-key': '-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----',
        },
        { env: onGitHub },
      );
      expect(failure(withKey)).toContain("input 'signing-key' is set while signing is github");
      const elsewhere = await runAction('gitops-bump', { ...signed, images: `${ACR}/backend=x` }, { env });
      expect(failure(elsewhere)).toBe(
        "gitops-bump failed: input 'signing' github needs the repository on github.com; git-url is elsewhere (use signing: ssh there)",
      );
      expect(gh.requests.length).toBe(requests);
    } finally {
      await gh.close();
      rmSync(keys, { recursive: true, force: true });
    }
  });

  it('lands 20 concurrent bumps of one file: none lost, history linear', async () => {
    // 20 here; `npm run bench` runs 20, 50 and 100 (the suite's time cannot hold 100 on two cores).
    const result = await concurrentBumps(server, TOKEN, 20);
    console.log(
      `gitops-bump: 20 concurrent bumps landed in ${result.seconds.toFixed(1)} s; attempts per run ${result.attempts.join(',')}`,
    );
    expect(result.failures).toEqual([]);
    expect(result).toMatchObject({ landed: 20, commits: 20, merges: 0, allTagsSet: true });
  });
});

describe('gitops-bump pull-request mode (GitHub fake checked against @octokit/openapi)', () => {
  it('opens one PR, then updates it on re-runs instead of opening another', async () => {
    const repo = seedRepo({ 'environments/prod/values.yaml': SEED });
    const github = await startFakeGitHub('omis', 'gitops', TOKEN);
    try {
      const prEnv = { ...env, GITHUB_API_URL: github.url };
      // The first create answers 502 after making the PR: a lookup must find it, not a 422.
      github.createFaults.push(502);
      const pr = (tag: string) =>
        runAction(
          'gitops-bump',
          {
            ...inputs(repo),
            files: 'environments/prod/*.yaml',
            images: `${ACR}/frontend=${tag}`,
            mode: 'pull-request',
            'pr-labels': 'deploy, production',
            'auto-merge': 'squash',
          },
          { env: prEnv },
        );
      const first = await pr('pr1');
      succeeded(first);
      expect(first.outputs).toMatchObject({
        changed: 'true',
        'pr-number': '1',
        'pr-url': 'https://github.com/omis/gitops/pull/1',
      });
      const prBranch = github.pulls[0]?.head ?? '';
      expect(prBranch).toMatch(/^deploy-actions\/main\/[0-9a-f]{12}$/);
      expect(git(repo.gitDir, 'show', `${prBranch}:environments/prod/values.yaml`)).toContain('tag: "pr1"  # set by CI');
      expect(git(repo.gitDir, 'show', 'main:environments/prod/values.yaml') + '\n').toBe(SEED);

      const same = await pr('pr1');
      expect(same.log).toContain('already holds this change');
      const next = await pr('pr2');
      succeeded(next);
      expect(next.outputs['pr-number']).toBe('1');
      expect(git(repo.gitDir, 'show', `${prBranch}:environments/prod/values.yaml`)).toContain('tag: "pr2"  # set by CI');
      expect(github.pulls).toHaveLength(1);
      expect(github.pulls[0]).toMatchObject({
        title: `Deploy ${ACR}/frontend:pr2`,
        labels: ['deploy', 'production'],
        autoMerge: 'SQUASH',
        base: 'main',
      });
      expect(first.log).toContain('looking it up before trying again');
      expect(github.requests.filter((request) => request.startsWith('POST /repos/omis/gitops/pulls'))).toHaveLength(1);
      expect(github.violations).toEqual([]);
    } finally {
      await github.close();
    }
  });
});

describe('gitops-bump refuses what it must not do (real git over smart HTTP)', () => {
  it('reports a protected branch as final, after one attempt', async () => {
    const repo = seedRepo({ 'environments/prod/values.yaml': SEED });
    // The server's own refusal, as a protected branch gives it: a pre-receive hook that declines.
    const hook = join(repo.gitDir, 'hooks', 'pre-receive');
    writeFileSync(hook, '#!/bin/sh\necho "GH006: Protected branch update failed for refs/heads/main." >&2\nexit 1\n', {
      mode: 0o755,
    });
    const result = await runAction(
      'gitops-bump',
      { ...inputs(repo), files: 'environments/prod/*.yaml', images: `${ACR}/frontend=p1` },
      { env },
    );
    expect(failure(result)).toBe(
      'gitops-bump failed: push to main was refused by the server (pre-receive hook declined; the server said: GH006: Protected branch update failed for refs/heads/main.); not retried',
    );
    expect(result.log).not.toContain('retrying');
    expect(git(repo.gitDir, 'rev-list', '--count', 'main')).toBe('1');
  });

  it('retries server faults within its time budget, then gives up saying how long and how often it lost', async () => {
    const repo = seedRepo({ 'environments/prod/values.yaml': SEED });
    const bump = (tag: string, extra: Record<string, string> = {}) =>
      runAction(
        'gitops-bump',
        { ...inputs(repo), files: 'environments/prod/*.yaml', images: `${ACR}/frontend=${tag}`, ...extra },
        { env },
      );
    try {
      server.failPushes(2);
      const landed = succeeded(await bump('f1'));
      expect(landed.outputs.attempts).toBe('3');
      expect(git(repo.gitDir, 'rev-list', '--count', 'main')).toBe('2');

      server.failPushes(1000);
      const started = performance.now();
      const timedOut = await bump('f2', { timeout: '4s' });
      const seconds = (performance.now() - started) / 1000;
      expect(failure(timedOut)).toMatch(
        /^gitops-bump failed: push to main did not land in (\d+) attempts over [\d.]+ ?m?s \(timeout 4s\): lost the race to other pipelines 0 times, hit network or server faults \1 times; nothing was force-pushed$/,
      );
      // The budget bounds the loop: a wait never runs past it.
      expect(seconds).toBeGreaterThan(3.5);
      expect(seconds).toBeLessThan(15);

      server.failPushes(1000);
      const capped = await bump('f3', { 'max-attempts': '2' });
      expect(failure(capped)).toMatch(/did not land in 2 attempts over .* \(max-attempts 2\)/);
      expect(git(repo.gitDir, 'rev-list', '--count', 'main')).toBe('2');
    } finally {
      server.failPushes(0);
    }
  });

  it('never edits through a symbolic link, nor outside the clone', async () => {
    const repo = seedRepo({ 'environments/prod/values.yaml': SEED });
    const outside = mkdtempSync(join(tmpdir(), 'runner-file-'));
    const target = join(outside, 'values.yaml');
    writeFileSync(target, SEED);
    // A tracked symlink in the GitOps repo pointing at a file on the runner.
    const work = mkdtempSync(join(tmpdir(), 'gitops-link-'));
    execFileSync('git', ['clone', '--quiet', repo.gitDir, work]);
    execFileSync('ln', ['-s', target, join(work, 'environments', 'prod', 'linked.yaml')]);
    const id = ['-c', 'user.name=Seed', '-c', 'user.email=seed@example.invalid'];
    execFileSync('git', [...id, 'add', '--all'], { cwd: work });
    execFileSync('git', [...id, 'commit', '--quiet', '-m', 'link'], { cwd: work });
    execFileSync('git', ['push', '--quiet', 'origin', 'HEAD:main'], { cwd: work });
    try {
      const viaGlob = await runAction(
        'gitops-bump',
        { ...inputs(repo), files: 'environments/prod/*.yaml', images: `${ACR}/frontend=l1` },
        { env },
      );
      expect(failure(viaGlob)).toMatch(
        /^gitops-bump failed: input 'files' (names environments\/prod\/linked\.yaml, a symbolic link|must not lead outside)/,
      );
      const viaSet = await runAction(
        'gitops-bump',
        { ...inputs(repo), set: 'environments/prod/linked.yaml:frontend.image.tag=x' },
        { env },
      );
      expect(failure(viaSet)).toMatch(/^gitops-bump failed: input 'set' /);
      expect(readFileSync(target, 'utf8')).toBe(SEED);
    } finally {
      rmSync(outside, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('treats a token in the URL user name as a secret', async () => {
    const userToken = 'ghp_UrlUserToken0123456789abcdef';
    const result = await runAction('gitops-bump', {
      repository: 'omis/gitops',
      'git-url': server.url('missing.git').replace('http://', `http://${userToken}@`),
      files: '*.yaml',
      images: `${ACR}/frontend=u1`,
    });
    expect(failure(result)).toMatch(/^gitops-bump failed: cloning http:\/\/\*\*\*@127\.0\.0\.1:\d+\/missing\.git/);
    expect(result.masks).toContain(userToken);
    const leaking = result.stdout.split('\n').filter((line) => line.includes(userToken) && !line.startsWith('::add-mask::'));
    expect(leaking).toEqual([]);
    expect(result.summary + JSON.stringify(result.outputs)).not.toContain(userToken);
  });
});
