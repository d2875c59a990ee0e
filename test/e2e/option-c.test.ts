// Option C end to end, run through the bundled actions in option-c-aks.yml's order:
// changes (build-matrix) -> build (acr-push, the SHA tag only) -> deploy, the
// environment-bound job: helm-deploy signs in to AKS through OIDC (ARM's credential call,
// then a kubeconfig whose user is helm-deploy's own credential plugin) and upgrades the
// sample chart with the changed services' SHA tags, the others keeping theirs; health-gate:
// the changed services on the new SHA, the others healthy. Then a release of the backend
// alone, and a broken one: the gate fails -> helm-deploy rollback to previous-revision ->
// the gate again, healthy on the release before.
// REAL: git, Docker engine, Debian's docker-registry (token auth), Helm 4 (built from source,
// installed by helm-deploy through a loopback get.helm.sh), the control plane (etcd,
// kube-apiserver, kube-controller-manager, kube-scheduler) with kwok as the nodes, the
// sample chart, and the containers the serving stand-in runs from what Kubernetes rolled out.
// FAKES: the ACR token front, Entra ID, the runner's ID-token endpoint, ARM, AKS's Entra
// sign-in (a TokenReview webhook), GitHub's REST API (the report's alert issue), and the
// stand-in's networking (a loopback port per Deployment instead of Services and an
// ingress). The toolchain steps are not run. The run ends with deploy-report: the broken
// release opens the alert issue, and release 4 (the backend fixed) closes it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../packages/runner/harness.js';
import { controlPlaneBin, ensureTools } from '../../scripts/tools.mjs';
import { type ControlPlane, startControlPlane } from '../support/control-plane.js';
import { hasControlPlane, hasDocker, hasRegistry } from '../support/daemons.js';
import { ADMIN, CLIENT, type FakeAcr, startFakeAcr, TENANT } from '../support/fake-acr.js';
import { type AksAuthWebhook, entraKubeconfig, type FakeArm, startAksAuthWebhook, startFakeArm } from '../support/fake-arm.js';
import { type GetHelm, startGetHelm } from '../support/get-helm.js';
import { freePort } from '../support/http-server.js';
import { runAction } from '../support/run-action.js';
import {
  changes,
  gate,
  gateRelease,
  pushImage,
  reportTimes,
  SampleApp,
  SERVICES,
  show,
  showFailure,
} from '../support/sample-app.js';
import { ReleaseReport } from '../support/release-report.js';
import { type Serving, startServing } from '../support/serving.js';

const ENVIRONMENT = 'production';
const RELEASE = 'pc';
const NAMESPACE = 'omis';
const AKS_SCOPE = '6dae42f8-4368-4678-94ff-3960e28e3630/.default';
const CHART = 'charts/product-configurator';
const info = async (port: number): Promise<unknown> => (await fetch(`http://127.0.0.1:${port}/api/info`)).json();
const ready = hasDocker() && hasRegistry() && hasControlPlane();

