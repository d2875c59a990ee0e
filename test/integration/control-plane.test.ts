// Real: etcd (Debian's etcd-server), kube-apiserver, kube-controller-manager and
// kube-scheduler built from k8s.io/kubernetes, kwok playing one node, and the real Helm 3
// and Helm 4 built by scripts/tools.mjs. Nothing is faked here.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlPlaneBin, ensureTools, helmBinary } from '../../scripts/tools.mjs';
import { type ControlPlane, startControlPlane } from '../support/control-plane.js';
import { hasControlPlane } from '../support/daemons.js';

const execFileAsync = promisify(execFile);
const ready = hasControlPlane();
const CHART = join(import.meta.dirname, '..', 'fixtures', 'charts', 'minimal');

describe.skipIf(!ready)('a Kubernetes control plane with kwok nodes (all real)', () => {
  let plane: ControlPlane;
  beforeAll(async () => {
    ensureTools({ log: () => {} });
    plane = await startControlPlane(controlPlaneBin());
    console.log(`control plane ready in ${plane.startSeconds.toFixed(1)} s`);
  }, 240_000);
  afterAll(async () => {
    await plane?.close();
  });

  it('answers /readyz', async () => {
    expect(await plane.api('GET', '/readyz')).toMatchObject({ status: 200, body: 'ok' });
  });

  /** The real helm of `name` against this cluster, with its own cache and config folders. */
  const helmOf = (name: string) => {
    const env = {
      ...process.env,
      KUBECONFIG: plane.kubeconfig,
      HELM_CACHE_HOME: join(plane.logs, name),
      HELM_CONFIG_HOME: join(plane.logs, name),
    };
    return async (...args: string[]) => (await execFileAsync(helmBinary(name), args, { env, encoding: 'utf8' })).stdout;
  };

  it.each(['helm3', 'helm4'])('%s installs the chart and waits until its Deployment is rolled out', async (name) => {
    const helmRun = helmOf(name);
    const release = `web-${name}`;
    await helmRun('upgrade', '--install', release, CHART, '--wait', '--timeout', '2m', '--set', 'image.tag=v1');
    const status = JSON.parse(await helmRun('status', release, '-o', 'json')) as {
      info: { status: string };
      version: number;
    };
    expect(status.info.status).toBe('deployed');
    expect(status.version).toBe(1);
  });

  // The two Helms run at once, each its own release: each waits out a rollout that fails.
  it.concurrent.each([
    ['helm3', '--atomic'],
    ['helm4', '--rollback-on-failure'],
  ])('%s upgrades, rolls a failing rollout back by itself (%s), and rolls back by hand', async (name, rollbackFlag) => {
    const helmRun = helmOf(name);
    const release = `life-${name}`;
    await helmRun('upgrade', '--install', release, CHART, '--wait', '--timeout', '1m', '--set', 'image.tag=v1');
    await helmRun('upgrade', release, CHART, '--wait', '--timeout', '1m', '--set', 'image.tag=v2');
    // No node has this label: the new pods stay Pending, the wait times out, Helm rolls back.
    const failing = await (async () => {
      try {
        await helmRun(
          'upgrade',
          release,
          CHART,
          '--wait',
          '--timeout',
          '5s',
          rollbackFlag,
          '--set',
          'image.tag=v3',
          '--set',
          'nodeSelector.missing=yes',
        );
        return '';
      } catch (error) {
        return String((error as { stderr?: string }).stderr ?? error);
      }
    })();
    expect(failing).toMatch(/rolled back|rollback/i);
    await helmRun('rollback', release, '1', '--wait', '--timeout', '1m');
    const history = JSON.parse(await helmRun('history', release, '-o', 'json')) as {
      revision: number;
      status: string;
      description: string;
    }[];
    console.log(
      `${name} history of ${release}:\n${history.map((entry) => `  ${entry.revision} ${entry.status}: ${entry.description}`).join('\n')}`,
    );
    expect(history.map((entry) => entry.status)).toEqual(['superseded', 'superseded', 'failed', 'superseded', 'deployed']);
    expect(history.at(-1)?.description).toBe('Rollback to 1');
    const values = JSON.parse(await helmRun('get', 'values', release, '-o', 'json')) as { image?: { tag?: string } };
    expect(values.image?.tag).toBe('v1');
  });
});
