// Option D end to end, as GitHub runs it: the sample's caller workflows (deploy.yml on push,
// rollback.yml on dispatch) under nektos/act, which resolves option-d-vm.yml@v1 and
// rollback.yml@v1 and every `org/deploy-actions/<action>@v1` to this working tree, its
// bundles built from the current source. What each job did is read from act; what the VM
// runs afterwards is read from its containers, and the alert issue from the GitHub stand-in.
// REAL: nektos/act (built from source), git, Docker engine, Debian's docker-registry (token
// auth), sshd on 127.0.0.1 and docker compose as the VM, the services' toolchain steps
// (node --test, javac).
// STAND-INS: the ACR token front, Entra ID (an Azure Stack cloud through
// AZURE_ENVIRONMENT_FILEPATH), the runner's ID-token endpoint, GitHub's REST API
// (GITHUB_API_URL), the third-party actions (test/fixtures/actions), and the VM's reverse
// proxy (test/support/front.ts: the paths of the health URLs to each service's port).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actBinary } from '../../scripts/tools.mjs';
import { type Event, expectJobs, jobOf, jobsOf, logOf, stepOf, type WorkflowRun } from '../support/act.js';
import { reportRuns, type SampleRunner, sampleRunner } from '../support/sample-runner.js';
import { hasCompose, hasDocker, hasRegistry, hasSshd, requirePart } from '../support/daemons.js';
import { ADMIN, CLIENT, type FakeAcr, PUSH_CLIENT, startFakeAcr } from '../support/fake-acr.js';
import { ACR_SCOPE } from '../../packages/shared/azure-auth.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github.js';
import { startFront } from '../support/front.js';
import { freePort, type TestServer } from '../support/http-server.js';
import { SampleApp, SERVICES } from '../support/sample-app.js';
import { startSshd, type TestSshd } from '../support/sshd.js';

const run = promisify(execFile);
/** The origin deploy.yml and rollback.yml name in their health URLs. */
const PUBLIC_ORIGIN = 'https://omis.example.com';
const TOKEN = 'ghs_e2eOptionDToken0000000000000000000000';
/** What act reports for a release that deploys and passes its gate: no rollback. */
const GOOD_RELEASE = {
  changes: 'success',
  build: 'success',
  push: 'success',
  deploy: 'success',
  rollback: 'skipped',
  'option-d-vm/report/report/report': 'success',
};
const ready = hasDocker() && hasRegistry() && hasSshd() && hasCompose();