describe.skipIf(!ready)('Option C end to end', () => {
  let acr: FakeAcr;
  let webhook: AksAuthWebhook;
  let plane: ControlPlane;
  let site: GetHelm;
  let arm: FakeArm;
  let app: SampleApp;
  let serving: Serving;
  let report: ReleaseReport;
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    ensureTools({ log: () => {} });
    acr = await startFakeAcr();
    acr.entra.allow(AKS_SCOPE);
    webhook = await startAksAuthWebhook(acr.entra, AKS_SCOPE);
    plane = await startControlPlane(controlPlaneBin(), { tokenWebhook: { url: webhook.url, caFile: webhook.caFile } });
    site = await startGetHelm();
    arm = await startFakeArm(acr.entra, () => entraKubeconfig(plane.server, plane.caData));
    acr.entra.allow(`${arm.endpoint}/.default`);
    app = new SampleApp(acr.registry);
    for (const service of SERVICES) ports[service] = await freePort();
    const byDeployment = Object.fromEntries(SERVICES.map((service) => [`${RELEASE}-${service}`, ports[service] ?? 0]));
    serving = await startServing(plane, NAMESPACE, byDeployment, { host: acr.registry, ...ADMIN });
    report = await ReleaseReport.start('c', ENVIRONMENT);
  }, 240_000);

  afterAll(async () => {
    await report?.close();
    await serving?.close();
    await arm?.close();
    await site?.close();
    await plane?.close();
    await webhook?.close();
    await acr?.close();
    app?.cleanup();
  });

  /** option-c-aks.yml's helm-deploy step (or its rollback step), signed in through OIDC. */
  const helmDeploy = (dir: string, inputs: Record<string, string>): Promise<RunResult> =>
    runAction(
      'helm-deploy',
      {
        release: RELEASE,
        namespace: NAMESPACE,
        'create-namespace': 'true',
        timeout: '2m',
        'helm-download-url': site.url,
        'client-id': CLIENT,
        'tenant-id': TENANT,
        'subscription-id': '0b1f6471-1bf0-4dda-aec3-cb9272f09590',
        'resource-group': 'omis-prod-rg',
        'cluster-name': 'omis-prod-aks',
        'authority-host': acr.authorityHost,
        'arm-endpoint': arm.endpoint,
        ...inputs,
      },
      { cwd: dir, env: { ...acr.oidcEnv, RUNNER_TOOL_CACHE: site.toolCache }, timeoutMs: 180_000 },
    );

  /** option-c-aks.yml's jobs for one push, up to the upgrade. */
  async function release(sha: string, before: string | undefined, expected: string[]) {
    const dir = app.checkout();
    const entries = await report.phase('changes', () => changes(dir, sha, before));
    expect(entries.map((entry) => entry.service)).toEqual(expected);
    for (const entry of entries) await report.phase(`build ${entry.service}`, () => pushImage(acr, entry, dir, sha, sha));
    const upgraded = show(
      'helm-deploy upgrade',
      await report.phase('deploy', () =>
        helmDeploy(dir, {
          chart: CHART,
          'values-files': `${CHART}/environments/${ENVIRONMENT}/values.yaml`,
          set: entries.map((entry) => `${entry.service}.image.tag=${sha}`).join('\n'),
        }),
      ),
    );
    return { dir, entries, upgraded };
  }

  it('deploys the new SHA with Helm, keeps unchanged services, and rolls a broken release back', async () => {
    // --- release 1: every service is new -------------------------------------------------
    const sha1 = app.release({}, 'release 1');
    const started = performance.now();
    const first = await release(sha1, undefined, SERVICES);
    expect(first.upgraded.outputs).toMatchObject({ revision: '1', status: 'deployed', 'previous-revision': '' });
    for (const result of await report.phase('gate', () => gateRelease(ports, SERVICES, sha1))) show('health-gate', result);
    const pushToHealthy = (performance.now() - started) / 1000;
    expect((await report.send('deployed', { entries: first.entries, sha: sha1 })).outputs['issue-action']).toBe('none');
    expect(arm.calls.at(-1)).toMatchObject({ operation: 'listClusterUserCredential', query: { format: 'exec' } });
    expect(webhook.reviews().authenticated).toBeGreaterThan(0);

    // --- release 2: only the backend changed; the others keep release 1's tags ------------
    const sha2 = app.release({ 'backend/public/index.html': '<h1>backend, release 2</h1>\n' }, 'release 2: backend only');
    const second = await release(sha2, sha1, ['backend']);
    expect(second.upgraded.outputs).toMatchObject({ revision: '2', 'previous-revision': '1' });
    for (const result of await gateRelease(ports, ['backend'], sha2)) show('health-gate (backend on the new SHA)', result);
    expect(await info(ports.frontend!)).toMatchObject({ build: { sha: sha1 } });
    expect(serving.images()[`${RELEASE}-frontend`]).toMatch(new RegExp(`:${sha1}$`));

    // --- release 3: the backend is broken (no /api/info); Kubernetes rolls it out ---------
    const sha3 = app.releaseBrokenBackend();
    const third = await release(sha3, sha2, ['backend']);
    expect(third.upgraded.outputs).toMatchObject({ revision: '3', 'previous-revision': '2', status: 'deployed' });
    await serving.until(`${RELEASE}-backend`, new RegExp(`:${sha3}$`));
    const bad = await report.phase('gate', () => gate(ports, ['backend'], sha3, { 'failure-threshold': '3' }));
    expect(showFailure('health-gate on the broken release (expected to fail)', bad)).toBe(
      `health-gate failed: ${bad.outputs.reason}`,
    );
    expect(bad.outputs.reason).toBe(
      `http://127.0.0.1:${ports.backend}/api/info: status 404 not in 200-299 (3 failing rounds in a row)`,
    );

    // --- rollback: the deploy job's rollback step, to the revision before this run --------
    const rollbackStarted = performance.now();
    const rolled = show(
      'helm-deploy rollback',
      await report.phase('rollback', () =>
        helmDeploy(third.dir, { action: 'rollback', revision: third.upgraded.outputs['previous-revision'] ?? '' }),
      ),
    );
    expect(rolled.outputs).toMatchObject({ revision: '4', 'previous-revision': '3', 'rolled-back': 'true' });
    show(
      'health-gate after rollback',
      await runAction('health-gate', {
        url: SERVICES.map((name) => `http://127.0.0.1:${ports[name]}/api/info`).join('\n'),
        interval: '250ms',
        timeout: '60s',
      }),
    );
    const rollbackSeconds = (performance.now() - rollbackStarted) / 1000;
    expect(await info(ports.backend!)).toMatchObject({ build: { sha: sha2 } });
    expect(await info(ports.frontend!)).toMatchObject({ build: { sha: sha1 } });
    const history = JSON.parse(rolled.outputs.history ?? '[]') as { revision: number; description: string }[];
    expect(history.at(-1)?.description).toBe('Rollback to 2');

    // --- the report of the broken release opens the alert issue; the next good release closes it
    const alerted = await report.send('rolled-back', { entries: third.entries, sha: sha3 }, bad.outputs.reason);
    expect(alerted.outputs['issue-action']).toBe('opened');
    report.expectAlert('open');
    const sha4 = app.releaseFixedBackend('release 4: backend fixed');
    const fourth = await release(sha4, sha3, ['backend']);
    for (const result of await report.phase('gate', () => gateRelease(ports, ['backend'], sha4))) show('health-gate', result);
    expect((await report.send('deployed', { entries: fourth.entries, sha: sha4 })).outputs['issue-action']).toBe('closed');
    report.expectAlert('closed');

    reportTimes('C', pushToHealthy, rollbackSeconds);
    expect(pushToHealthy).toBeLessThan(90);
    expect(rollbackSeconds).toBeLessThan(30);
  });
});
