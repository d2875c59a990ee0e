// helm-deploy's bundle, run as the runner runs it, against:
// REAL: Helm 3 and Helm 4 (built from source by scripts/tools.mjs, installed by the action's
// own tool-cache path), a Kubernetes control plane (etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler) with kwok playing the node, the sample chart.
// FAKES: get.helm.sh (a static file server), Entra ID and the runner's ID-token endpoint
// (fake-entra.ts), ARM's listClusterUserCredential/listClusterAdminCredential (fake-arm.ts),
// and AKS's Entra sign-in as a TokenReview webhook the real apiserver calls. Charts over
// OCI: REAL Debian docker-registry behind the FAKE ACR front (token exchange, test/support/
// fake-acr.ts), real Helm pushing and pulling.
import { type ChildProcess, execFile, execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bundlePath } from '../../packages/runner/harness.js';
import { exec } from '../../packages/shared/exec.js';
import { controlPlaneBin, ensureTools, helmBinary } from '../../scripts/tools.mjs';
import { type ControlPlane, startControlPlane } from '../support/control-plane.js';
import { hasControlPlane, hasRegistry } from '../support/daemons.js';
import { ADMIN, type FakeAcr, startFakeAcr } from '../support/fake-acr.js';
import { type AksAuthWebhook, entraKubeconfig, type FakeArm, startAksAuthWebhook, startFakeArm } from '../support/fake-arm.js';
import { CLIENT, type FakeEntra, startFakeEntra, TENANT } from '../support/fake-entra.js';
import { type GetHelm, startGetHelm } from '../support/get-helm.js';
import { delay } from '../support/http-server.js';
import { failure, runAction, succeeded } from '../support/run-action.js';

const execFileAsync = promisify(execFile);
const ready = hasControlPlane();
const SAMPLE_CHART = join(import.meta.dirname, '..', '..', 'examples', 'omis-sample', 'charts', 'product-configurator');
const AKS_SCOPE = '6dae42f8-4368-4678-94ff-3960e28e3630/.default';
const SUBSCRIPTION = '0b1f6471-1bf0-4dda-aec3-111122223333';

interface HistoryEntry {
  revision: number;
  status: string;
  description: string;
}

const tags = (frontend: string, backend: string, csvtomdb: string) =>
  `frontend.image.tag=${frontend}\nbackend.image.tag=${backend}\ncsvtomdb.image.tag=${csvtomdb}`;
/** A label no kwok node has: the rollout never becomes ready. */
const NEVER_READY = 'nodeSelector.missing=yes';

