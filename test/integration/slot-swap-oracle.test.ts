// The oracle of the fake ARM: Microsoft's own client, @azure/arm-appservice 19 (a dev
// dependency), drives test/support/fake-appservice.ts through the operations slot-swap uses.
// If the official client completes its long-running operations and parses the fake's
// errors, the fake speaks ARM, and slot-swap's tests against it mean something.
// REAL: @azure/arm-appservice and its core-lro/core-rest-pipeline. FAKE: ARM and Entra.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { WebSiteManagementClient } from '@azure/arm-appservice';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSY_MESSAGE, type FakeAppService, PREPARED_MESSAGE, startFakeAppService } from '../support/fake-appservice.js';
import { type FakeEntra, startFakeEntra } from '../support/fake-entra.js';

const SUBSCRIPTION = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';
const NEW = 'omisacr.azurecr.io/omis-pc/web:new2222';

describe('the official @azure/arm-appservice client against the fake ARM', () => {
  let dir: string;
  let entra: FakeEntra;
  let arm: FakeAppService;
  let client: WebSiteManagementClient;
  const saved = process.env.NODE_EXTRA_CA_CERTS;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oracle-'));
    entra = await startFakeEntra(dir, []);
    arm = await startFakeAppService(entra, { subscription: SUBSCRIPTION, resourceGroup: 'omis-rg', app: 'omis-web' });
    arm.setImage('production', 'omisacr.azurecr.io/omis-pc/web:old1111');
    const credential: TokenCredential = {
      getToken: (scopes): Promise<AccessToken> =>
        Promise.resolve({ token: entra.issue([scopes].flat()[0] ?? ''), expiresOnTimestamp: Date.now() + 3_600_000 }),
    };
    client = new WebSiteManagementClient(credential, SUBSCRIPTION, {
      endpoint: arm.endpoint,
      credentials: { scopes: [`${arm.endpoint}/.default`] },
      // The client runs in this process: each request trusts the fake's certificate.
      additionalPolicies: [
        {
          position: 'perCall',
          policy: {
            name: 'trust-the-fake',
            sendRequest: (request, next) => {
              request.tlsSettings = { ca: entra.tls.cert };
              return next(request);
            },
          },
        },
      ],
    });
  });
  afterAll(async () => {
    await arm?.close();
    await entra?.close();
    rmSync(dir, { recursive: true, force: true });
    process.env.NODE_EXTRA_CA_CERTS = saved;
  });

  it('updates a slot config, puts a sitecontainer, restarts, previews, resets and swaps through its own LRO poller', async () => {
    const config = await client.webApps.updateConfigurationSlot('omis-rg', 'omis-web', 'staging', {
      linuxFxVersion: `DOCKER|${NEW}`,
    });
    expect(config.linuxFxVersion ?? (config as { properties?: { linuxFxVersion?: string } }).properties?.linuxFxVersion).toBe(
      `DOCKER|${NEW}`,
    );
    const container = await client.webApps.createOrUpdateSiteContainerSlot('omis-rg', 'omis-web', 'staging', 'sidecar', {
      image: 'omisacr.azurecr.io/omis-pc/otel:1',
      isMain: false,
      targetPort: '4317',
    });
    expect(container.name).toBe('sidecar');
    expect(arm.slots.get('staging')!.containers.get('sidecar')?.properties).toMatchObject({ isMain: false, targetPort: '4317' });
    await client.webApps.restartSlot('omis-rg', 'omis-web', 'staging');
    await client.webApps.applySlotConfigurationSlot('omis-rg', 'omis-web', 'staging', {
      targetSlot: 'production',
      preserveVnet: true,
    });
    expect(arm.slots.get('staging')!.prepared).toBe(true);
    await client.webApps.resetSlotConfigurationSlot('omis-rg', 'omis-web', 'staging');
    expect(arm.slots.get('staging')!.prepared).toBe(false);

    for (const kind of ['location', 'async-operation'] as const) {
      arm.swapMode = { kind, polls: 1, retryAfter: '1' };
      const before = arm.servedBy('production');
      // The operation the issue names (deprecated alias of swapSlot, same poller).
      // eslint-disable-next-line @typescript-eslint/no-deprecated
      await client.webApps.beginSwapSlotAndWait(
        'omis-rg',
        'omis-web',
        'staging',
        { targetSlot: 'production', preserveVnet: true },
        {
          updateIntervalInMs: 200,
        },
      );
      expect(arm.servedBy('staging')).toBe(before);
    }
    expect(arm.calls.filter((call) => call.includes('/sites/')).every((call) => call.includes('api-version=2025-05-01'))).toBe(
      true,
    );
  });

  it('parses both 409s, and a failed swap, as ARM errors with their code and message', async () => {
    arm.inject({
      status: 409,
      body: { error: { code: 'Conflict', message: BUSY_MESSAGE('9') } },
      headers: { 'retry-after': '1' },
    });
    const busy = await client.webApps.restartSlot('omis-rg', 'omis-web', 'staging').catch((error: unknown) => error);
    expect(busy).toMatchObject({ statusCode: 409, code: 'Conflict' });
    expect((busy as Error).message).toContain('another operation is in progress');

    arm.slots.get('staging')!.prepared = true;
    const prepared = await client.webApps
      .updateConfigurationSlot('omis-rg', 'omis-web', 'staging', { linuxFxVersion: `DOCKER|${NEW}` })
      .catch((error: unknown) => error);
    expect((prepared as Error).message).toBe(PREPARED_MESSAGE);
    arm.slots.get('staging')!.prepared = false;

    arm.swapMode = { kind: 'async-operation', polls: 1, retryAfter: '1', fail: true };
    const failed = await client.webApps
      // eslint-disable-next-line @typescript-eslint/no-deprecated
      .beginSwapSlotAndWait(
        'omis-rg',
        'omis-web',
        'staging',
        { targetSlot: 'production', preserveVnet: true },
        {
          updateIntervalInMs: 200,
        },
      )
      .catch((error: unknown) => error);
    expect((failed as Error).message).toMatch(/swap failed|SwapFailed|Failed/i);
  });
});
