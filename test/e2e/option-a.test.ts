// Option A end to end, as GitHub runs it: the sample's caller workflows (deploy-gitops.yml on
// push, rollback-gitops.yml on dispatch) under nektos/act, which resolves
// option-a-gitops.yml@v1 and rollback.yml@v1 and every `org/deploy-actions/<action>@v1` to
// this working tree, its bundles built from the current source. Staging gets a push to the
// GitOps repository, which a real Argo CD syncs while the bump waits for it, and is gated;
// production gets a pull request. What each job did is read from act; what Argo CD did from
// its API; what staging runs afterwards from the cluster and its containers; the GitOps
// history from git; the pull requests and the alert issue from the GitHub stand-in.
// REAL: nektos/act (built from source), git (the GitOps repository over smart HTTP, reached
// through the callers' gitops-git-url, with a token check), Argo CD v3.6.2 (application
// controller, repo server with the real Helm 4 and git, API server; test/support/argocd.ts)
// with Debian's redis, the control plane it deploys to (etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler, kwok nodes), the sample's chart, Docker engine,
// Debian's docker-registry (token auth), the services' toolchain steps (node --test, javac),
// and the containers the serving stand-in runs from what Kubernetes rolled out.
// STAND-INS: the ACR token front, Entra ID (an Azure Stack cloud through
// AZURE_ENVIRONMENT_FILEPATH), the runner's ID-token endpoint, GitHub's REST API
// (GITHUB_API_URL: the production pull requests and the alert issue), the third-party
// actions (test/fixtures/actions), and the networking (a port per Deployment behind a
// loopback front, test/support/front.ts and serving.ts, instead of Services and an ingress).
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { actBinary, argocdDir, controlPlaneBin, ensureTools } from '../../scripts/tools.mjs';
import { type Event, expectJobs, jobOf, jobsOf, logOf, stepOf, type WorkflowRun } from '../support/act.js';
import { type ArgoCd, startArgoCd } from '../support/argocd.js';
import { type ControlPlane, startControlPlane } from '../support/control-plane.js';
import { hasControlPlane, hasDocker, hasRegistry, requirePart } from '../support/daemons.js';
import { ADMIN, type FakeAcr, PUSH_CLIENT, startFakeAcr } from '../support/fake-acr.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github.js';
import { startFront } from '../support/front.js';
import { type GitServer, seedRepo, startGitServer } from '../support/git-http.js';
import { createEnvironmentApp, gitopsFiles, RELEASE } from '../support/gitops-repo.js';
import { freePort, type TestServer } from '../support/http-server.js';
import { SampleApp, SERVICES } from '../support/sample-app.js';
import { reportRuns, type SampleRunner, sampleRunner } from '../support/sample-runner.js';
import { type Serving, startServing } from '../support/serving.js';

/** The origin deploy-gitops.yml names in the staging health URLs. */
const PUBLIC_ORIGIN = 'https://staging.omis.example.com';
const TOKEN = 'ghs_e2eOptionAToken0000000000000000000000';
const GITOPS_TOKEN = 'ghs_e2eGitopsToken00000000000000000000000';
const GITOPS = 'omis/platform-gitops';
/** Staging's Argo CD Application, as deploy-gitops.yml names it, and where it deploys. */
const ARGO_APP = 'omis-gitops-staging';
const NAMESPACE = 'omis-staging';
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
/**
 * The platform team's chart change that lands right behind the next bump (a post-receive
 * hook of the GitOps repository, so it is there before the bump's push returns): a template
 * that does not parse.
 */
const BREAK_CHART_HOOK = `#!/bin/sh
[ -f break-chart-after-next-push ] || exit 0
rm -f break-chart-after-next-push
export GIT_INDEX_FILE="$PWD/platform-index" GIT_AUTHOR_NAME=Platform GIT_AUTHOR_EMAIL=platform@example.invalid
export GIT_COMMITTER_NAME=Platform GIT_COMMITTER_EMAIL=platform@example.invalid
git read-tree refs/heads/main
blob=$(printf '%s\n' 'apiVersion: policy/v1' 'kind: PodDisruptionBudget' '{{- range $name := .Values.pdb }' | git hash-object -w --stdin)
git update-index --add --cacheinfo "100644,$blob,charts/product-configurator/templates/pdb.yaml"
commit=$(git commit-tree "$(git write-tree)" -p refs/heads/main -m 'chart: a PodDisruptionBudget per service')
git update-ref refs/heads/main "$commit"
rm -f "$GIT_INDEX_FILE"
`;
const ready = hasDocker() && hasRegistry() && hasControlPlane();

