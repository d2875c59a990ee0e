// Option C end to end, as GitHub runs it: the sample's caller workflows (deploy-aks.yml on
// push, rollback-aks.yml on dispatch) under nektos/act, which resolves
// option-c-aks.yml@v1 and rollback.yml@v1 and every `org/deploy-actions/<action>@v1` to this
// working tree, its bundles built from the current source. What each job did is read from
// act; what the environment runs afterwards is read from the cluster, the containers and the
// GitHub stand-in.
// REAL: nektos/act (the workflow engine, built from source), git, Docker engine, Debian's
// docker-registry (token auth), Helm 4 (built from source, in the runner's tool cache as a
// self-hosted image has it), the control plane (etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler) with kwok as the nodes, the sample chart, the services' toolchain steps
// (node --test, javac), and the containers the serving stand-in runs from what Kubernetes
// rolled out.
// STAND-INS: the ACR token front, Entra ID (reached as an Azure Stack cloud through
// AZURE_ENVIRONMENT_FILEPATH), the runner's ID-token endpoint, ARM, AKS's Entra sign-in (a
// TokenReview webhook), GitHub's REST API (GITHUB_API_URL, the report's alert issue), the
// third-party actions (test/fixtures/actions), and the networking (a port per Deployment
// behind a loopback status ingress instead of Services and an ingress controller).
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actBinary, controlPlaneBin, ensureTools } from '../../scripts/tools.mjs';
import { type Event, expectJobs, jobOf, jobsOf, logOf, stepOf, type WorkflowRun } from '../support/act.js';
import { reportRuns, type SampleRunner, sampleRunner } from '../support/sample-runner.js';
import { type ControlPlane, startControlPlane } from '../support/control-plane.js';
import { hasControlPlane, hasDocker, hasRegistry, requirePart } from '../support/daemons.js';
import { ADMIN, CLIENT, type FakeAcr, PUSH_CLIENT, startFakeAcr } from '../support/fake-acr.js';
import { ACR_SCOPE } from '../../packages/shared/azure-auth.js';
import { type AksAuthWebhook, entraKubeconfig, type FakeArm, startAksAuthWebhook, startFakeArm } from '../support/fake-arm.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github.js';
import { seedHelmToolCache } from '../support/get-helm.js';
import { freePort, type TestServer } from '../support/http-server.js';
import { SampleApp, SERVICES } from '../support/sample-app.js';
import { type Serving, startServing } from '../support/serving.js';
import { startFront, statusRoutes } from '../support/front.js';

const RELEASE = 'product-configurator';
/** The origin deploy-aks.yml and rollback-aks.yml name in their health URLs. */
const PUBLIC_ORIGIN = 'https://configurator.omis.example';
const NAMESPACE = 'omis';
const AKS_SCOPE = '6dae42f8-4368-4678-94ff-3960e28e3630/.default';
const TOKEN = 'ghs_e2eOptionCToken0000000000000000000000';
/** What act reports for a release that deploys and passes its gate. */
const GOOD_RELEASE = { changes: 'success', build: 'success', push: 'success', deploy: 'success', report: 'success' };
const ready = hasDocker() && hasRegistry() && hasControlPlane();

