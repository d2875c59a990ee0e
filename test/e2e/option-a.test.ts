// Option A end to end, as GitHub runs it: the sample's caller workflows (deploy-gitops.yml on
// push, rollback-gitops.yml on dispatch) under nektos/act, which resolves
// option-a-gitops.yml@v1 and rollback.yml@v1 and every `org/deploy-actions/<action>@v1` to
// this working tree, its bundles built from the current source. Staging gets a push to the
// GitOps repository and is gated; production gets a pull request. What each job did is read
// from act; what staging runs afterwards from its containers; the GitOps history from git;
// the pull requests and the alert issue from the GitHub stand-in.
// REAL: nektos/act (built from source), git (the GitOps repository over smart HTTP, reached
// as the runner's GITHUB_SERVER_URL, with a token check), Docker engine, Debian's
// docker-registry (token auth), docker compose, the services' toolchain steps (node --test,
// javac).
// STAND-INS: Argo CD (test/support/argo-stand-in.ts: it applies the staging values with
// docker compose each time the branch moves; the real one is the next issue's), the ACR token
// front, Entra ID (an Azure Stack cloud through AZURE_ENVIRONMENT_FILEPATH), the runner's
// ID-token endpoint, GitHub's REST API (GITHUB_API_URL: the production pull requests and the
// alert issue), the third-party actions (test/fixtures/actions), and the staging ingress
// (test/support/front.ts: the paths of the health URLs to each service's port).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { actBinary } from '../../scripts/tools.mjs';
import { type Event, expectJobs, jobOf, jobsOf, logOf, stepOf, type WorkflowRun } from '../support/act.js';
import { type GitopsSync, startGitopsSync } from '../support/argo-stand-in.js';
import { hasCompose, hasDocker, hasRegistry, requirePart } from '../support/daemons.js';
import { ADMIN, type FakeAcr, PUSH_CLIENT, startFakeAcr } from '../support/fake-acr.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github.js';
import { startFront } from '../support/front.js';
import { type GitServer, startGitServer } from '../support/git-http.js';
import { freePort, type TestServer } from '../support/http-server.js';
import { SampleApp, SERVICES } from '../support/sample-app.js';
import { reportRuns, type SampleRunner, sampleRunner } from '../support/sample-runner.js';

/** The origin deploy-gitops.yml names in the staging health URLs. */
const PUBLIC_ORIGIN = 'https://staging.omis.example.com';
const TOKEN = 'ghs_e2eOptionAToken0000000000000000000000';
const GITOPS_TOKEN = 'ghs_e2eGitopsToken00000000000000000000000';
const GITOPS = 'omis/platform-gitops';
/** A job of option-a-gitops.yml as the caller's staging or production job runs it. */
const STAGING = (job: string) => `staging/option-a-gitops/${job}`;
const PRODUCTION = (job: string) => `production/option-a-gitops/${job}`;
/** build.yml's jobs, as option-a-gitops.yml's build job calls it. */
const CHANGES = 'build/build/changes';
const BUILD = 'build/build/build';
const PUSH = 'build/build/push';
/** report.yml's job, as option-a-gitops.yml's report job calls it. */
const REPORT = 'report/report/report';
/** What act reports for one caller job's good release: no rollback. */
const goodRelease = (job: (id: string) => string): Record<string, string> => ({
  [job(CHANGES)]: 'success',
  [job(BUILD)]: 'success',
  [job(PUSH)]: 'success',
  [job('bump')]: 'success',
  [job('rollback')]: 'skipped',
  [job(REPORT)]: 'success',
});
/** A release that staging deploys and gates, and that production gets as a pull request. */
const GOOD_RELEASE = { ...goodRelease(STAGING), ...goodRelease(PRODUCTION) };
const ready = hasDocker() && hasRegistry() && hasCompose();