describe.skipIf(!ready)('Option D end to end under act', () => {
  let acr: FakeAcr;
  let sshd: TestSshd;
  let github: FakeGitHub;
  let front: TestServer;
  let app: SampleApp;
  let runner: SampleRunner;
  let work: string;
  let remoteDir: string;
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    requirePart('nektos/act (built by scripts/tools.mjs)', existsSync(actBinary()));
    acr = await startFakeAcr();
    sshd = await startSshd();
    github = await startFakeGitHub('omis', 'omis-sample', TOKEN);
    work = mkdtempSync(join(tmpdir(), 'option-d-'));
    remoteDir = join(work, 'vm', 'omis');
    app = new SampleApp(acr.registry);
    // The sample's compose file names the production registry and fixed ports; point them here.
    let compose = readFileSync(join(app.repo.work, 'docker-compose.yml'), 'utf8').replaceAll(
      'omispcacrprod.azurecr.io',
      acr.registry,
    );
    for (const [index, service] of SERVICES.entries()) {
      ports[service] = await freePort();
      compose = compose.replace(`127.0.0.1:${8081 + index}:8080`, `127.0.0.1:${ports[service]}:8080`);
    }
    app.repo.commit({ 'docker-compose.yml': compose }, 'the VM of this machine');
    front = await startFront({
      '/api/info': { port: ports.frontend ?? 0, path: '/api/info' },
      '/backend/api/info': { port: ports.backend ?? 0, path: '/api/info' },
      '/csvtomdb/api/info': { port: ports.csvtomdb ?? 0, path: '/api/info' },
    });
    app.serveAt(PUBLIC_ORIGIN, front.url);
    app.addBusybox();
    runner = sampleRunner({
      app,
      acr,
      github,
      token: TOKEN,
      vars: { VM_HOST: sshd.host, VM_SSH_PORT: String(sshd.port), VM_USER: sshd.user, VM_DIR: remoteDir },
      secrets: {
        VM_SSH_KEY: sshd.clientKey,
        VM_KNOWN_HOSTS: sshd.knownHosts,
        ACR_PULL_USERNAME: ADMIN.username,
        ACR_PULL_PASSWORD: ADMIN.password,
      },
    });
  }, 120_000);

  afterAll(async () => {
    if (remoteDir && existsSync(remoteDir)) {
      await run('docker-compose', ['down', '--remove-orphans'], { cwd: remoteDir }).catch(() => undefined);
    }
    await front?.close();
    await github?.close();
    await sshd?.close();
    await acr?.close();
    app?.cleanup();
    runner?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const act = (workflow: string, event: Event): Promise<WorkflowRun> => runner.run(workflow, event);
  const push = (before: string, after: string) => act('deploy.yml', { name: 'push', before, after });
  const info = async (service: string): Promise<unknown> => (await fetch(`http://127.0.0.1:${ports[service]}/api/info`)).json();
  const alert = () => github.issues.map(({ title, state }) => ({ title, state }));
  const summary = (result: WorkflowRun): string => logOf(result, 'option-d-vm/report/report/report');
  /** The step of the deploy job that moves <environment>-last-good (it has a name, no id). */
  const lastGood = (result: WorkflowRun) =>
    jobOf(result, 'deploy')?.steps.find((step) => step.name === 'Record the new images as the last good ones');

  it('runs deploy.yml for four releases and rollback.yml, as GitHub would', async () => {
    // --- release 1: dispatched, so every service is built -----------------------------------
    const sha1 = app.release({ 'README.md': '# omis\n' }, 'release 1');
    const first = await act('deploy.yml', { name: 'workflow_dispatch', inputs: {} });
    expectJobs(first, GOOD_RELEASE);
    expect(jobsOf(first, 'build')).toHaveLength(3);
    expect(jobsOf(first, 'push')).toHaveLength(3);
    // The images pushed as the registry-push identity; the tags moved as production's.
    expect(new Set(acr.entra.byClient[PUSH_CLIENT])).toEqual(new Set([ACR_SCOPE]));
    expect(acr.entra.byClient[CLIENT]?.length).toBeGreaterThan(0);
    expect(stepOf(jobOf(first, 'deploy'), 'apply')?.outputs).toMatchObject({ updated: '3' });
    for (const service of SERVICES) expect(await info(service)).toMatchObject({ build: { sha: sha1 } });
    // The last-good promotion locks the release's images (SHA tag and digest of each).
    expect(JSON.parse(lastGood(first)?.outputs.locked ?? '[]')).toHaveLength(2 * SERVICES.length);
    expect(summary(first)).toContain('### Release production: deployed (option D)');
    expect(alert()).toEqual([]);

    // --- release 2: only the backend changed; the others keep running release 1 -------------
    const sha2 = app.release({ 'backend/public/index.html': '<h1>backend, release 2</h1>\n' }, 'release 2: backend only');
    const second = await push(sha1, sha2);
    expectJobs(second, GOOD_RELEASE);
    expect(jobsOf(second, 'build')).toHaveLength(1);
    expect(stepOf(jobOf(second, 'deploy'), 'apply')?.outputs).toMatchObject({ updated: '1' });
    expect(stepOf(jobOf(second, 'deploy'), 'gate')?.result).toBe('success');
    expect(await info('backend')).toMatchObject({ build: { sha: sha2 } });
    expect(await info('frontend')).toMatchObject({ build: { sha: sha1 } });

    // --- release 3: the backend lost its /api/info; the gate fails and rollback.yml runs -----
    const sha3 = app.releaseBrokenBackend();
    const third = await push(sha2, sha3);
    expectJobs(third, {
      changes: 'success',
      build: 'success',
      deploy: 'failure',
      'rollback/services': 'success',
      'rollback/redeploy': 'success',
      'rollback/report': 'skipped',
      'option-d-vm/report/report/report': 'success',
    });
    expect(stepOf(jobOf(third, 'deploy'), 'gate')?.result).toBe('failure');
    expect(lastGood(third)?.result).toBeUndefined();
    expect(await info('backend')).toMatchObject({ build: { sha: sha2 } });
    expect(await info('frontend')).toMatchObject({ build: { sha: sha1 } });
    expect(summary(third)).toContain('### Release production: ROLLED BACK (option D)');
    expect(alert()).toEqual([{ title: 'Deploy to production failing', state: 'open' }]);

    // --- release 4: the fix; its good release closes the alert issue -------------------------
    const sha4 = app.releaseFixedBackend('release 4: backend fixed');
    const fourth = await push(sha3, sha4);
    expectJobs(fourth, GOOD_RELEASE);
    expect(await info('backend')).toMatchObject({ build: { sha: sha4 } });
    expect(alert()).toEqual([{ title: 'Deploy to production failing', state: 'closed' }]);
    expect(github.violations).toEqual([]);

    // --- the weekly registry cleanup, dispatched for real: every tag here is days younger than
    // its keep-days (30), so it reads the whole registry and deletes nothing ------------------
    const cleanup = await act('registry-cleanup.yml', { name: 'workflow_dispatch', inputs: { 'dry-run': 'false' } });
    expectJobs(cleanup, { cleanup: 'success' });
    const cleaned = jobOf(cleanup, 'cleanup')?.steps.find((step) => step.name === 'org/deploy-actions/acr-push@v1');
    expect(cleaned?.outputs).toMatchObject({ deleted: '[]' });
    expect(Number(cleaned?.outputs.kept)).toBeGreaterThanOrEqual(10);

    // --- a dispatched rollback: every service back to production-last-good (release 4's) ----
    const back = await act('rollback.yml', {
      name: 'workflow_dispatch',
      inputs: { environment: 'production', target: '', reason: 'e2e: dispatch rollback' },
    });
    expectJobs(back, { services: 'success', redeploy: 'success', 'helm-rollback': 'skipped' });
    expect(await info('backend')).toMatchObject({ build: { sha: sha4 } });
    expect(await info('frontend')).toMatchObject({ build: { sha: sha1 } });

    reportRuns('D', [first, second, third, fourth], back);
  });
});
