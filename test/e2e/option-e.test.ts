// Option E end to end, as GitHub runs it: the sample's caller workflows (deploy-webapp.yml on
// push, rollback-webapp.yml on dispatch) under nektos/act, which resolves
// option-e-webapp.yml@v1 and rollback.yml@v1 and every `org/deploy-actions/<action>@v1` to
// this working tree, its bundles built from the current source. What each job did is read
// from act; what each slot runs afterwards from the App Service stand-in and its live sites.
// Releases: everything new; the backend alone; a broken backend that fails the slot gate
// (promote never runs, production untouched); a backend that passes the slot but fails in
// production (swapped back by the promote job); a good one that closes the alert issue; then
// a dispatched swap back.
// REAL: nektos/act (built from source), git, Docker engine, Debian's docker-registry (token
// auth), the sample's images built by acr-push and run as containers (one per image,
// test/support/containers.ts), the services' toolchain steps (node --test, javac).
// STAND-INS: ARM for App Service (test/support/fake-appservice.ts, checked against the
// official @azure/arm-appservice client in slot-swap-oracle.test.ts) whose live site per slot
// passes requests on to the containers of the images the slot runs (`/status/<container>/...`
// to a sidecar: the routing a production frontend would do); the ACR token front; Entra ID
// (an Azure Stack cloud through AZURE_ENVIRONMENT_FILEPATH); the runner's ID-token endpoint;
// GitHub's REST API (GITHUB_API_URL); the third-party actions (test/fixtures/actions). The
// production-only failure of release 4 is a fault the stand-in injects (its live production
// site answers 500 for that image).
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actBinary } from '../../scripts/tools.mjs';
import { type Event, expectJobs, jobOf, jobsOf, logOf, stepOf, type WorkflowRun } from '../support/act.js';
import { reportRuns, type SampleRunner, sampleRunner } from '../support/sample-runner.js';
import { type ContainerPool, startContainerPool } from '../support/containers.js';
import { hasDocker, hasRegistry, requirePart } from '../support/daemons.js';
import { ADMIN, type FakeAcr, PUSH_CLIENT, startFakeAcr } from '../support/fake-acr.js';
import { ACR_SCOPE } from '../../packages/shared/azure-auth.js';
import { type FakeAppService, startFakeAppService } from '../support/fake-appservice.js';
import { type FakeGitHub, startFakeGitHub } from '../support/fake-github.js';
import { SampleApp } from '../support/sample-app.js';

const SUBSCRIPTION = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';
const RESOURCE_GROUP = 'omis-prod-rg';
const APP = 'omis-product-configurator';
/** The origin rollback-webapp.yml names in its health URLs. */
const PUBLIC_ORIGIN = 'https://omis-product-configurator.azurewebsites.net';
const TOKEN = 'ghs_e2eOptionEToken0000000000000000000000';
/** What act reports for a release that is staged, gated, swapped in and gated again. */
const GOOD_RELEASE = {
  changes: 'success',
  build: 'success',
  push: 'success',
  stage: 'success',
  promote: 'success',
  report: 'success',
};
const ready = hasDocker() && hasRegistry();