describe.skipIf(!ready)('Option A end to end under act, on a real Argo CD', () => {
  let acr: FakeAcr;
  let gitServer: GitServer;
  let github: FakeGitHub;
  let plane: ControlPlane;
  let argo: ArgoCd;
  let serving: Serving;
  let front: TestServer;
  let app: SampleApp;
  let runner: SampleRunner;
  let gitDir: string;
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    ensureTools({ log: () => {} });
    requirePart('nektos/act (built by scripts/tools.mjs)', existsSync(actBinary()));
    requirePart('Argo CD (built by scripts/tools.mjs)', existsSync(join(argocdDir(), 'argocd')));
    requirePart("Debian's redis-server", existsSync('/usr/bin/redis-server'));
    acr = await startFakeAcr();
    gitServer = await startGitServer(GITOPS_TOKEN);
    github = await startFakeGitHub('omis', 'omis-sample', TOKEN, { [GITOPS_TOKEN]: GITOPS });
    for (const service of SERVICES) ports[service] = await freePort();

    // The GitOps repository, as the platform team keeps it: the chart, and one values file per
    // environment whose digests CI sets (none yet: Argo CD cannot render it before release 1).
    const seeded = seedRepo(gitServer, gitopsFiles(acr.registry, ['gitops-staging', 'gitops-production']));
    gitDir = join(gitServer.root, `${GITOPS}.git`);
    execFileSync('mkdir', ['-p', join(gitServer.root, 'omis')]);
    execFileSync('mv', [seeded.gitDir, gitDir]);
    const repoUrl = gitServer.url(`${GITOPS}.git`);

    plane = await startControlPlane(controlPlaneBin());
    argo = await startArgoCd(plane, { repository: { url: repoUrl, username: 'x-access-token', password: GITOPS_TOKEN } });
    await createEnvironmentApp(argo, ARGO_APP, repoUrl, 'gitops-staging', NAMESPACE);
    const byDeployment = Object.fromEntries(SERVICES.map((service) => [`${RELEASE}-${service}`, ports[service] ?? 0]));
    serving = await startServing(plane, NAMESPACE, byDeployment, { host: acr.registry, ...ADMIN });
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
      // Argo CD's API server is a repository variable; staging's Application is also that
      // environment's own variable, which a dispatched rollback of staging reads.
      vars: { GITOPS_GIT_URL: repoUrl, ARGOCD_SERVER: argo.url, 'gitops-staging::ARGOCD_APP': ARGO_APP },
      secrets: { GITOPS_TOKEN, ARGOCD_TOKEN: argo.token },
    });
  }, 240_000);

  afterAll(async () => {
    await serving?.close();
    await argo?.close();
    await plane?.close();
    await front?.close();
    await github?.close();
    await gitServer?.close();
    await acr?.close();
    app?.cleanup();
    runner?.close();
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
  /** What gitops-bump's wait saw Argo CD sync, in a step of a job (the bump, or the revert). */
  const synced = (result: WorkflowRun, job: string, step: string) => stepOf(jobOf(result, job), step)?.outputs['synced-revision'];
  /** Argo CD's own view of staging's Application. */
  const argoState = async () => {
    const status = (await argo.app(ARGO_APP)).status;
    return { sync: status?.sync?.status, revision: status?.sync?.revision, health: status?.health?.status };
  };
  /** Staging's containers: bounded, the serving stand-in starts what Kubernetes rolled out within seconds. */
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

  it('runs deploy-gitops.yml for six releases and rollback-gitops.yml, as GitHub would', async () => {
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
    // Staging: the bump landed on main, the step waited until Argo CD had synced that very
    // commit and found it Healthy, and every service answers release 1.
    expect(git('log', '-1', '--format=%s', 'main')).toMatch(/^deploy\(gitops-staging\): /);
    expect(synced(first, STAGING('bump'), 'bump')).toBe(git('rev-parse', 'main'));
    expect(await argoState()).toEqual({ sync: 'Synced', revision: git('rev-parse', 'main'), health: 'Healthy' });
    expect(logOf(first, STAGING('bump'))).toMatch(/Argo CD: omis-gitops-staging Synced at [0-9a-f]{12} and Healthy after \d+ s/);
    expect(Object.values(digests('gitops-staging')).every((digest) => /^sha256:[0-9a-f]{64}$/.test(digest))).toBe(true);
    for (const service of SERVICES) expect(await info(service)).toMatchObject({ build: { sha: sha1 } });
    // Production: a pull request with the digests, main untouched, no gate.
    expect(digests('gitops-production')).toEqual({ frontend: '', backend: '', csvtomdb: '' });
    expect(github.pulls).toHaveLength(1);
    expect(github.pulls[0]).toMatchObject({ base: 'main', state: 'open', labels: ['deploy', 'production'] });
    const prBranch = github.pulls[0]?.head ?? '';
    // Production gets the very images staging was gated on: its push legs find the commit's
    // SHA tags in the registry and build nothing (acr-push: commit tags are immutable).
    expect(digests('gitops-production', prBranch)).toEqual(digests('gitops-staging'));
    for (const push of jobsOf(first, PRODUCTION(PUSH)))
      expect(push.log.join('\n')).toMatch(/: not rebuilt \(commit tags are immutable\)/);
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
    expect(prBackend2).toBe(after2.backend);

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
    // Argo CD synced release 3 (its pods are Ready: only the gate saw the 404), then the revert,
    // which the rollback's step waited for as the bump's did.
    expect(synced(third, STAGING('rollback/rollback/gitops-revert'), 'revert')).toBe(git('rev-parse', 'main'));
    expect(await argoState()).toEqual({ sync: 'Synced', revision: git('rev-parse', 'main'), health: 'Healthy' });
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

    // --- a dispatched rollback of staging: its newest bump (release 4's) is reverted, and the
    // revert waits for Argo CD's sync of staging's Application (that environment's ARGOCD_APP)
    const back = await act('rollback-gitops.yml', {
      name: 'workflow_dispatch',
      inputs: { environment: 'gitops-staging', target: '', reason: 'e2e: dispatch rollback' },
    });
    expectJobs(back, { 'gitops-revert': 'success', report: 'success' });
    expect(git('log', '-1', '--format=%s', 'main')).toMatch(/^Revert "deploy\(gitops-staging\): /);
    expect(digests('gitops-staging')).toEqual(after2);
    expect(synced(back, 'gitops-revert', 'revert')).toBe(git('rev-parse', 'main'));
    await stagingRuns({ frontend: sha1, backend: sha2, csvtomdb: sha1 });

    // --- release 5: the platform team's chart change lands right behind the bump, and Argo CD
    // cannot render it. The bump's wait fails at once with Argo CD's message; the automatic
    // rollback reverts this run's commit and nothing else, and its own wait says the chart is
    // still broken (the platform's commit is not this workflow's to revert) ------------------
    writeFileSync(join(gitDir, 'hooks', 'post-receive'), BREAK_CHART_HOOK, { mode: 0o755 });
    writeFileSync(join(gitDir, 'break-chart-after-next-push'), '');
    const sha5 = app.release({ 'frontend/public/index.html': '<h1>OMIS frontend, release 5</h1>\n' }, 'release 5: frontend');
    const fifth = await push(sha4, sha5);
    expectJobs(fifth, {
      [STAGING(BUILD)]: 'success',
      [STAGING('bump')]: 'failure',
      [STAGING('rollback/rollback/gitops-revert')]: 'failure',
      [STAGING(REPORT)]: 'success',
      [PRODUCTION(CHANGES)]: 'skipped',
    });
    const ours = bump(fifth, STAGING('bump'))?.outputs['commit-sha'] ?? '';
    const renderError = /ComparisonError: .*templates\/pdb\.yaml/;
    expect(logOf(fifth, STAGING('bump'))).toMatch(
      new RegExp(`Argo CD: omis-gitops-staging failed at ${ours.slice(0, 12)}: ${renderError.source}`),
    );
    const [revert5, platform, bump5] = git('log', '-3', '--format=%H %P %s', 'main').split('\n');
    expect(bump5).toMatch(new RegExp(`^${ours} [0-9a-f]{40} deploy\\(gitops-staging\\): `));
    expect(platform).toMatch(new RegExp(`^[0-9a-f]{40} ${ours} chart: a PodDisruptionBudget per service$`));
    expect(revert5).toMatch(/^[0-9a-f]{40} [0-9a-f]{40} Revert "deploy\(gitops-staging\): /);
    expect(git('log', '-1', '--format=%b', 'main')).toContain(`This reverts commit ${ours}`);
    // Only this run's commit was reverted: the values are back, the platform's template stays.
    expect(digests('gitops-staging')).toEqual(after2);
    expect(git('show', 'main:charts/product-configurator/templates/pdb.yaml')).toContain('PodDisruptionBudget');
    expect(logOf(fifth, STAGING('rollback/rollback/gitops-revert'))).toMatch(renderError);
    expect(logOf(fifth, STAGING(REPORT))).toContain('### Release gitops-staging: FAILED (option A)');
    expect(logOf(fifth, STAGING(REPORT))).toMatch(renderError);
    expect(alert()).toContainEqual({ title: 'Deploy to gitops-staging failing', state: 'open' });
    // Argo CD applied none of it: staging runs what it ran.
    expect(await argoState()).toMatchObject({ sync: 'Unknown' });
    await stagingRuns({ frontend: sha1, backend: sha2, csvtomdb: sha1 });
    // The platform team takes its change back (by hand, in the repository).
    const fix = join(gitServer.root, 'platform-fix');
    execFileSync('git', ['clone', '--quiet', gitDir, fix]);
    execFileSync('git', ['rm', '--quiet', 'charts/product-configurator/templates/pdb.yaml'], { cwd: fix });
    execFileSync(
      'git',
      ['-c', 'user.name=Platform', '-c', 'user.email=platform@example.invalid', 'commit', '--quiet', '-m', 'chart: no PDB yet'],
      { cwd: fix },
    );
    execFileSync('git', ['push', '--quiet', 'origin', 'HEAD:main'], { cwd: fix });

    // --- release 6: a bump the GitOps repository refuses (its pre-receive hook): nothing of
    // this run landed, so the workflow reverts nothing, and staging keeps what it runs -------
    writeFileSync(join(gitDir, 'hooks', 'pre-receive'), '#!/bin/sh\necho "deploys are frozen" >&2\nexit 1\n', {
      mode: 0o755,
    });
    const tip = git('rev-parse', 'main');
    const sha6 = app.release({ 'frontend/public/index.html': '<h1>OMIS frontend, release 6</h1>\n' }, 'release 6: frontend');
    const sixth = await push(sha5, sha6);
    expectJobs(sixth, {
      [STAGING(BUILD)]: 'success',
      [STAGING('bump')]: 'failure',
      [STAGING('rollback')]: 'skipped',
      [STAGING('rollback/rollback/gitops-revert')]: 'skipped',
      [STAGING(REPORT)]: 'success',
      [PRODUCTION(CHANGES)]: 'skipped',
    });
    expect(bump(sixth, STAGING('bump'))?.result).toBe('failure');
    expect(logOf(sixth, STAGING('bump'))).toContain('deploys are frozen');
    expect(git('rev-parse', 'main')).toBe(tip);
    await stagingRuns({ frontend: sha1, backend: sha2, csvtomdb: sha1 });
    expect(logOf(sixth, STAGING(REPORT))).toContain('### Release gitops-staging: FAILED (option A)');
    expect(github.violations).toEqual([]);

    // Where Option A's time goes once the bump is pushed: the waits' own timelines.
    const waited = (result: WorkflowRun, job: string) =>
      logOf(result, job)
        .split('\n')
        .filter((line) => line.includes('Argo CD: omis-gitops-staging '))
        .map((line) => line.replace(/^.*Argo CD: omis-gitops-staging /, ''))
        .join(' | ');
    console.log(
      `Argo CD, release 1: ${waited(first, STAGING('bump'))}\nArgo CD, dispatched rollback: ${waited(back, 'gitops-revert')}`,
    );
    reportRuns('A', [first, second, third, fourth, fifth, sixth], back);
  });
});