describe.skipIf(!ready)('Option A end to end under act', () => {
  let acr: FakeAcr;
  let gitServer: GitServer;
  let github: FakeGitHub;
  let front: TestServer;
  let app: SampleApp;
  let runner: SampleRunner;
  let argo: GitopsSync;
  let work: string;
  let gitDir: string;
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    requirePart('nektos/act (built by scripts/tools.mjs)', existsSync(actBinary()));
    acr = await startFakeAcr();
    gitServer = await startGitServer(GITOPS_TOKEN);
    github = await startFakeGitHub('omis', 'omis-sample', TOKEN, { [GITOPS_TOKEN]: GITOPS });
    work = mkdtempSync(join(tmpdir(), 'option-a-'));
    for (const service of SERVICES) ports[service] = await freePort();

    // The GitOps repository, as the platform team keeps it: one values file per environment,
    // a block per service whose digest CI sets.
    gitDir = join(gitServer.root, `${GITOPS}.git`);
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', gitDir]);
    const seed = join(work, 'gitops-seed');
    for (const environment of ['gitops-staging', 'gitops-production']) {
      mkdirSync(join(seed, 'environments', environment), { recursive: true });
      const values = SERVICES.map(
        (service) =>
          `${service}:\n  port: ${ports[service] ?? 0}\n  image:\n    repository: ${acr.registry}/omis-pc/${service}\n    digest: "" # set by CI\n`,
      ).join('\n');
      writeFileSync(
        join(seed, 'environments', environment, 'values.yaml'),
        `# OMIS ${environment}, synced by Argo CD\n\n${values}`,
      );
    }
    const id = ['-c', 'user.name=Platform', '-c', 'user.email=platform@example.invalid'];
    execFileSync('git', ['init', '--quiet', '--initial-branch=main', seed]);
    execFileSync('git', [...id, 'add', '--all'], { cwd: seed });
    execFileSync('git', [...id, 'commit', '--quiet', '-m', 'environments'], { cwd: seed });
    execFileSync('git', ['push', '--quiet', gitDir, 'HEAD:refs/heads/main'], { cwd: seed });

    argo = startGitopsSync({
      gitDir,
      branch: 'main',
      valuesFile: 'environments/gitops-staging/values.yaml',
      work: join(work, 'cluster'),
      registry: { host: acr.registry, ...ADMIN },
      project: 'omisargo',
    });
    front = await startFront({
      '/api/info': { port: ports.frontend ?? 0, path: '/api/info' },
      '/backend/api/info': { port: ports.backend ?? 0, path: '/api/info' },
      '/csvtomdb/api/info': { port: ports.csvtomdb ?? 0, path: '/api/info' },
    });
    app = new SampleApp(acr.registry);
    app.serveAt(PUBLIC_ORIGIN, front.url);
    app.addBusybox();
    runner = sampleRunner({
      app,
      acr,
      github,
      token: TOKEN,
      // The callers' gitops-git-url: the GitOps repository lives on a git server of its own.
      vars: { GITOPS_GIT_URL: gitServer.url(`${GITOPS}.git`) },
      secrets: { GITOPS_TOKEN },
    });
  }, 120_000);

  afterAll(async () => {
    await argo?.close();
    await front?.close();
    await github?.close();
    await gitServer?.close();
    await acr?.close();
    app?.cleanup();
    runner?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const act = (workflow: string, event: Event): Promise<WorkflowRun> => runner.run(workflow, event);
  const push = (before: string, after: string) => act('deploy-gitops.yml', { name: 'push', before, after });
  const info = async (service: string): Promise<unknown> => (await fetch(`http://127.0.0.1:${ports[service]}/api/info`)).json();
  const alert = () => github.issues.map(({ title, state }) => ({ title, state }));
  const git = (...args: string[]) => execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8' }).trim();
  /** The digest of each service in an environment's values at the branch tip (or at `ref`). */
  const digests = (environment: string, ref = 'main'): Record<string, string> => {
    const values = parse(git('show', `${ref}:environments/${environment}/values.yaml`)) as Record<
      string,
      { image: { digest: string } }
    >;
    return Object.fromEntries(SERVICES.map((service) => [service, values[service]?.image.digest ?? '']));
  };
  /** The bump job's gitops-bump step. */
  const bump = (result: WorkflowRun, job: string) => stepOf(jobOf(result, job), 'bump');
  /** Staging after its own sync: bounded, since the stand-in applies within seconds. */
  async function stagingRuns(expected: Record<string, string>): Promise<void> {
    const deadline = Date.now() + 60_000;
    let last: unknown;
    while (Date.now() < deadline) {
      last = Object.fromEntries(
        await Promise.all(
          Object.keys(expected).map(async (service) => [
            service,
            ((await info(service).catch(() => ({}))) as { build?: { sha?: string } }).build?.sha,
          ]),
        ),
      );
      if (JSON.stringify(last) === JSON.stringify(expected)) return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(last).toEqual(expected);
  }

  it('runs deploy-gitops.yml for five releases and rollback-gitops.yml, as GitHub would', async () => {
    // --- release 1: dispatched, so every service is built -----------------------------------
    const sha1 = app.release({ 'README.md': '# omis\n' }, 'release 1');
    const first = await act('deploy-gitops.yml', { name: 'workflow_dispatch', inputs: {} });
    expectJobs(first, GOOD_RELEASE);
    expect(jobsOf(first, STAGING(BUILD))).toHaveLength(3);
    expect(jobsOf(first, STAGING(PUSH))).toHaveLength(3);
    // Option A signs in to the registry only, as the registry-push identity.
    expect(Object.keys(acr.entra.byClient)).toEqual([PUSH_CLIENT]);
    expect(bump(first, STAGING('bump'))?.outputs).toMatchObject({ changed: 'true', 'pr-url': '' });
    expect(stepOf(jobOf(first, STAGING('bump')), 'gate')?.result).toBe('success');
    // Staging: the bump landed on main, Argo CD synced it, and every service answers release 1.
    expect(git('log', '-1', '--format=%s', 'main')).toMatch(/^deploy\(gitops-staging\): /);
    expect(Object.values(digests('gitops-staging')).every((digest) => /^sha256:[0-9a-f]{64}$/.test(digest))).toBe(true);
    for (const service of SERVICES) expect(await info(service)).toMatchObject({ build: { sha: sha1 } });
    // Production: a pull request with the digests, main untouched, no gate.
    expect(digests('gitops-production')).toEqual({ frontend: '', backend: '', csvtomdb: '' });
    expect(github.pulls).toHaveLength(1);
    expect(github.pulls[0]).toMatchObject({ base: 'main', state: 'open', labels: ['deploy', 'production'] });
    const prBranch = github.pulls[0]?.head ?? '';
    expect(Object.values(digests('gitops-production', prBranch)).every((digest) => digest.startsWith('sha256:'))).toBe(true);
    expect(stepOf(jobOf(first, PRODUCTION('bump')), 'gate')?.result).toBeUndefined();
    expect(logOf(first, STAGING(REPORT))).toContain('### Release gitops-staging: deployed (option A)');
    expect(alert()).toEqual([]);

    // --- release 2: only the backend changed; the others keep release 1's digests ----------
    const before2 = digests('gitops-staging');
    const sha2 = app.release({ 'backend/public/index.html': '<h1>backend, release 2</h1>\n' }, 'release 2: backend only');
    const second = await push(sha1, sha2);
    expectJobs(second, GOOD_RELEASE);
    expect(jobsOf(second, STAGING(BUILD))).toHaveLength(1);
    const after2 = digests('gitops-staging');
    expect(after2.backend).not.toBe(before2.backend);
    expect({ ...after2, backend: '' }).toEqual({ ...before2, backend: '' });
    expect(stepOf(jobOf(second, STAGING('bump')), 'gate')?.result).toBe('success');
    await stagingRuns({ frontend: sha1, backend: sha2, csvtomdb: sha1 });
    // Production's pull request is the same one, its branch updated with the new backend.
    expect(github.pulls).toHaveLength(1);
    const prBackend2 = digests('gitops-production', prBranch).backend;
    expect(prBackend2).not.toBe('');

    // --- release 3: the backend lost its /api/info; staging's gate fails, rollback.yml reverts
    // the bump, and production never hears of it --------------------------------------------
    const sha3 = app.releaseBrokenBackend();
    const third = await push(sha2, sha3);
    expectJobs(third, {
      [STAGING(CHANGES)]: 'success',
      [STAGING(BUILD)]: 'success',
      [STAGING('bump')]: 'failure',
      [STAGING('rollback/rollback/gitops-revert')]: 'success',
      [STAGING('rollback/rollback/report')]: 'skipped',
      [STAGING(REPORT)]: 'success',
      [PRODUCTION(CHANGES)]: 'skipped',
      [PRODUCTION('bump')]: 'skipped',
      [PRODUCTION(REPORT)]: 'skipped',
    });
    expect(stepOf(jobOf(third, STAGING('bump')), 'gate')?.result).toBe('failure');
    const history = git('log', '-3', '--format=%s', 'main').split('\n');
    expect(history[0]).toMatch(/^Revert "deploy\(gitops-staging\): /);
    expect(history[1]).toMatch(/^deploy\(gitops-staging\): /);
    expect(digests('gitops-staging')).toEqual(after2);
    await stagingRuns({ frontend: sha1, backend: sha2, csvtomdb: sha1 });
    expect(logOf(third, STAGING(REPORT))).toContain('### Release gitops-staging: ROLLED BACK (option A)');
    expect(logOf(third, STAGING(REPORT))).toContain('status 404 not in 200-299');
    expect(alert()).toEqual([{ title: 'Deploy to gitops-staging failing', state: 'open' }]);
    // Production's one pull request (updated by release 2, not by release 3) keeps release 2's backend.
    expect(github.pulls).toHaveLength(1);
    expect(digests('gitops-production', prBranch).backend).toBe(prBackend2);

    // --- release 4: the fix; its good release closes the alert issue -------------------------
    const sha4 = app.releaseFixedBackend('release 4: backend fixed');
    const fourth = await push(sha3, sha4);
    expectJobs(fourth, GOOD_RELEASE);
    await stagingRuns({ frontend: sha1, backend: sha4, csvtomdb: sha1 });
    expect(alert()).toEqual([{ title: 'Deploy to gitops-staging failing', state: 'closed' }]);
    expect(github.violations).toEqual([]);

    // --- a dispatched rollback of staging: its newest bump (release 4's) is reverted ---------
    const back = await act('rollback-gitops.yml', {
      name: 'workflow_dispatch',
      inputs: { environment: 'gitops-staging', target: '', reason: 'e2e: dispatch rollback' },
    });
    expectJobs(back, { 'gitops-revert': 'success', report: 'success' });
    expect(git('log', '-1', '--format=%s', 'main')).toMatch(/^Revert "deploy\(gitops-staging\): /);
    expect(digests('gitops-staging')).toEqual(after2);
    await stagingRuns({ frontend: sha1, backend: sha2, csvtomdb: sha1 });

    // --- a bump the GitOps repository refuses (its pre-receive hook): nothing of this run
    // landed, so the workflow reverts nothing, and staging keeps what it runs ---------------
    writeFileSync(join(gitDir, 'hooks', 'pre-receive'), '#!/bin/sh\necho "deploys are frozen" >&2\nexit 1\n', {
      mode: 0o755,
    });
    const tip = git('rev-parse', 'main');
    const sha5 = app.release({ 'frontend/public/index.html': '<h1>OMIS frontend, release 5</h1>\n' }, 'release 5: frontend');
    const fifth = await push(sha4, sha5);
    expectJobs(fifth, {
      [STAGING(BUILD)]: 'success',
      [STAGING('bump')]: 'failure',
      [STAGING('rollback')]: 'skipped',
      [STAGING('rollback/rollback/gitops-revert')]: 'skipped',
      [STAGING(REPORT)]: 'success',
      [PRODUCTION(CHANGES)]: 'skipped',
    });
    expect(bump(fifth, STAGING('bump'))?.result).toBe('failure');
    expect(logOf(fifth, STAGING('bump'))).toContain('deploys are frozen');
    expect(git('rev-parse', 'main')).toBe(tip);
    await stagingRuns({ frontend: sha1, backend: sha2, csvtomdb: sha1 });
    expect(logOf(fifth, STAGING(REPORT))).toContain('### Release gitops-staging: FAILED (option A)');
    expect(argo.errors).toEqual([]);

    reportRuns('A', [first, second, third, fourth, fifth], back);
  });
});
