import * as core from '@actions/core';
import { type ArmClient, isPreparedForSwap } from '../../packages/shared/arm.js';

/** The App Service api-version, that of @azure/arm-appservice 19: pinned here only. */
export const APP_SERVICE_API = '2025-05-01';
/** Microsoft.Resources/tags at a resource's scope. */
export const TAGS_API = '2021-04-01';

export interface WebConfig {
  linuxFxVersion?: string;
  acrUseManagedIdentityCreds?: boolean;
  acrUserManagedIdentityID?: string;
}

export interface SiteContainerResource {
  name: string;
  properties: {
    image: string;
    targetPort?: string;
    isMain: boolean;
    authType?: string;
    userManagedIdentityClientId?: string;
    environmentVariables?: { name: string; value: string }[];
  };
}

/** One Web App and its slots, through ARM. `production` is the site itself. */
export class Site {
  constructor(
    private readonly arm: ArmClient,
    private readonly subscriptionId: string,
    private readonly resourceGroup: string,
    readonly app: string,
  ) {}

  private path(slot: string, suffix = ''): string {
    const site = `/subscriptions/${this.subscriptionId}/resourceGroups/${encodeURIComponent(this.resourceGroup)}/providers/Microsoft.Web/sites/${this.app}`;
    return `${site}${slot === 'production' ? '' : `/slots/${slot}`}${suffix}?api-version=${APP_SERVICE_API}`;
  }

  /** The site's ARM tags (Tags - Get At Scope), where a swap records what production ran before it. */
  async tags(): Promise<Record<string, string>> {
    const answer = await this.arm.request('GET', this.tagsPath(), undefined, `GET ${this.app} tags`);
    const tags = (answer.body as { properties?: { tags?: Record<string, unknown> } } | undefined)?.properties?.tags ?? {};
    return Object.fromEntries(Object.entries(tags).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  }

  /** Merges `tags` into the site's (Tags - Update At Scope, operation Merge); other tags stay. */
  async mergeTags(tags: Record<string, string>): Promise<void> {
    await this.arm.request('PATCH', this.tagsPath(), { operation: 'Merge', properties: { tags } }, `tag ${this.app}`);
  }

  /** Removes these tags (Tags - Update At Scope, operation Delete); other tags stay. */
  async deleteTags(tags: Record<string, string>): Promise<void> {
    await this.arm.request('PATCH', this.tagsPath(), { operation: 'Delete', properties: { tags } }, `untag ${this.app}`);
  }

  private tagsPath(): string {
    const site = `/subscriptions/${this.subscriptionId}/resourceGroups/${encodeURIComponent(this.resourceGroup)}/providers/Microsoft.Web/sites/${this.app}`;
    return `${site}/providers/Microsoft.Resources/tags/default?api-version=${TAGS_API}`;
  }

  async hostName(slot: string): Promise<string> {
    const answer = await this.arm.request('GET', this.path(slot), undefined, `GET ${this.app}/${slot}`);
    const host = (answer.body as { properties?: { defaultHostName?: string } } | undefined)?.properties?.defaultHostName;
    if (!host) throw new Error(`ARM gave no defaultHostName for ${this.app}/${slot}`);
    return host;
  }

  async config(slot: string): Promise<WebConfig> {
    const answer = await this.arm.request('GET', this.path(slot, '/config/web'), undefined, `GET ${this.app}/${slot} config`);
    return (answer.body as { properties?: WebConfig } | undefined)?.properties ?? {};
  }

  async containers(slot: string): Promise<SiteContainerResource[]> {
    const answer = await this.arm.request(
      'GET',
      this.path(slot, '/sitecontainers'),
      undefined,
      `GET ${this.app}/${slot} sitecontainers`,
    );
    return (answer.body as { value?: SiteContainerResource[] } | undefined)?.value ?? [];
  }

  setConfig(slot: string, config: WebConfig): Promise<unknown> {
    return this.changing(slot, () =>
      this.arm.request('PATCH', this.path(slot, '/config/web'), { properties: config }, `update ${this.app}/${slot} config`),
    );
  }

  putContainer(slot: string, container: SiteContainerResource): Promise<unknown> {
    return this.changing(slot, () =>
      this.arm.request(
        'PUT',
        this.path(slot, `/sitecontainers/${container.name}`),
        { properties: container.properties },
        `put sitecontainer ${container.name} on ${this.app}/${slot}`,
      ),
    );
  }

  restart(slot: string): Promise<unknown> {
    return this.changing(slot, () =>
      this.arm.request('POST', this.path(slot, '/restart'), undefined, `restart ${this.app}/${slot}`),
    );
  }

  applySlotConfig(slot: string, targetSlot: string, preserveVnet: boolean): Promise<unknown> {
    return this.arm.request(
      'POST',
      this.path(slot, '/applySlotConfig'),
      { targetSlot, preserveVnet },
      `applySlotConfig ${this.app}/${slot}`,
    );
  }

  resetSlotConfig(slot: string): Promise<unknown> {
    return this.arm.request('POST', this.path(slot, '/resetSlotConfig'), undefined, `resetSlotConfig ${this.app}/${slot}`);
  }

  /** The swap, a long-running operation: resolves when ARM says it succeeded. */
  swap(slot: string, targetSlot: string, preserveVnet: boolean): Promise<unknown> {
    return this.changing(slot, () =>
      this.arm.longRunning(
        'POST',
        this.path(slot, '/slotsswap'),
        { targetSlot, preserveVnet },
        `swap ${this.app}/${slot} with ${targetSlot}`,
      ),
    );
  }

  /**
   * A change to a slot whose settings were applied for a swap (a preview left open by an
   * earlier run) is refused with a 409: the preview is reset once, then the change retried.
   */
  private async changing<T>(slot: string, change: () => Promise<T>): Promise<T> {
    try {
      return await change();
    } catch (error) {
      if (!isPreparedForSwap(error)) throw error;
      core.warning(`${this.app}/${slot} was prepared for a swap by an earlier run: resetting that preview, then trying again`);
      await this.resetSlotConfig(slot);
      return change();
    }
  }
}

/** What a slot's main container runs: its image, `COMPOSE`, or the main sitecontainer's image. */
export function mainImage(config: WebConfig, containers: readonly SiteContainerResource[]): string {
  const main = containers.find((container) => container.properties.isMain);
  if (main) return main.properties.image;
  const fx = config.linuxFxVersion ?? '';
  if (fx.startsWith('DOCKER|')) return fx.slice('DOCKER|'.length);
  return fx.split('|')[0] ?? '';
}