describe.skipIf(!ready)('Option C end to end under act', () => {
  let acr: FakeAcr;
  let webhook: AksAuthWebhook;
  let plane: ControlPlane;
  let arm: FakeArm;
  let app: SampleApp;
  let serving: Serving;
  let ingress: TestServer;
  let github: FakeGitHub;
  let runner: SampleRunner;
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    ensureTools({ log: () => {} });
    requirePart('nektos/act (built by scripts/tools.mjs)', existsSync(actBinary()));
    acr = await startFakeAcr();
    acr.entra.allow(AKS_SCOPE);
    webhook = await startAksAuthWebhook(acr.entra, AKS_SCOPE);
    plane = await startControlPlane(controlPlaneBin(), { tokenWebhook: { url: webhook.url, caFile: webhook.caFile } });
    arm = await startFakeArm(acr.entra, () => entraKubeconfig(plane.server, plane.caData));
    acr.entra.allow(`${arm.endpoint}/.default`);
    // The namespace is the platform team's: option-c-aks.yml deploys into it, never creates it.
    expect((await plane.api('POST', '/api/v1/namespaces', { metadata: { name: NAMESPACE } })).status).toBe(201);
    for (const service of SERVICES) ports[service] = await freePort();
    const byDeployment = Object.fromEntries(SERVICES.map((service) => [`${RELEASE}-${service}`, ports[service] ?? 0]));
    serving = await startServing(plane, NAMESPACE, byDeployment, { host: acr.registry, ...ADMIN });
    ingress = await startFront(statusRoutes(ports));
    github = await startFakeGitHub('omis', 'omis-sample', TOKEN);
    app = new SampleApp(acr.registry);
    // The runner, its tool cache holding Helm as a self-hosted runner image would.
    // What a rollback acts on: aks-production's own variables (act's `<environment>::NAME`, a
    // patch of ours); aks-staging has none, so a dispatch there can reach nothing.
    const production = {
      HELM_RELEASE: RELEASE,
      HELM_NAMESPACE: NAMESPACE,
      AZURE_SUBSCRIPTION_ID: '0b1f6471-1bf0-4dda-aec3-cb9272f09590',
      AKS_RESOURCE_GROUP: 'omis-prod-rg',
      AKS_CLUSTER_NAME: 'omis-prod-aks',
    };
    const vars = Object.fromEntries(Object.entries(production).map(([name, value]) => [`aks-production::${name}`, value]));
    runner = sampleRunner({ app, acr, github, token: TOKEN, armEndpoint: arm.endpoint, vars });
    seedHelmToolCache(runner.toolCache);
    app.serveAt(PUBLIC_ORIGIN, ingress.url);
    app.addBusybox();
  }, 240_000);

  afterAll(async () => {
    await serving?.close();
    await ingress?.close();
    await github?.close();
    await arm?.close();
    await plane?.close();
    await webhook?.close();
    await acr?.close();
    app?.cleanup();
    runner?.close();
  });

  const run = (workflow: string, event: Event): Promise<WorkflowRun> => runner.run(workflow, event);
  const push = (before: string, after: string) => run('deploy-aks.yml', { name: 'push', before, after });
  const info = async (service: string): Promise<unknown> => (await fetch(`${ingress.url}/status/${service}`)).json();
  const alert = () => github.issues.map(({ title, state }) => ({ title, state }));
  /** The report job's summary, as deploy-report prints it in its log. */
  const summary = (result: WorkflowRun): string => logOf(result, 'report');

  it('runs deploy-aks.yml for four releases and rollback-aks.yml, as GitHub would', async () => {
    // --- release 1: dispatched, so every service is built -----------------------------------
    const sha1 = app.release({ 'README.md': '# omis\n' }, 'release 1');
    const first = await run('deploy-aks.yml', { name: 'workflow_dispatch', inputs: {} });
    expectJobs(first, GOOD_RELEASE);
    expect(jobsOf(first, 'build')).toHaveLength(3);
    expect(jobsOf(first, 'push')).toHaveLength(3);
    // Two identities: the registry-push one for the images (build.yml's push job), the
    // production one for the cluster; the push identity was never asked for ARM or AKS.
    expect(new Set(acr.entra.byClient[PUSH_CLIENT])).toEqual(new Set([ACR_SCOPE]));
    expect(acr.entra.byClient[CLIENT]).toEqual(expect.arrayContaining([AKS_SCOPE, `${arm.endpoint}/.default`]));
    expect(stepOf(jobOf(first, 'deploy'), 'helm')?.outputs).toMatchObject({ revision: '1', status: 'deployed' });
    for (const service of SERVICES) expect(await info(service)).toMatchObject({ build: { sha: sha1 } });
    expect(arm.calls.at(-1)).toMatchObject({ operation: 'listClusterUserCredential', query: { format: 'exec' } });
    expect(webhook.reviews().authenticated).toBeGreaterThan(0);
    expect(summary(first)).toContain('### Release aks-production: deployed (option C)');
    // The phases are the run's jobs, as the GitHub stand-in lists them from act's own events.
    expect(github.requests.some((line) => line.includes('/actions/runs/'))).toBe(true);
    expect(summary(first)).toMatch(/\| deploy \| success \| /);
    expect(alert()).toEqual([]);

    // --- release 2: only the backend changed; the others keep release 1's images ----------
    const sha2 = app.release({ 'backend/public/index.html': '<h1>backend, release 2</h1>\n' }, 'release 2: backend only');
    const second = await push(sha1, sha2);
    expectJobs(second, GOOD_RELEASE);
    expect(jobsOf(second, 'build')).toHaveLength(1);
    expect(stepOf(jobOf(second, 'deploy'), 'helm')?.outputs).toMatchObject({ revision: '2', 'previous-revision': '1' });
    expect(await info('backend')).toMatchObject({ build: { sha: sha2 } });
    expect(await info('frontend')).toMatchObject({ build: { sha: sha1 } });
    expect(serving.images()[`${RELEASE}-frontend`]).toMatch(new RegExp(`:${sha1}$`));
    expect(stepOf(jobOf(second, 'deploy'), 'gate')?.result).toBe('success');

    // --- release 3: the backend lost its /api/info; the deploy job gates and rolls back ----
    const sha3 = app.releaseBrokenBackend();
    const third = await push(sha2, sha3);
    expectJobs(third, { changes: 'success', build: 'success', deploy: 'failure', report: 'success' });
    const deploy3 = jobOf(third, 'deploy');
    expect(stepOf(deploy3, 'helm')?.outputs).toMatchObject({ revision: '3', 'previous-revision': '2' });
    expect(stepOf(deploy3, 'gate')?.result).toBe('failure');
    expect(stepOf(deploy3, 'rollback')?.result).toBe('success');
    expect(stepOf(deploy3, 'rollback')?.outputs).toMatchObject({ revision: '4', 'rolled-back': 'true' });
    expect(stepOf(deploy3, 'gate-after-rollback')?.result).toBe('success');
    expect(await info('backend')).toMatchObject({ build: { sha: sha2 } });
    expect(summary(third)).toContain('### Release aks-production: ROLLED BACK (option C)');
    expect(summary(third)).toContain('status 404 not in 200-299');
    expect(alert()).toEqual([{ title: 'Deploy to aks-production failing', state: 'open' }]);

    // --- release 4: the fix; its good release closes the alert issue -----------------------
    const sha4 = app.releaseFixedBackend('release 4: backend fixed');
    const fourth = await push(sha3, sha4);
    expectJobs(fourth, GOOD_RELEASE);
    expect(stepOf(jobOf(fourth, 'deploy'), 'helm')?.outputs).toMatchObject({ revision: '5' });
    expect(await info('backend')).toMatchObject({ build: { sha: sha4 } });
    expect(alert()).toEqual([{ title: 'Deploy to aks-production failing', state: 'closed' }]);
    expect(github.violations).toEqual([]);

    // --- a dispatch to a staging environment leaves production untouched --------------------
    const revisions = async () =>
      (
        JSON.parse((await plane.api('GET', `/api/v1/namespaces/${NAMESPACE}/secrets?labelSelector=owner%3Dhelm`)).body) as {
          items: { metadata: { name: string; labels?: Record<string, string> } }[];
        }
      ).items.map((item) => `${item.metadata.name}=${item.metadata.labels?.status ?? ''}`);
    const before = JSON.stringify(await revisions());
    const armCalls = arm.calls.length;
    const staging = await run('rollback-aks.yml', {
      name: 'workflow_dispatch',
      inputs: { environment: 'aks-staging', target: '', reason: 'e2e: a staging dispatch' },
    });
    expectJobs(staging, { 'helm-rollback': 'failure', 'gitops-revert': 'skipped', report: 'success' });
    expect(logOf(staging, 'helm-rollback')).toContain("input 'release' is required");
    expect(JSON.stringify(await revisions())).toBe(before);
    expect(arm.calls.length).toBe(armCalls);
    expect(await info('backend')).toMatchObject({ build: { sha: sha4 } });

    // --- a dispatched rollback: back to the newest good revision before the current -------
    const back = await run('rollback-aks.yml', {
      name: 'workflow_dispatch',
      inputs: { environment: 'aks-production', target: '', reason: 'e2e: dispatch rollback' },
    });
    expectJobs(back, {
      'helm-rollback': 'success',
      'gitops-revert': 'skipped',
      'slot-swap-back': 'skipped',
    });
    expect(await info('backend')).toMatchObject({ build: { sha: sha2 } });
    expect(await info('frontend')).toMatchObject({ build: { sha: sha1 } });

    reportRuns('C', [first, second, third, fourth], back);
  });
});
