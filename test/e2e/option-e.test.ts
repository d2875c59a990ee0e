// Option E end to end, run through the bundled actions in option-e-webapp.yml's order:
// changes (build-matrix) -> build (acr-push, the SHA tag only) -> stage, bound to the slot's
// environment: the workflow's own plan step writes the release's sitecontainers (the rebuilt
// services on the new SHA, the others `keep`), slot-swap deploys them to the staging slot,
// and the workflow's gate URLs are gated on the slot -> promote, bound to production:
// slot-swap checks the slot still runs the release, previews production's settings on it,
// gates, swaps and gates production; then the per-service gate on production, and on its
// failure slot-swap swap-back and the gate again.
// Releases: everything new; the backend alone; a broken backend that fails the slot gate
// (production untouched); and a backend that passes the slot but fails in production
// (swapped back, production healthy on the release before).
// REAL: git, Docker engine, Debian's docker-registry (token auth), the sample's images built
// by acr-push and run as containers (one per image, test/support/containers.ts), the
// workflow's run: steps (bash, node).
// FAKES: ARM for App Service (test/support/fake-appservice.ts, checked against the official
// @azure/arm-appservice client in slot-swap-oracle.test.ts) whose live site per slot passes
// requests on to the containers of the images the slot runs (`/status/<container>/...` to a
// sidecar: the routing a production frontend would do); the ACR token front; Entra ID; the
// runner's ID-token endpoint; GitHub's REST API (the report's alert issue). The run ends with
// deploy-report after each release: release 3 opens the alert issue, release 4 comments on
// it, and release 5 (good) closes it. The production-only failure of the last release is a fault the
// fake injects (its live production site answers 500 for that image). Toolchain steps are
// not run.
import { record } from '../bench/results.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { RunResult } from '../../packages/runner/harness.js';
import { type ContainerPool, startContainerPool } from '../support/containers.js';
import { hasDocker, hasRegistry } from '../support/daemons.js';
import { ADMIN, CLIENT, type FakeAcr, startFakeAcr, TENANT } from '../support/fake-acr.js';
import { type FakeAppService, startFakeAppService } from '../support/fake-appservice.js';
import { ReleaseReport } from '../support/release-report.js';
import { runAction } from '../support/run-action.js';
import {
  changes,
  type Entry,
  narrate,
  pushImage,
  SAMPLE,
  SampleApp,
  SERVICES,
  show,
  showFailure,
} from '../support/sample-app.js';
import { runStep } from '../support/workflow-step.js';

const SUBSCRIPTION = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';
const RESOURCE_GROUP = 'omis-prod-rg';
const APP = 'omis-product-configurator';
const WORKFLOW = 'option-e-webapp.yml';
const ready = hasDocker() && hasRegistry();

/** The example caller's `with:`, as the reusable workflow receives it. */
const caller = parse(readFileSync(join(SAMPLE, '.github', 'workflows', 'deploy-webapp.yml'), 'utf8')) as {
  jobs: { production: { with: Record<string, string> } };
};
const WITH = caller.jobs.production.with;