describe.skipIf(!ready)('helm-deploy against a real control plane with real Helm 3 and 4', () => {
  let entra: FakeEntra;
  let webhook: AksAuthWebhook;
  let plane: ControlPlane;
  let site: GetHelm;
  let arm: FakeArm;
  let work: string;

  beforeAll(async () => {
    ensureTools({ log: () => {} });
    work = mkdtempSync(join(tmpdir(), 'helm-deploy-'));
    entra = await startFakeEntra(work, [AKS_SCOPE]);
    webhook = await startAksAuthWebhook(entra, AKS_SCOPE);
    plane = await startControlPlane(controlPlaneBin(), { tokenWebhook: { url: webhook.url, caFile: webhook.caFile } });
    site = await startGetHelm();
    arm = await startFakeArm(entra, (call) =>
      call.cluster === 'omis-aks' && call.operation === 'listClusterUserCredential'
        ? entraKubeconfig(plane.server, plane.caData)
        : readFileSync(plane.kubeconfig, 'utf8'),
    );
    entra.allow(`${arm.endpoint}/.default`);
    // The workspace: the sample chart, and a kubeconfig as azure/aks-set-context would leave one.
    cpSync(SAMPLE_CHART, join(work, 'chart'), { recursive: true });
    mkdirSync(join(work, '.kube'));
    copyFileSync(plane.kubeconfig, join(work, '.kube', 'config'));
  }, 240_000);

  afterAll(async () => {
    await arm?.close();
    await site?.close();
    await plane?.close();
    await webhook?.close();
    await entra?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const deploy = (inputs: Record<string, string>, options: Parameters<typeof runAction>[2] = {}) =>
    runAction(
      'helm-deploy',
      { 'helm-download-url': site.url, kubeconfig: '.kube/config', chart: 'chart', ...inputs },
      { cwd: work, timeoutMs: 180_000, ...options, env: { RUNNER_TOOL_CACHE: site.toolCache, ...options.env } },
    );

  /** The real helm 4 from the test, for what the test looks at (never what the action does). */
  const helm = async (...args: string[]) =>
    (await execFileAsync(helmBinary('helm4'), args, { env: { ...process.env, KUBECONFIG: plane.kubeconfig } })).stdout;
  const history = async (release: string): Promise<HistoryEntry[]> =>
    JSON.parse(await helm('history', release, '-o', 'json')) as HistoryEntry[];
  const values = async (release: string) =>
    JSON.parse(await helm('get', 'values', release, '-o', 'json')) as Record<string, { image?: { tag?: string } }>;

  /** Waits until the release's last revision is pending (a helm of the action is waiting). */
  async function untilPending(release: string): Promise<HistoryEntry> {
    for (let attempt = 0; attempt < 120; attempt++) {
      const last = (await history(release).catch(() => [] as HistoryEntry[])).at(-1);
      if (last?.status.startsWith('pending-')) return last;
      await delay(250);
    }
    throw new Error(`${release} never became pending`);
  }

  /** The helm process the action's node process started. */
  function helmChildOf(node: ChildProcess): number {
    const pids = execFileSync('ps', ['-o', 'pid=', '--ppid', String(node.pid)], { encoding: 'utf8' })
      .trim()
      .split(/\s+/);
    const pid = Number(pids[0]);
    if (!pid) throw new Error('the action has no helm child');
    return pid;
  }

  /**
   * Leaves `release` pending for real: an action runs an upgrade that never becomes ready, and
   * is killed mid-wait with its helm (what the runner's kill of the tree does).
   */
  async function leavePending(release: string, inputs: Record<string, string>): Promise<HistoryEntry> {
    let node: ChildProcess | undefined;
    const running = deploy(
      { release, 'rollback-on-failure': 'false', timeout: '2m', ...inputs },
      {
        onSpawn: (child) => {
          node = child;
        },
      },
    ).catch((error: unknown) => error);
    const pending = await untilPending(release);
    const helmPid = helmChildOf(node!);
    process.kill(helmPid, 'SIGKILL');
    node!.kill('SIGKILL');
    expect(String(await running)).toMatch(/killed by a signal/);
    return pending;
  }

  it.concurrent.each([
    ['3', 'helm3', ['--atomic', '--wait ']],
    ['', 'helm4', ['--rollback-on-failure', '--wait=watcher']],
  ])(
    'helm-version "%s" (%s): installs, upgrades one service keeping the others, and passes its own flags',
    async (version, name, flags) => {
      const release = `pc-${name}`;
      const inputs = { release, ...(version && { 'helm-version': version }) };
      const first = succeeded(await deploy({ ...inputs, set: tags('f1', 'b1', 'c1') }));
      expect(first.outputs).toMatchObject({
        revision: '1',
        'previous-revision': '',
        status: 'deployed',
        'rolled-back': 'false',
        recovered: 'none',
        chart: 'product-configurator-1.0.0',
        'app-version': '1.0.0',
        'helm-version': site.versions[name as 'helm3' | 'helm4'],
      });
      // Only the backend is released; reset-then-reuse keeps the others' tags.
      const second = succeeded(await deploy({ ...inputs, set: 'backend.image.tag=b2' }, { env: { ACTIONS_STEP_DEBUG: 'true' } }));
      expect(second.outputs).toMatchObject({ revision: '2', 'previous-revision': '1', status: 'deployed' });
      const now = await values(release);
      expect([now.frontend?.image?.tag, now.backend?.image?.tag, now.csvtomdb?.image?.tag]).toEqual(['f1', 'b2', 'c1']);
      // The command line, from the debug log: each major's own flags, positional values after --.
      const line = second.stdout.split('\n').find((text) => text.includes(' upgrade --namespace')) ?? '';
      for (const flag of [...flags, '--reset-then-reuse-values', '--cleanup-on-fail', '--history-max 10', '--timeout 300s'])
        expect(line).toContain(flag);
      expect(line).toMatch(new RegExp(`-- ${release} \\S+/chart$`));
      expect(JSON.parse(second.outputs.history ?? '[]')).toHaveLength(2);
      // The summary: the history table and the diff of the backend's image only.
      expect(second.summary).toContain('| 2 |');
      expect(second.summary).toContain('-          image: "omispcacrprod.azurecr.io/omis-pc/backend:b1"');
      expect(second.summary).toContain('+          image: "omispcacrprod.azurecr.io/omis-pc/backend:b2"');
      expect(second.summary).not.toContain('frontend:f1"\n+');
    },
  );

  it('a failing rollout is rolled back by Helm, and rollback to previous skips the failed revision', async () => {
    const release = 'pc-failing';
    succeeded(await deploy({ release, set: tags('f1', 'b1', 'c1') }));
    succeeded(await deploy({ release, set: 'backend.image.tag=b2' }));
    const broken = await deploy({ release, set: `backend.image.tag=b3\n${NEVER_READY}`, timeout: '8s' });
    const error = failure(broken);
    expect(error).toMatch(/^helm-deploy failed: rolled back: Error: UPGRADE FAILED: /);
    expect(broken.outputs).toMatchObject({ 'rolled-back': 'true', status: 'deployed', revision: '4', 'previous-revision': '2' });
    expect((await history(release)).map((entry) => entry.status)).toEqual(['superseded', 'superseded', 'failed', 'deployed']);
    // previous: the newest good revision before the deployed one (4, Helm's "Rollback to 2")
    // whose chart or values differ from it: never the failed 3, and not 2, which is what runs.
    const back = succeeded(await deploy({ release, action: 'rollback' }));
    expect(back.outputs).toMatchObject({ revision: '5', 'previous-revision': '4', 'rolled-back': 'true', status: 'deployed' });
    expect((await history(release)).at(-1)?.description).toBe('Rollback to 1');
    const rolled = succeeded(await deploy({ release, action: 'rollback', revision: '1' }));
    expect(rolled.outputs.revision).toBe('6');
    expect((await values(release)).backend?.image?.tag).toBe('b1');
    const status = succeeded(await deploy({ release, action: 'status' }));
    expect(status.outputs).toMatchObject({ revision: '6', status: 'deployed', 'rolled-back': 'false' });
  });

  it('refuses a Helm whose checksum does not match, runs nothing, and a second install downloads nothing', async () => {
    site.corrupt('3.98.0');
    const refused = await deploy({ release: 'pc-never', 'helm-version': '3.98.0', set: tags('a', 'b', 'c') });
    expect(failure(refused)).toMatch(
      /helm-v3\.98\.0-linux-amd64\.tar\.gz has sha256 [0-9a-f]{64}, but its \.sha256sum says a{64}/,
    );
    await expect(history('pc-never')).rejects.toThrow(/not found/);
    // Once the pinned Helm 4 is in the tool cache, nothing more is fetched.
    succeeded(await deploy({ release: 'pc-cache', action: 'status' }));
    const hits = site.hits();
    const again = succeeded(await deploy({ release: 'pc-cache', action: 'status' }));
    expect(site.hits()).toBe(hits);
    expect(again.outputs).toMatchObject({ status: 'not-installed', revision: '' });
    // A cached Helm changed since it was verified is refused before it runs.
    const cachedHelm = join(site.toolCache, 'helm', site.versions.helm4.replace(/^v/, ''), 'amd64', 'helm');
    const genuine = readFileSync(cachedHelm);
    writeFileSync(cachedHelm, Buffer.concat([genuine, Buffer.from('\n# swapped\n')]));
    expect(failure(await deploy({ release: 'pc-cache', action: 'status' }))).toMatch(
      /the cached Helm [0-9.]+ \(.*\/helm\) has sha256 [0-9a-f]{64}, not the [0-9a-f]{64} recorded when it was verified/,
    );
    writeFileSync(cachedHelm, genuine);
    // system: the helm on PATH, whatever it is (here the real Helm 3), and nothing fetched.
    const path = `${dirname(helmBinary('helm3'))}:${process.env.PATH ?? ''}`;
    const system = succeeded(
      await deploy({ release: 'pc-cache', action: 'status', 'helm-version': 'system' }, { env: { PATH: path } }),
    );
    expect(system.outputs['helm-version']).toBe(site.versions.helm3);
    expect(site.hits()).toBe(hits);
  });

  it('recovers a release left pending-upgrade by a killed run, and waits for a young one', async () => {
    const release = 'pc-stuck';
    succeeded(await deploy({ release, set: tags('f1', 'b1', 'c1') }));
    const pending = await leavePending(release, { set: `backend.image.tag=b2\n${NEVER_READY}` });
    expect(pending).toMatchObject({ revision: 2, status: 'pending-upgrade' });

    // Younger than the grace (2m): taken for a live run, waited for up to the timeout, then refused.
    const waited = await deploy({ release, set: 'backend.image.tag=b3', timeout: '3s' });
    expect(failure(waited)).toMatch(/revision 2 is pending-upgrade .* still pending after waiting 3s/);
    expect(waited.log).toContain('taken for a live run, waiting for it');
    expect((await history(release)).at(-1)?.status).toBe('pending-upgrade');
    const failed = await deploy({ release, set: 'backend.image.tag=b3', 'pending-release': 'fail' });
    expect(failure(failed)).toMatch(/revision 2 is pending-upgrade .*pending-release is fail, so nothing was changed/);

    // Past the grace: rolled back to revision 1, then upgraded.
    const recovered = succeeded(await deploy({ release, set: 'backend.image.tag=b3', 'pending-grace': '0s' }));
    expect(recovered.outputs).toMatchObject({ recovered: 'rolled-back', status: 'deployed', revision: '4' });
    expect(recovered.log).toContain('was left pending-upgrade by a run that did not finish: rolling back to revision 1');
    expect((await history(release)).map((entry) => entry.description)).toEqual([
      'Install complete',
      expect.stringMatching(/Upgrade|Rollback|Preparing/),
      'Rollback to 1',
      'Upgrade complete',
    ]);
  });

  it('uninstalls a release left pending-install, then installs it', async () => {
    const release = 'pc-first';
    const pending = await leavePending(release, { set: `${tags('f1', 'b1', 'c1')}\n${NEVER_READY}` });
    expect(pending).toMatchObject({ revision: 1, status: 'pending-install' });
    const recovered = succeeded(await deploy({ release, set: tags('f1', 'b1', 'c1'), 'pending-grace': '1s' }));
    expect(recovered.outputs).toMatchObject({ recovered: 'uninstalled', status: 'deployed', revision: '1' });
  });

  it('passes SIGINT to helm at once during --wait; the next run recovers what helm left', async () => {
    const release = 'pc-cancel';
    succeeded(await deploy({ release, set: tags('f1', 'b1', 'c1') }));
    let node: ChildProcess | undefined;
    const lines: { at: number; line: string }[] = [];
    const running = deploy(
      { release, set: `backend.image.tag=b2\n${NEVER_READY}`, timeout: '2m' },
      {
        onSpawn: (child) => {
          node = child;
        },
        onLine: (line) => lines.push({ at: performance.now(), line }),
      },
    );
    await untilPending(release);
    const sent = performance.now();
    node!.kill('SIGINT');
    const cancelled = await running;
    const ended = performance.now();
    expect(failure(cancelled)).toMatch(/cancelled by SIGINT during helm upgrade, which was told at once/);
    // Helm's own word that it got the signal, within a second of it.
    const told = lines.find((entry) => /has been cancelled|context canceled|interrupt/i.test(entry.line));
    expect(told, lines.map((entry) => entry.line).join('\n')).toBeDefined();
    expect(told!.at - sent).toBeLessThan(1000);
    console.log(`SIGINT -> helm said so in ${Math.round(told!.at - sent)} ms; the step ended in ${Math.round(ended - sent)} ms`);
    // Whatever it left (failed, rolled back, or still pending), the next run ends deployed.
    const next = succeeded(await deploy({ release, set: 'backend.image.tag=b3', 'pending-grace': '0s' }));
    expect(next.outputs.status).toBe('deployed');
    expect((await values(release)).backend?.image?.tag).toBe('b3');
  });

  it('dry-run renders on the server, shows the diff, and changes nothing', async () => {
    const release = 'pc-helm4';
    const before = await history(release);
    const dry = succeeded(await deploy({ release, set: 'frontend.image.tag=f9', 'dry-run': 'true' }));
    expect(await history(release)).toEqual(before);
    expect(dry.summary).toContain('+          image: "omispcacrprod.azurecr.io/omis-pc/frontend:f9"');
    expect(dry.outputs.revision).toBe(String(before.at(-1)?.revision));
  });

  it('reaches an Entra-enabled AKS through OIDC: ARM hands out the kubeconfig, each helm call gets a fresh token', async () => {
    const release = 'pc-aks';
    const aks = {
      'client-id': CLIENT,
      'tenant-id': TENANT,
      'subscription-id': SUBSCRIPTION,
      'resource-group': 'omis-rg',
      'cluster-name': 'omis-aks',
      'authority-host': entra.authorityHost,
      'arm-endpoint': arm.endpoint,
      kubeconfig: '',
    };
    const mintedBefore = entra.minted(AKS_SCOPE);
    const result = succeeded(await deploy({ ...aks, release, set: tags('f1', 'b1', 'c1') }, { env: entra.oidcEnv }));
    expect(result.outputs.status).toBe('deployed');
    expect(arm.calls.at(-1)).toMatchObject({
      operation: 'listClusterUserCredential',
      subscription: SUBSCRIPTION,
      resourceGroup: 'omis-rg',
      cluster: 'omis-aks',
      query: { 'api-version': '2025-10-01', format: 'exec' },
    });
    expect(arm.refused()).toBe(0);
    // history, upgrade, history, get manifest: a helm process each, a fresh token each.
    expect(entra.minted(AKS_SCOPE) - mintedBefore).toBeGreaterThanOrEqual(4);
    expect(webhook.reviews().authenticated).toBeGreaterThanOrEqual(4);
    // The kubeconfig was 0600 under RUNNER_TEMP, and the post step removed it.
    const path = result.outputs.kubeconfig ?? '';
    expect(path).toMatch(/deploy-actions-helm-deploy-[^/]+\/kubeconfig$/);
    expect(existsSync(path)).toBe(false);

    // The credential mode alone: two calls, two tokens, stdout holding ExecCredential JSON only.
    const root = join(import.meta.dirname, '..', '..');
    const script = bundlePath(root, join(root, 'helm-deploy'), '../dist/helm-deploy/index.js', inject('bundleDir'));
    const env = {
      ...process.env,
      ...entra.oidcEnv,
      DEPLOY_ACTIONS_AKS_CREDENTIAL: JSON.stringify({
        clientId: CLIENT,
        tenantId: TENANT,
        authorityHost: entra.authorityHost,
        scope: AKS_SCOPE,
      }),
    };
    const call = async () =>
      JSON.parse((await execFileAsync(process.execPath, [script, 'credential'], { env })).stdout) as {
        kind: string;
        status: { token: string; expirationTimestamp: string };
      };
    const [one, two] = [await call(), await call()];
    expect(one.kind).toBe('ExecCredential');
    expect(one.status.token).not.toBe(two.status.token);
    expect(entra.scopeOf(one.status.token)).toBe(AKS_SCOPE);
    expect(Date.parse(one.status.expirationTimestamp)).toBeGreaterThan(Date.now());

    // Admin credentials: the other ARM operation, no format.
    const admin = succeeded(await deploy({ ...aks, release, action: 'status', admin: 'true' }, { env: entra.oidcEnv }));
    expect(admin.outputs.revision).toBe('1');
    expect(arm.calls.at(-1)).toMatchObject({ operation: 'listClusterAdminCredential', query: { 'api-version': '2025-10-01' } });
    expect(arm.calls.at(-1)?.query.format).toBeUndefined();
  });

  /** ARM's stand-in for one private cluster (with Entra or not), and helm-deploy's inputs for it. */
  const privateCluster = async (withEntra: boolean, name: string) => {
    const privateArm = await startFakeArm(entra, () => '', {
      private: true,
      entra: withEntra,
      kubeconfig: readFileSync(plane.kubeconfig, 'utf8'),
      helm: helmBinary('helm4'),
    });
    entra.allow(`${privateArm.endpoint}/.default`);
    const aks = {
      'client-id': CLIENT,
      'tenant-id': TENANT,
      'subscription-id': SUBSCRIPTION,
      'resource-group': 'omis-rg',
      'cluster-name': name,
      'authority-host': entra.authorityHost,
      'arm-endpoint': privateArm.endpoint,
      kubeconfig: '',
      'values-files': 'chart/environments/staging/values.yaml',
    };
    return { arm: privateArm, aks };
  };

  it("deploys to a private AKS cluster through ARM's run command: helm runs in the cluster, no kubeconfig on the runner", async () => {
    // FAKE: ARM's managedClusters Get, Run Command and Get Command Result (fake-arm.ts); REAL:
    // the helm the "pod" runs and the control plane it reaches with the cluster's own kubeconfig.
    const { arm: privateArm, aks } = await privateCluster(false, 'omis-private');
    try {
      const result = succeeded(
        await deploy({ ...aks, release: 'pc-private', set: tags('p1', 'p1', 'p1') }, { env: entra.oidcEnv }),
      );
      expect(result.outputs).toMatchObject({
        status: 'deployed',
        revision: '1',
        kubeconfig: '',
        chart: 'product-configurator-1.0.0',
      });
      expect(result.outputs['helm-version']).toMatch(/^v4\./);
      // No credential ever came to the runner: ARM was asked for none.
      expect(privateArm.calls).toEqual([]);
      const upgrade = privateArm.runCommands.find((run) => run.command.startsWith("helm 'upgrade'"));
      expect(upgrade?.contextFiles).toEqual(expect.arrayContaining(['./chart/Chart.yaml', './values/0-values.yaml']));
      expect(upgrade?.command).toContain("'--values' 'values/0-values.yaml'");
      expect(upgrade?.command).toContain("'--' 'pc-private' 'chart'");
      expect(upgrade?.exitCode).toBe(0);
      expect(await values('pc-private')).toMatchObject({ frontend: { image: { tag: 'p1' } } });
      expect((await history('pc-private')).map((entry) => entry.status)).toEqual(['deployed']);

      // Helm's own failure comes back from the pod as the step's error, with nothing deployed.
      const bad = await deploy({ ...aks, release: 'pc-private', set: 'frontend.replicas=not-a-number' }, { env: entra.oidcEnv });
      expect(bad.exitCode).toBe(1);
      expect(failure(bad)).toMatch(/Error: /);
      expect(result.log).not.toMatch(/^::add-mask::$/m);
    } finally {
      await privateArm.close();
    }
  });

  it('runs the command of an Entra-enabled private cluster with an AKS token of its own, and only renders on dry-run', async () => {
    // FAKE: ARM's managedClusters Get, Run Command and Get Command Result (fake-arm.ts), whose
    // "API server" refuses a command without an Entra token for the AKS server app; Entra.
    // REAL: the helm the "pod" runs and the control plane it reaches.
    const { arm: entraArm, aks: inputs } = await privateCluster(true, 'omis-private-entra');
    // auto: the cluster's own properties say it is private.
    const aks = { ...inputs, 'private-cluster': 'auto' };
    try {
      const result = succeeded(
        await deploy({ ...aks, release: 'pc-entra', set: tags('e1', 'e1', 'e1') }, { env: entra.oidcEnv }),
      );
      expect(result.outputs).toMatchObject({ status: 'deployed', revision: '1' });
      // Every command carried a token for the AKS server app, minted for this step and masked.
      const tokens = entraArm.runCommands.map((run) => run.clusterToken ?? '');
      expect(tokens.length).toBeGreaterThan(0);
      for (const token of tokens) {
        expect(entra.scopeOf(token)).toBe(AKS_SCOPE);
        expect(result.masks).toContain(token);
        expect(result.log).not.toContain(token);
      }

      // dry-run: the chart is rendered against the cluster through the same command, and
      // nothing changes: the release's history is the same after it.
      const before = await history('pc-entra');
      const dry = succeeded(
        await deploy({ ...aks, release: 'pc-entra', set: tags('e2', 'e2', 'e2'), 'dry-run': 'true' }, { env: entra.oidcEnv }),
      );
      expect(
        entraArm.runCommands.some(
          (run) => run.command.startsWith("helm 'upgrade'") && run.command.includes("'--dry-run=server'"),
        ),
      ).toBe(true);
      expect(dry.outputs.revision).toBe('1');
      expect(await history('pc-entra')).toEqual(before);
      expect(await values('pc-entra')).toMatchObject({ frontend: { image: { tag: 'e1' } } });
    } finally {
      await entraArm.close();
    }
  });

  it('writes the kubeconfig it fetched as 0600 while the job runs', async () => {
    const runnerTemp = mkdtempSync(join(work, 'runner-temp-'));
    const result = succeeded(
      await deploy(
        {
          release: 'pc-aks',
          action: 'status',
          'client-id': CLIENT,
          'tenant-id': TENANT,
          'subscription-id': SUBSCRIPTION,
          'resource-group': 'omis-rg',
          'cluster-name': 'omis-aks',
          'authority-host': entra.authorityHost,
          'arm-endpoint': arm.endpoint,
          kubeconfig: '',
        },
        { env: { ...entra.oidcEnv, RUNNER_TEMP: runnerTemp }, post: false },
      ),
    );
    const path = result.outputs.kubeconfig ?? '';
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain('kubelogin');
    expect(text).toContain('credential');
    expect(result.state['kubeconfig-dir']).toBeTruthy();
  });

  describe.skipIf(!hasRegistry())("charts from ACR over OCI, with the workflow's own OIDC", () => {
    let acr: FakeAcr;
    let helmHome: string;
    /** The test's own helm 4, logged in as the registry's admin (never the action's login). */
    const admin = async (...args: string[]) =>
      (
        await execFileAsync(helmBinary('helm4'), args, {
          env: { ...process.env, KUBECONFIG: plane.kubeconfig, HELM_REGISTRY_CONFIG: join(helmHome, 'registry.json') },
        })
      ).stdout;

    beforeAll(async () => {
      acr = await startFakeAcr();
      helmHome = mkdtempSync(join(work, 'admin-helm-'));
      // Async (the fake ACR answers from this process), with the password on stdin.
      const login = await exec(
        helmBinary('helm4'),
        ['registry', 'login', acr.registry, '--username', ADMIN.username, '--password-stdin', '--plain-http'],
        {
          input: ADMIN.password,
          env: { ...process.env, HELM_REGISTRY_CONFIG: join(helmHome, 'registry.json') },
          timeoutMs: 30_000,
        },
      );
      if (login.code !== 0) throw new Error(`admin login: ${login.stderr}`);
      await admin('package', SAMPLE_CHART, '--destination', helmHome);
      await admin('push', join(helmHome, 'product-configurator-1.0.0.tgz'), `oci://${acr.registry}/charts`, '--plain-http');
    }, 120_000);
    afterAll(async () => {
      await acr?.close();
    });

    const viaAcr = (inputs: Record<string, string>, options: Parameters<typeof runAction>[2] = {}) =>
      deploy(
        {
          'client-id': CLIENT,
          'tenant-id': TENANT,
          'authority-host': acr.authorityHost,
          'registry-login': 'oidc',
          ...inputs,
        },
        { ...options, env: { ...acr.oidcEnv, ...options.env } },
      );

    it('pulls an oci:// chart with an ACR token from OIDC, in a registry config of its own that the post step removes', async () => {
      const runnerTemp = mkdtempSync(join(work, 'runner-temp-'));
      const exchanges = acr.stats.exchanges;
      const during = await viaAcr(
        {
          release: 'pc-oci',
          chart: `oci://${acr.registry}/charts/product-configurator`,
          'chart-version': '1.0.0',
          set: tags('o1', 'o1', 'o1'),
        },
        { env: { RUNNER_TEMP: runnerTemp }, post: false },
      );
      succeeded(during);
      expect(during.outputs).toMatchObject({ status: 'deployed', chart: 'product-configurator-1.0.0' });
      expect(acr.stats.exchanges).toBe(exchanges + 1);
      const config = join(during.state['chart-dir'] ?? '', 'registry.json');
      expect(statSync(config).mode & 0o777).toBe(0o600);
      // The refresh token is in that file only: masked, and never in the log or summary.
      const auth = (JSON.parse(readFileSync(config, 'utf8')) as { auths: Record<string, { auth: string }> }).auths[acr.registry];
      const token =
        Buffer.from(auth?.auth ?? '', 'base64')
          .toString()
          .split(':')[1] ?? '';
      expect(token.length).toBeGreaterThan(20);
      expect(during.stdout).toContain(`::add-mask::${token}`);
      for (const text of [during.summary, during.stderr, JSON.stringify(during.outputs)]) expect(text).not.toContain(token);
      expect(await values('pc-oci')).toMatchObject({ frontend: { image: { tag: 'o1' } } });

      // With the post step, the login goes; the runner's own Helm config was never touched.
      const whole = succeeded(
        await viaAcr({
          release: 'pc-oci',
          chart: `oci://${acr.registry}/charts/product-configurator`,
          set: tags('o2', 'o2', 'o2'),
        }),
      );
      expect(existsSync(whole.state['chart-dir'] ?? '/nonexistent')).toBe(false);
      expect(whole.outputs.revision).toBe('2');

      // Without the login, the registry refuses Helm (401), and nothing is deployed.
      const none = await deploy({
        release: 'pc-oci',
        chart: `oci://${acr.registry}/charts/product-configurator`,
        set: tags('o3', 'o3', 'o3'),
      });
      expect(failure(none)).toMatch(/401|unauthorized|authentication required/i);
      expect((await history('pc-oci')).length).toBe(2);
    });

    it('dependency-build builds from Chart.lock on a copy, with the same login; a lock out of step with Chart.yaml fails', async () => {
      const parent = join(work, 'umbrella');
      mkdirSync(join(parent, 'templates'), { recursive: true });
      const chartYaml = (version: string) =>
        [
          'apiVersion: v2',
          'name: umbrella',
          'version: 0.1.0',
          'dependencies:',
          '  - name: product-configurator',
          `    version: ${version}`,
          `    repository: oci://${acr.registry}/charts`,
          '',
        ].join('\n');
      writeFileSync(join(parent, 'Chart.yaml'), chartYaml('1.0.0'));
      // The lock, as `helm dependency update` writes it (the test's admin login), then the
      // downloaded dependency removed: the action must build it itself.
      await admin('dependency', 'update', parent, '--plain-http');
      rmSync(join(parent, 'charts'), { recursive: true, force: true });
      const set = ['frontend', 'backend', 'csvtomdb'].map((name) => `product-configurator.${name}.image.tag=d1`).join('\n');
      const result = succeeded(await viaAcr({ release: 'pc-umbrella', chart: 'umbrella', 'dependency-build': 'true', set }));
      expect(result.outputs).toMatchObject({ status: 'deployed', chart: 'umbrella-0.1.0' });
      expect(existsSync(join(parent, 'charts'))).toBe(false);

      // Chart.yaml moved on without the lock: Helm refuses, and the release stays at revision 1.
      writeFileSync(join(parent, 'Chart.yaml'), chartYaml('~1.0.1'));
      const stale = await viaAcr({ release: 'pc-umbrella', chart: 'umbrella', 'dependency-build': 'true', set });
      expect(failure(stale)).toMatch(/helm dependency build failed: Error: .*(out of sync|Chart\.lock)/i);
      expect((await history('pc-umbrella')).length).toBe(1);
    });
  });
});
