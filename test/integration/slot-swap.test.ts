// slot-swap's bundle, run as the runner runs it, against FAKES only (App Service cannot run
// here): ARM for App Service with a live HTTPS site per slot (test/support/fake-appservice.ts,
// checked against the official client in slot-swap-oracle.test.ts), Entra ID and the
// runner's ID-token endpoint (fake-entra.ts). REAL: the bundle, health-gate's engine probing
// the live sites over HTTPS.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BUSY_MESSAGE, type FakeAppService, PREPARED_MESSAGE, startFakeAppService } from '../support/fake-appservice.js';
import { CLIENT, type FakeEntra, startFakeEntra, TENANT } from '../support/fake-entra.js';
import { failure, runAction, succeeded } from '../support/run-action.js';

const SUBSCRIPTION = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';
const OLD = 'omisacr.azurecr.io/omis-pc/web:old1111';
const NEW = 'omisacr.azurecr.io/omis-pc/web:new2222';

describe('slot-swap against a fake ARM with live slot sites', () => {
  let dir: string;
  let entra: FakeEntra;
  let arm: FakeAppService;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slot-swap-'));
    entra = await startFakeEntra(dir, []);
  });
  afterAll(async () => {
    await entra.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await arm.close();
  });

  const start = async () => {
    arm = await startFakeAppService(entra, { subscription: SUBSCRIPTION, resourceGroup: 'omis-rg', app: 'omis-web' });
    arm.setImage('production', OLD);
    arm.setImage('staging', OLD);
    return arm;
  };
  const swap = (inputs: Record<string, string>) =>
    runAction(
      'slot-swap',
      {
        'app-name': 'omis-web',
        'resource-group': 'omis-rg',
        'subscription-id': SUBSCRIPTION,
        'client-id': CLIENT,
        'tenant-id': TENANT,
        'authority-host': entra.authorityHost,
        'arm-endpoint': arm.endpoint,
        'health-path': '/api/info',
        interval: '100ms',
        'success-threshold': '2',
        'failure-threshold': '2',
        'gate-timeout': '20s',
        ...inputs,
      },
      { cwd: dir, env: entra.oidcEnv, timeoutMs: 120_000 },
    );
  const mutations = () => arm.calls.filter((call) => !call.startsWith('GET'));

  it.each(['location', 'async-operation'] as const)(
    'deploys to the slot, gates it, previews, swaps (%s polling) and gates production on the new SHA',
    async (kind) => {
      await start();
      arm.swapMode = { kind, polls: 2, retryAfter: '1' };
      const result = succeeded(await swap({ image: NEW, 'expect-json': 'build.sha=new2222' }));
      expect(result.outputs).toMatchObject({
        result: 'swapped',
        'previous-image': OLD,
        'deployed-image': NEW,
        'production-url': `https://${arm.slots.get('production')!.hostName}/`,
      });
      expect(Number(result.outputs['swap-seconds'])).toBeGreaterThanOrEqual(2);
      expect(arm.servedBy('production')).toBe(NEW);
      expect(arm.servedBy('staging')).toBe(OLD);
      expect(mutations().map((call) => call.split('?')[0]!.replace(/^.*\/sites\/omis-web/, ''))).toEqual([
        '/slots/staging/config/web',
        '/slots/staging/restart',
        '/slots/staging/applySlotConfig',
        // What production runs, recorded on the site just before the swap, for a later swap back.
        '/providers/Microsoft.Resources/tags/default',
        '/slots/staging/slotsswap',
      ]);
      expect(
        arm.calls.every(
          (call) =>
            !call.includes('/sites/') ||
            call.includes('api-version=2025-05-01') ||
            (call.includes('/providers/Microsoft.Resources/tags/default') && call.includes('api-version=2021-04-01')),
        ),
      ).toBe(true);
      expect(result.summary).toContain(`| production after | \`${NEW}\` |`);
    },
  );

  it('a release that fails the slot gate never touches production', async () => {
    await start();
    arm.broken.add(NEW);
    const result = await swap({ image: NEW });
    expect(failure(result)).toMatch(
      /^slot-swap failed: gate-failed: the staging slot failed its gate; production was not touched$/,
    );
    expect(result.outputs.result).toBe('gate-failed');
    expect(arm.servedBy('production')).toBe(OLD);
    expect(mutations().some((call) => /applySlotConfig|slotsswap/.test(call))).toBe(false);
  });

  it('swaps back when production fails after the swap, and is healthy on the old SHA', async () => {
    await start();
    arm.brokenInProduction.add(NEW);
    const result = await swap({ image: NEW, 'expect-json': 'build.sha=new2222' });
    expect(failure(result)).toMatch(
      /^slot-swap failed: swapped-back: production failed its gate after the swap and was swapped back$/,
    );
    expect(result.outputs.result).toBe('swapped-back');
    expect(arm.servedBy('production')).toBe(OLD);
    expect(mutations().filter((call) => call.includes('slotsswap'))).toHaveLength(2);
    expect(result.summary).toContain('production after the swap back (health only)');
  });

  it('retries "another operation is in progress" and 429/503 with their Retry-After; resets a prepared slot once', async () => {
    await start();
    arm.inject(
      {
        status: 409,
        body: { error: { code: 'Conflict', message: BUSY_MESSAGE('42') } },
        headers: { 'retry-after': '1' },
        match: /^PATCH /,
      },
      { status: 429, headers: { 'retry-after': '1' }, match: /^PATCH / },
      { status: 503, headers: { 'retry-after': '1' }, match: /^POST .*\/restart$/ },
    );
    arm.slots.get('staging')!.prepared = true; // a preview an earlier run left open
    const started = performance.now();
    const result = succeeded(await swap({ image: NEW, action: 'deploy' }));
    expect(result.outputs.result).toBe('deployed');
    expect(performance.now() - started).toBeGreaterThan(3000);
    expect(result.log).toContain('another operation holds the site; trying again in 1s');
    expect(result.log).toContain('was prepared for a swap by an earlier run: resetting that preview');
    expect(mutations().filter((call) => call.includes('resetSlotConfig'))).toHaveLength(1);
    expect(arm.servedBy('staging')).toBe(NEW);
    expect(arm.servedBy('production')).toBe(OLD);
  });

  it('gives up on a busy site at conflict-timeout, naming the operation that holds it', async () => {
    await start();
    const busy = {
      status: 409,
      body: { error: { code: 'Conflict', message: BUSY_MESSAGE('7') } },
      headers: { 'retry-after': '1' },
    };
    arm.inject(busy, busy, busy, busy, busy);
    const result = await swap({ image: NEW, action: 'deploy', 'conflict-timeout': '2s' });
    expect(failure(result)).toMatch(
      /HTTP 409 Conflict: Cannot modify this site because another operation is in progress\. Details: Id: 7, OperationName: SwapSiteSlots/,
    );
  });

  it('previews, then completes; previews, then resets', async () => {
    await start();
    arm.setImage('staging', NEW);
    expect(succeeded(await swap({ action: 'preview' })).outputs.result).toBe('previewed');
    expect(arm.slots.get('staging')!.prepared).toBe(true);
    const completed = succeeded(await swap({ action: 'complete', 'expect-json': 'build.sha=new2222' }));
    expect(completed.outputs.result).toBe('swapped');
    expect(arm.servedBy('production')).toBe(NEW);
    succeeded(await swap({ action: 'preview' }));
    expect(succeeded(await swap({ action: 'reset' })).outputs.result).toBe('reset');
    expect(arm.slots.get('staging')!.prepared).toBe(false);
  });

  it('swap-back by hand exchanges the slots again and checks production for health', async () => {
    await start();
    arm.setImage('staging', NEW);
    succeeded(await swap({ action: 'swap', 'swap-with-preview': 'false' }));
    expect(arm.servedBy('production')).toBe(NEW);
    const back = succeeded(await swap({ action: 'swap-back' }));
    expect(back.outputs.result).toBe('swapped-back');
    expect(arm.servedBy('production')).toBe(OLD);
    // Used up: a second swap back would put NEW into production again.
    expect(failure(await swap({ action: 'swap-back' }))).toContain('records no swap to go back on: nothing was swapped');
    expect(arm.servedBy('production')).toBe(OLD);
  });

  it('swap-back swaps only what production ran before the swap: a slot restaged since is refused', async () => {
    await start();
    arm.setImage('staging', NEW);
    succeeded(await swap({ action: 'swap', 'swap-with-preview': 'false' }));
    expect(arm.tags['deploy-actions.previous.main']).toBe(OLD);
    // Another run deploys its build to the slot after the swap.
    const OTHER = 'omisacr.azurecr.io/omis-pc/frontend:other333';
    arm.setImage('staging', OTHER);
    const swapsBefore = arm.calls.filter((call) => call.includes('slotsswap')).length;
    const refused = failure(await swap({ action: 'swap-back' }));
    expect(refused).toContain(`does not hold what production ran before the swap (main runs ${OTHER}, not ${OLD})`);
    expect(failure(await swap({ action: 'swap-back', 'expected-image': OLD }))).toContain('nothing was swapped');
    expect(arm.calls.filter((call) => call.includes('slotsswap')).length).toBe(swapsBefore);
    expect(arm.servedBy('production')).toBe(NEW);
    // The release production ran before is back in the slot: the swap back goes ahead.
    arm.setImage('staging', OLD);
    expect(succeeded(await swap({ action: 'swap-back', 'expected-image': OLD })).outputs.result).toBe('swapped-back');
    expect(arm.servedBy('production')).toBe(OLD);
  });

  it('a swap ARM will not record (tags denied, or 50 tags already) still swaps, gates production, and warns', async () => {
    await start();
    arm.setImage('staging', NEW);
    // The identity may write the site but not tags (no Microsoft.Resources/tags/write).
    arm.inject({
      status: 403,
      match: /^PATCH .*\/providers\/Microsoft\.Resources\/tags\/default$/,
      body: {
        error: {
          code: 'AuthorizationFailed',
          message: 'does not have authorization to perform action Microsoft.Resources/tags/write',
        },
      },
    });
    const denied = succeeded(await swap({ action: 'swap', 'swap-with-preview': 'false' }));
    expect(denied.outputs.result).toBe('swapped');
    expect(denied.log).toMatch(
      /was not recorded for a later swap back \(.*HTTP 403 AuthorizationFailed.*\); a swap back then needs expected-image/,
    );
    expect(arm.servedBy('production')).toBe(NEW);
    expect(denied.summary).toContain(`| production after | \`${NEW}\` |`);

    // A site with 49 tags of its own: the record (2 tags) does not fit; an empty one says so.
    await arm.close();
    await start();
    arm.tags = Object.fromEntries(Array.from({ length: 49 }, (_, index) => [`team-${index}`, 'x']));
    arm.setImage('staging', NEW);
    const full = succeeded(await swap({ action: 'swap', 'swap-with-preview': 'false' }));
    expect(full.outputs.result).toBe('swapped');
    expect(full.log).toContain('and ARM allows 50');
    expect(arm.servedBy('production')).toBe(NEW);
    expect(arm.tags['deploy-actions.previous']).toBe('');
    // So a swap back by record refuses; with expected-image it goes.
    expect(failure(await swap({ action: 'swap-back' }))).toContain('records no swap to go back on');
    expect(succeeded(await swap({ action: 'swap-back', 'expected-image': OLD })).outputs.result).toBe('swapped-back');
  });

  it('a swap records only the containers production runs now: tags of containers gone are removed', async () => {
    await start();
    arm.tags = { owner: 'team-a', 'deploy-actions.previous': 'main,sidecar', 'deploy-actions.previous.sidecar': 'x/y:1' };
    arm.setImage('staging', NEW);
    succeeded(await swap({ action: 'swap', 'swap-with-preview': 'false' }));
    expect(arm.tags).toEqual({ owner: 'team-a', 'deploy-actions.previous': 'main', 'deploy-actions.previous.main': OLD });
  });

  it('fails a swap that ARM reports failed', async () => {
    await start();
    arm.swapMode = { kind: 'async-operation', polls: 1, retryAfter: '1', fail: true };
    const result = await swap({ image: NEW, 'swap-with-preview': 'false' });
    expect(failure(result)).toMatch(/SwapFailed: The swap failed: the slot did not warm up\./);
    expect(arm.servedBy('production')).toBe(OLD);
  });

  it('deploys sitecontainers, with app settings by name and the managed identity to pull', async () => {
    await start();
    const identity = '5f0c4f0e-1111-2222-3333-444455556666';
    const result = succeeded(
      await swap({
        action: 'deploy',
        'registry-identity-client-id': identity,
        sitecontainers: [
          `- name: frontend\n  image: ${NEW}\n  target-port: 8080\n  is-main: true\n  auth-type: UserAssigned\n  identity-client-id: ${identity}`,
          `- name: backend\n  image: omisacr.azurecr.io/omis-pc/backend:new2222\n  env:\n    DB_URL: BACKEND_DB_URL`,
          `- name: csvtomdb\n  image: omisacr.azurecr.io/omis-pc/csvtomdb:new2222`,
        ].join('\n'),
      }),
    );
    expect(result.outputs['deployed-image']).toBe(NEW);
    const staging = arm.slots.get('staging')!;
    expect([...staging.containers.keys()]).toEqual(['frontend', 'backend', 'csvtomdb']);
    expect(staging.containers.get('backend')?.properties.environmentVariables).toEqual([
      { name: 'DB_URL', value: 'BACKEND_DB_URL' },
    ]);
    expect(staging.containers.get('frontend')?.properties).toMatchObject({
      isMain: true,
      targetPort: '8080',
      authType: 'UserAssigned',
    });
    expect(staging.config).toMatchObject({
      linuxFxVersion: 'SITECONTAINERS',
      acrUseManagedIdentityCreds: true,
      acrUserManagedIdentityID: identity,
    });
    expect(arm.servedBy('staging')).toBe(NEW);
  });

  it('keeps what production runs for `image: keep`, and swaps only the release the slot still runs', async () => {
    await start();
    const BACKEND_OLD = 'omisacr.azurecr.io/omis-pc/backend:old1111';
    const BACKEND_NEW = 'omisacr.azurecr.io/omis-pc/backend:new2222';
    for (const [name, image, isMain] of [
      ['frontend', OLD, true],
      ['backend', BACKEND_OLD, false],
    ] as const) {
      arm.slots.get('production')!.containers.set(name, { name, properties: { image, isMain } });
    }
    // The release rebuilt the backend only; the frontend stays as production has it.
    const release = `- name: frontend\n  image: keep\n  is-main: true\n- name: backend\n  image: ${BACKEND_NEW}`;
    const deployed = succeeded(await swap({ action: 'deploy', sitecontainers: release }));
    expect(deployed.outputs).toMatchObject({ result: 'deployed', 'deployed-image': OLD });
    const staging = arm.slots.get('staging')!;
    expect(Object.fromEntries([...staging.containers].map(([name, c]) => [name, c.properties.image]))).toEqual({
      frontend: OLD,
      backend: BACKEND_NEW,
    });
    expect(JSON.parse(deployed.outputs['previous-images'] ?? '')).toEqual({ frontend: OLD, backend: BACKEND_OLD });

    // Another run deploys to the slot while this one waits for its approval: no swap.
    staging.containers.set('backend', { name: 'backend', properties: { image: `${BACKEND_NEW}-other`, isMain: false } });
    const before = mutations().length;
    const refused = await swap({ action: 'swap', sitecontainers: release });
    expect(failure(refused)).toBe(
      `slot-swap failed: the staging slot does not run the release to swap (backend runs ${BACKEND_NEW}-other, not ${BACKEND_NEW}); nothing was swapped`,
    );
    expect(mutations().length).toBe(before);
    staging.containers.set('backend', { name: 'backend', properties: { image: BACKEND_NEW, isMain: false } });
    const swapped = succeeded(await swap({ action: 'swap', sitecontainers: release }));
    expect(swapped.outputs.result).toBe('swapped');
    expect(arm.slots.get('production')!.containers.get('backend')?.properties.image).toBe(BACKEND_NEW);

    // keep names a container production does not run: refused before anything changes.
    const missing = await swap({ action: 'deploy', sitecontainers: `- name: cache\n  image: keep\n  is-main: true` });
    expect(failure(missing)).toMatch(/sitecontainers: cache says image: keep, but production runs no container named cache/);
  });

  it('deploys a legacy compose file with the images put in, and warns that it is deprecated', async () => {
    await start();
    writeFileSync(
      join(dir, 'docker-compose.yml'),
      'services:\n  web:\n    image: old/web:1\n    ports: ["80:8080"]\n  api:\n    image: old/api:1\n',
    );
    const result = succeeded(
      await swap({
        action: 'deploy',
        'compose-file': 'docker-compose.yml',
        images: `web=${NEW}\napi=omisacr.azurecr.io/omis-pc/api:new2222`,
      }),
    );
    expect(result.annotations.some((annotation) => annotation.level === 'warning' && /deprecated/.test(annotation.message))).toBe(
      true,
    );
    const fx = String(arm.slots.get('staging')!.config.linuxFxVersion);
    expect(fx.startsWith('COMPOSE|')).toBe(true);
    const compose = Buffer.from(fx.slice(8), 'base64').toString('utf8');
    expect(compose).toContain(`image: ${NEW}`);
    expect(compose).toContain('image: omisacr.azurecr.io/omis-pc/api:new2222');
  });

  it('dry-run reads ARM and changes nothing', async () => {
    await start();
    const result = succeeded(await swap({ image: NEW, 'dry-run': 'true' }));
    expect(mutations()).toEqual([]);
    expect(result.log).toContain('dry-run: would deploy to staging');
    expect(arm.servedBy('production')).toBe(OLD);
  });

  it('refuses a poll URL on another host: the token goes to ARM only', async () => {
    await start();
    arm.inject({ status: 202, headers: { location: 'https://attacker.example/op', 'retry-after': '1' }, match: /slotsswap$/ });
    arm.setImage('staging', NEW);
    const result = await swap({ action: 'swap', 'swap-with-preview': 'false', 'post-swap-gate': 'false' });
    expect(failure(result)).toMatch(
      /ARM pointed at https:\/\/attacker\.example, which is not https:\/\/127\.0\.0\.1:\d+: the token is not sent there/,
    );
    expect(PREPARED_MESSAGE).toContain('prepared for swap');
  });
});