describe.skipIf(!ready)('Option E end to end under act', () => {
  let acr: FakeAcr;
  let pool: ContainerPool;
  let arm: FakeAppService;
  let github: FakeGitHub;
  let app: SampleApp;
  let runner: SampleRunner;

  beforeAll(async () => {
    requirePart('nektos/act (built by scripts/tools.mjs)', existsSync(actBinary()));
    acr = await startFakeAcr();
    pool = await startContainerPool({ host: acr.registry, ...ADMIN });
    arm = await startFakeAppService(acr.entra, {
      subscription: SUBSCRIPTION,
      resourceGroup: RESOURCE_GROUP,
      app: APP,
      serve: pool.originOf,
    });
    acr.entra.allow(`${arm.endpoint}/.default`);
    github = await startFakeGitHub('omis', 'omis-sample', TOKEN);
    app = new SampleApp(acr.registry);
    app.serveAt(PUBLIC_ORIGIN, `https://${arm.slots.get('production')?.hostName ?? ''}`);
    app.addBusybox();
    // What the dispatched swap back acts on: webapp-production's own variables (act's
    // `<environment>::NAME`, a patch of ours), never the dispatcher's text.
    const production = {
      WEBAPP_NAME: 'omis-product-configurator',
      WEBAPP_RESOURCE_GROUP: 'omis-prod-rg',
      AZURE_SUBSCRIPTION_ID: '0b1f6471-1bf0-4dda-aec3-cb9272f09590',
      WEBAPP_SLOT: 'staging',
      WEBAPP_HEALTH_PATH: '/api/info',
    };
    const vars = Object.fromEntries(Object.entries(production).map(([name, value]) => [`webapp-production::${name}`, value]));
    runner = sampleRunner({ app, acr, github, token: TOKEN, armEndpoint: arm.endpoint, vars });
  }, 120_000);

  afterAll(async () => {
    await github?.close();
    await arm?.close();
    await pool?.close();
    await acr?.close();
    app?.cleanup();
    runner?.close();
  });

  const act = (workflow: string, event: Event): Promise<WorkflowRun> => runner.run(workflow, event);
  const push = (before: string, after: string) => act('deploy-webapp.yml', { name: 'push', before, after });
  const tagOf = (image: string | undefined) => image?.slice(image.lastIndexOf(':') + 1);
  /** The tag each sitecontainer of production runs. */
  const production = () =>
    Object.fromEntries(
      [...(arm.slots.get('production')?.containers ?? [])].map(([name, c]) => [name, tagOf(String(c.properties.image))]),
    );
  const swaps = () => arm.calls.filter((call) => /^POST .*\/slotsswap/.test(call)).length;
  const alert = () => github.issues.map(({ title, state, comments }) => ({ title, state, comments: comments.length }));
  const summary = (result: WorkflowRun): string => logOf(result, 'option-e-webapp/report/report/report');

  it('runs deploy-webapp.yml for five releases and rollback-webapp.yml, as GitHub would', async () => {
    // --- release 1: dispatched, so every service is built, staged and swapped in ----------
    const sha1 = app.release({ 'README.md': '# omis\n' }, 'release 1');
    const first = await act('deploy-webapp.yml', { name: 'workflow_dispatch', inputs: {} });
    expectJobs(first, GOOD_RELEASE);
    expect(jobsOf(first, 'build')).toHaveLength(3);
    expect(jobsOf(first, 'push')).toHaveLength(3);
    expect(new Set(acr.entra.byClient[PUSH_CLIENT])).toEqual(new Set([ACR_SCOPE]));
    expect(stepOf(jobOf(first, 'promote'), 'swap')?.outputs).toMatchObject({ result: 'swapped' });
    expect(stepOf(jobOf(first, 'promote'), 'swap-back')?.result).toBeUndefined();
    expect(production()).toEqual({ frontend: sha1, backend: sha1, csvtomdb: sha1 });
    expect(summary(first)).toContain('### Release webapp-production: deployed (option E)');
    // Every gate probes at the environment's HEALTH_INTERVAL (1s in these runs), slot-swap's own too.
    expect(logOf(first, 'stage')).toMatch(/Probing .* every 1s/);
    expect(logOf(first, 'promote').match(/Probing .* every 1s/g)?.length).toBeGreaterThanOrEqual(2);
    expect(logOf(first, 'promote')).not.toMatch(/every 5s/);

    // --- release 2: only the backend; the others keep what production runs ----------------
    const sha2 = app.release({ 'backend/public/index.html': '<h1>backend, release 2</h1>\n' }, 'release 2: backend only');
    const second = await push(sha1, sha2);
    expectJobs(second, GOOD_RELEASE);
    expect(jobsOf(second, 'build')).toHaveLength(1);
    expect(production()).toEqual({ frontend: sha1, backend: sha2, csvtomdb: sha1 });

    // --- release 3: the backend lost its /api/info; the slot gate stops it -------------------
    const before3 = production();
    const swapsBefore3 = swaps();
    const sha3 = app.releaseBrokenBackend();
    const third = await push(sha2, sha3);
    expectJobs(third, { changes: 'success', build: 'success', stage: 'failure', promote: 'skipped', report: 'success' });
    expect(stepOf(jobOf(third, 'stage'), 'gate')?.result).toBe('failure');
    expect(production()).toEqual(before3);
    expect(swaps()).toBe(swapsBefore3);
    expect(summary(third)).toContain('### Release webapp-production: FAILED (option E)');
    expect(alert()).toEqual([{ title: 'Deploy to webapp-production failing', state: 'open', comments: 0 }]);

    // --- release 4: passes the slot, fails in production; the promote job swaps back --------
    const sha4 = app.releaseFixedBackend('release 4: backend fixed');
    arm.brokenInProduction.add(`${acr.registry}/omis-pc/backend:${sha4}`);
    const fourth = await push(sha3, sha4);
    expectJobs(fourth, { changes: 'success', build: 'success', stage: 'success', promote: 'failure', report: 'success' });
    const promote4 = jobOf(fourth, 'promote');
    expect(stepOf(promote4, 'swap')?.outputs).toMatchObject({ result: 'swapped' });
    expect(stepOf(promote4, 'swap-back')?.outputs).toMatchObject({ result: 'swapped-back' });
    expect(stepOf(promote4, 'gate-after-swap-back')?.result).toBe('success');
    expect(production()).toEqual(before3);
    expect(summary(fourth)).toContain('### Release webapp-production: ROLLED BACK (option E)');
    expect(alert()).toEqual([{ title: 'Deploy to webapp-production failing', state: 'open', comments: 1 }]);

    // --- release 5: good again; its report closes the alert issue ---------------------------
    const sha5 = app.release({ 'backend/public/index.html': '<h1>backend, release 5</h1>\n' }, 'release 5');
    const fifth = await push(sha4, sha5);
    expectJobs(fifth, GOOD_RELEASE);
    expect(production()).toEqual({ frontend: sha1, backend: sha5, csvtomdb: sha1 });
    expect(alert()).toEqual([{ title: 'Deploy to webapp-production failing', state: 'closed', comments: 2 }]);
    expect(github.violations).toEqual([]);

    // --- another run restages the slot after the swap: the swap back refuses that build ---
    const onSlot = arm.slots.get('staging')?.containers.get('backend');
    const held = String(onSlot?.properties.image);
    if (onSlot) onSlot.properties.image = held.replace(/:[^:]+$/, `:${'f'.repeat(40)}`);
    const refused = await act('rollback-webapp.yml', {
      name: 'workflow_dispatch',
      inputs: { environment: 'webapp-production', reason: 'e2e: the slot holds another build' },
    });
    expectJobs(refused, { 'slot-swap-back': 'failure' });
    expect(logOf(refused, 'slot-swap-back')).toContain('does not hold what production ran before the swap');
    expect(production()).toEqual({ frontend: sha1, backend: sha5, csvtomdb: sha1 });
    if (onSlot) onSlot.properties.image = held;

    // --- a dispatched swap back: production runs what it ran before release 5 ---------------
    const back = await act('rollback-webapp.yml', {
      name: 'workflow_dispatch',
      inputs: { environment: 'webapp-production', reason: 'e2e: dispatch rollback' },
    });
    expectJobs(back, { 'slot-swap-back': 'success', 'helm-rollback': 'skipped' });
    expect(production()).toEqual({ frontend: sha1, backend: sha2, csvtomdb: sha1 });

    reportRuns('E', [first, second, third, fourth, fifth], back);
  });
});