describe.skipIf(!ready)('Option E end to end', () => {
  let acr: FakeAcr;
  let pool: ContainerPool;
  let arm: FakeAppService;
  let app: SampleApp;
  let report: ReleaseReport;

  beforeAll(async () => {
    acr = await startFakeAcr();
    pool = await startContainerPool({ host: acr.registry, ...ADMIN });
    arm = await startFakeAppService(acr.entra, {
      subscription: SUBSCRIPTION,
      resourceGroup: RESOURCE_GROUP,
      app: APP,
      serve: pool.originOf,
    });
    app = new SampleApp(acr.registry);
    report = await ReleaseReport.start('e', 'production');
  }, 120_000);

  afterAll(async () => {
    await report?.close();
    await arm?.close();
    await pool?.close();
    await acr?.close();
    app?.cleanup();
  });

  const oidc = () => ({
    'client-id': CLIENT,
    'tenant-id': TENANT,
    'authority-host': acr.authorityHost,
    'arm-endpoint': arm.endpoint,
  });
  /** slot-swap as the workflow's steps call it. */
  const slotSwap = (inputs: Record<string, string>): Promise<RunResult> =>
    runAction(
      'slot-swap',
      {
        'app-name': APP,
        'resource-group': RESOURCE_GROUP,
        'subscription-id': SUBSCRIPTION,
        slot: 'staging',
        'health-path': WITH['health-path'] ?? '/',
        'registry-identity-client-id': WITH['registry-identity-client-id'] ?? '',
        interval: '250ms',
        'success-threshold': '2',
        'failure-threshold': '3',
        'gate-timeout': '60s',
        ...oidc(),
        ...inputs,
      },
      { env: acr.oidcEnv, timeoutMs: 120_000 },
    );
  const healthGate = (url: string, extra: Record<string, string> = {}): Promise<RunResult> =>
    runAction(
      'health-gate',
      { url, interval: '250ms', 'failure-threshold': '3', timeout: '60s', ...extra },
      { env: acr.oidcEnv },
    );

  /** The stage job: plan, deploy to the slot, plan the gates, gate the slot. */
  async function stage(sha: string, entries: Entry[]) {
    const matrix = JSON.stringify({ include: entries.map((entry) => ({ ...entry, batch: JSON.stringify([entry]) })) });
    const sitecontainers = WITH.sitecontainers!.replaceAll('omispcacrprod.azurecr.io', acr.registry);
    const plan = runStep(WORKFLOW, 'stage', 'plan', { SITECONTAINERS: sitecontainers, MATRIX: matrix, SHA: sha });
    expect(plan.code).toBe(0);
    const release = plan.outputs.sitecontainers ?? '';
    const deployed = show(
      'slot-swap deploy (staging slot)',
      await report.phase('deploy to the slot', () => slotSwap({ action: 'deploy', sitecontainers: release })),
    );
    expect(deployed.outputs.result).toBe('deployed');
    const urls = runStep(WORKFLOW, 'stage', 'urls', {
      SLOT_URL: deployed.outputs['slot-url'] ?? '',
      PRODUCTION_URL: deployed.outputs['production-url'] ?? '',
      HEALTH_PATHS: WITH['health-paths'] ?? '',
      CHANGED: JSON.stringify(entries.map((entry) => entry.service)),
    }).outputs;
    const gates: RunResult[] = [];
    if (urls['slot-changed-urls']) gates.push(await healthGate(urls['slot-changed-urls'], { 'expect-json': `build.sha=${sha}` }));
    if (urls['slot-other-urls']) gates.push(await healthGate(urls['slot-other-urls']));
    return { release, deployed, urls, gates };
  }

  /** The promote job up to production's per-service gate. */
  async function promote(sha: string, planned: Awaited<ReturnType<typeof stage>>) {
    const swapped = show(
      'slot-swap swap (preview, swap, gate)',
      await slotSwap({ action: 'swap', sitecontainers: planned.release }),
    );
    const gates: RunResult[] = [];
    if (planned.urls['production-changed-urls'])
      gates.push(await healthGate(planned.urls['production-changed-urls'], { 'expect-json': `build.sha=${sha}` }));
    if (planned.urls['production-other-urls']) gates.push(await healthGate(planned.urls['production-other-urls']));
    return { swapped, gates };
  }

  /** Builds and pushes a release; returns its build-matrix entries. */
  async function build(sha: string, before: string | undefined, expected: string[]): Promise<Entry[]> {
    const dir = app.checkout();
    const entries = await report.phase('changes', () => changes(dir, sha, before));
    expect(entries.map((entry) => entry.service)).toEqual(expected);
    for (const entry of entries) await report.phase(`build ${entry.service}`, () => pushImage(acr, entry, dir, sha, sha));
    return entries;
  }

  const productionImages = () =>
    Object.fromEntries([...arm.slots.get('production')!.containers].map(([name, c]) => [name, String(c.properties.image)]));
  const tagOf = (image: string | undefined) => image?.slice(image.lastIndexOf(':') + 1);

  it('stages, gates and swaps a release; a bad slot never reaches production; a bad swap is swapped back', async () => {
    // --- release 1: every service is new -------------------------------------------------
    const sha1 = app.release({}, 'release 1');
    const started = performance.now();
    const entries1 = await build(sha1, undefined, SERVICES);
    const planned1 = await stage(sha1, entries1);
    for (const gate of planned1.gates) show('health-gate (slot)', gate);
    const first = await promote(sha1, planned1);
    for (const gate of first.gates) show('health-gate (production)', gate);
    const pushToHealthy = (performance.now() - started) / 1000;
    expect(first.swapped.outputs.result).toBe('swapped');
    expect(Object.values(productionImages()).map(tagOf)).toEqual([sha1, sha1, sha1]);
    expect((await report.send('deployed', { entries: entries1, sha: sha1 })).outputs['issue-action']).toBe('none');

    // --- release 2: only the backend; frontend and csvtomdb stay as production runs them --
    const sha2 = app.release({ 'backend/public/index.html': '<h1>backend, release 2</h1>\n' }, 'release 2: backend only');
    const planned2 = await stage(sha2, await build(sha2, sha1, ['backend']));
    expect(planned2.release).toContain('image: keep');
    for (const gate of planned2.gates) show('health-gate (slot)', gate);
    const second = await promote(sha2, planned2);
    for (const gate of second.gates) show('health-gate (production)', gate);
    const swapSeconds = Number(second.swapped.outputs['swap-seconds']);
    const tags = Object.fromEntries(Object.entries(productionImages()).map(([name, image]) => [name, tagOf(image)]));
    expect(tags).toEqual({ frontend: sha1, backend: sha2, csvtomdb: sha1 });
    const production = planned2.urls['production-all-urls']!.split('\n');

    // --- release 3: the backend lost its /api/info; the slot gate stops it ------------------
    const before3 = productionImages();
    const sha3 = app.releaseBrokenBackend();
    const entries3 = await build(sha3, sha2, ['backend']);
    const planned3 = await stage(sha3, entries3);
    const slotGate = planned3.gates[0]!;
    expect(showFailure('health-gate on the slot (expected to fail)', slotGate)).toBe(
      `health-gate failed: ${slotGate.outputs.reason}`,
    );
    expect(slotGate.outputs.reason).toMatch(/\/status\/backend\/api\/info: status 404 not in 200-299/);
    // The stage job failed: promote never runs. Production is untouched.
    expect(productionImages()).toEqual(before3);
    expect(arm.calls.filter((call) => /slotsswap|applySlotConfig/.test(call) && call.includes('POST')).length).toBe(4);
    const failed = await report.send('failed', { entries: entries3, sha: sha3 }, slotGate.outputs.reason);
    expect(failed.outputs['issue-action']).toBe('opened');

    // --- release 4: the backend is fixed, but fails in production after the swap ----------
    const sha4 = app.releaseFixedBackend('release 4: backend fixed');
    const entries4 = await build(sha4, sha3, ['backend']);
    arm.brokenInProduction.add(`${entries4[0]!.image}:${sha4}`);
    const planned4 = await stage(sha4, entries4);
    for (const gate of planned4.gates) show('health-gate (slot)', gate);
    const fourth = await promote(sha4, planned4);
    expect(fourth.swapped.outputs.result).toBe('swapped');
    const productionGate = fourth.gates[0]!;
    expect(showFailure('health-gate on production (expected to fail)', productionGate)).toMatch(/status 500/);
    const backStarted = performance.now();
    const back = show('slot-swap swap-back', await report.phase('swap back', () => slotSwap({ action: 'swap-back' })));
    expect(back.outputs.result).toBe('swapped-back');
    show(
      'health-gate after the swap back',
      await report.phase('gate after the swap back', () => healthGate(planned4.urls['production-all-urls']!)),
    );
    const swapBackSeconds = (performance.now() - backStarted) / 1000;
    expect(productionImages()).toEqual(before3);
    // Production answers on the release before: the backend on release 2, the frontend on 1.
    show('health-gate: backend on release 2', await healthGate(production[1]!, { 'expect-json': `build.sha=${sha2}` }));
    show('health-gate: frontend on release 1', await healthGate(production[0]!, { 'expect-json': `build.sha=${sha1}` }));

    const rolledBack = await report.send('rolled-back', { entries: entries4, sha: sha4 }, productionGate.outputs.reason);
    expect(rolledBack.outputs['issue-action']).toBe('commented');

    // --- release 5: good again; its report closes the alert issue ---------------------------
    const sha5 = app.release({ 'backend/public/index.html': '<h1>backend, release 5</h1>\n' }, 'release 5');
    const entries5 = await build(sha5, sha4, ['backend']);
    const planned5 = await stage(sha5, entries5);
    for (const gate of planned5.gates) show('health-gate (slot)', gate);
    const fifth = await promote(sha5, planned5);
    for (const gate of fifth.gates) show('health-gate (production)', gate);
    expect((await report.send('deployed', { entries: entries5, sha: sha5 })).outputs['issue-action']).toBe('closed');
    expect(report.alerts()).toMatchObject([
      { title: 'Deploy to production failing', state: 'closed', comments: [expect.any(String), expect.any(String)] },
    ]);
    expect(report.github.violations).toEqual([]);

    const line = `option E: push-to-healthy ${pushToHealthy.toFixed(1)} s (target < 90), swap ${swapSeconds.toFixed(1)} s, swap-back with its gate ${swapBackSeconds.toFixed(1)} s (target < 30)`;
    console.log(line);
    narrate(`\n${line}`);
    record('options', ['E (rollback: swap back and gate)', pushToHealthy.toFixed(1), swapBackSeconds.toFixed(1)]);
    expect(pushToHealthy).toBeLessThan(90);
    expect(swapBackSeconds).toBeLessThan(30);
  });
});
