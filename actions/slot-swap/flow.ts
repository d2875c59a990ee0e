import * as core from '@actions/core';
import type { GateResult } from '../../packages/shared/gate/gate.js';
import { ArmError } from '../../packages/shared/arm.js';
import { KEEP_IMAGE, type Payload, type SlotSwapConfig } from './config.js';
import { mainImage, type Site, type SiteContainerResource } from './site.js';

export type SlotResult = 'swapped' | 'swapped-back' | 'gate-failed' | 'deployed' | 'previewed' | 'reset';

/** One gate of the run, for the summary. */
export interface GateRun {
  title: string;
  url: string;
  result: GateResult;
}

export interface FlowOutcome {
  result: SlotResult;
  previousImage: string;
  previousImages: Record<string, string>;
  deployedImage: string;
  productionUrl: string;
  slotUrl: string;
  swapSeconds: number | undefined;
  productionAfter: string | undefined;
  gates: GateRun[];
  /** Set when the run must fail. */
  failure: string | undefined;
}

/** Probes `url`; `full` applies expect-json (the new version), otherwise health only. */
export type GateFn = (url: string, full: boolean, title: string) => Promise<GateResult>;

const joinUrl = (base: string, path: string): string => `${base.replace(/\/+$/, '')}${path}`;

interface SlotImages {
  main: string;
  /** Each sitecontainer's image by name; `main` alone for a single-container slot. */
  all: Record<string, string>;
  linuxFxVersion: string;
}

async function imagesOf(site: Site, slot: string): Promise<SlotImages> {
  const [config, containers] = await Promise.all([site.config(slot), site.containers(slot)]);
  const all: Record<string, string> = Object.fromEntries(
    containers.map((container) => [container.name, container.properties.image]),
  );
  const main = mainImage(config, containers);
  if (containers.length === 0 && main) all.main = main;
  return { main, all, linuxFxVersion: config.linuxFxVersion ?? '' };
}

/**
 * Each sitecontainer whose image is `keep` gets what the target slot's container of that name
 * runs now: a release names only the services it rebuilt, and the others stay as production has them.
 */
export function resolveKeep(payload: Payload, target: Readonly<Record<string, string>>, targetSlot: string): Payload {
  if (payload.kind !== 'sitecontainers') return payload;
  const containers = payload.containers.map((container) => {
    if (container.image !== KEEP_IMAGE) return container;
    const image = target[container.name];
    if (!image) {
      throw new Error(
        `sitecontainers: ${container.name} says image: keep, but ${targetSlot} runs no container named ${container.name}; give its image`,
      );
    }
    return { ...container, image };
  });
  return { kind: 'sitecontainers', containers };
}

/** Why the slot does not run the release `payload` names, or undefined when it does. */
export function releaseMismatch(payload: Payload, slot: SlotImages): string | undefined {
  if (payload.kind === 'image') {
    return slot.main === payload.image ? undefined : `it runs ${slot.main || '(nothing)'}, not ${payload.image}`;
  }
  if (payload.kind === 'compose') {
    const fx = `COMPOSE|${Buffer.from(payload.compose).toString('base64')}`;
    return slot.linuxFxVersion === fx ? undefined : "its compose file is not this release's";
  }
  return imagesMismatch(Object.fromEntries(payload.containers.map((container) => [container.name, container.image])), slot);
}

/** Each container whose image differs from `want`, by name, as one line naming both; undefined when all match. */
function imagesMismatch(want: Readonly<Record<string, string>>, slot: SlotImages): string | undefined {
  const wrong = Object.entries(want).filter(([name, image]) => slot.all[name] !== image);
  return wrong.length === 0
    ? undefined
    : wrong.map(([name, image]) => `${name} runs ${slot.all[name] ?? '(nothing)'}, not ${image}`).join('; ');
}

/**
 * `expected-image` as one image names the main container's, under `main`, whatever the
 * main sitecontainer is called.
 */
const withMain = (slot: SlotImages): SlotImages => ({ ...slot, all: { ...(slot.main ? { main: slot.main } : {}), ...slot.all } });

/** Puts the payload on the slot: the image, each sitecontainer, or the compose file. */
async function deploy(site: Site, config: SlotSwapConfig, payload: Payload): Promise<string> {
  const identity = config.registryIdentityClientId;
  // Pulls from ACR with the slot's managed identity: never a registry password in app settings.
  const pull = identity ? { acrUseManagedIdentityCreds: true, acrUserManagedIdentityID: identity } : {};
  if (payload.kind === 'image') {
    await site.setConfig(config.slot, { linuxFxVersion: `DOCKER|${payload.image}`, ...pull });
    return payload.image;
  }
  if (payload.kind === 'compose') {
    core.warning('compose-file: multi-container COMPOSE| apps are deprecated by App Service; sitecontainers replace them');
    await site.setConfig(config.slot, { linuxFxVersion: `COMPOSE|${Buffer.from(payload.compose).toString('base64')}`, ...pull });
    return 'COMPOSE';
  }
  await site.setConfig(config.slot, { linuxFxVersion: 'SITECONTAINERS', ...pull });
  for (const container of payload.containers) {
    const resource: SiteContainerResource = {
      name: container.name,
      properties: {
        image: container.image,
        isMain: container.isMain,
        authType: container.authType,
        ...(container.targetPort !== undefined && { targetPort: container.targetPort }),
        ...(container.identityClientId !== undefined && { userManagedIdentityClientId: container.identityClientId }),
        ...(container.env.length > 0 && { environmentVariables: container.env }),
      },
    };
    await site.putContainer(config.slot, resource);
  }
  return payload.containers.find((container) => container.isMain)?.image ?? '';
}

/** The ARM tags a swap leaves on the site: which containers, and each one's image before the swap. */
const RECORD_NAMES = 'deploy-actions.previous';
const recordTag = (container: string): string => `deploy-actions.previous.${container}`;

/** ARM's limits: tags on one resource, and characters in a tag value. */
const MAX_TAGS = 50;
const MAX_TAG_VALUE = 256;

/**
 * Records what production runs, just before a swap, so that a swap back days later knows
 * what the slot must hold. A record is a convenience, never worth a half-done swap: when
 * ARM refuses it (the identity may lack `Microsoft.Resources/tags/write`, or the site has
 * ARM's 50 tags), the swap goes on with a warning, and a later swap back needs
 * `expected-image`. Tags of containers the site no longer has are removed first.
 */
async function recordPrevious(site: Site, images: Readonly<Record<string, string>>): Promise<void> {
  try {
    const existing = await site.tags();
    const record: Record<string, string> = Object.fromEntries(
      Object.entries(images).map(([name, image]) => [recordTag(name), image]),
    );
    const tooLong = Object.entries(images).find(([, image]) => image.length > MAX_TAG_VALUE);
    if (tooLong) throw new Error(`the image of ${tooLong[0]} is longer than ARM's ${MAX_TAG_VALUE} characters for a tag value`);
    const stale = Object.fromEntries(
      Object.entries(existing).filter(([name]) => name.startsWith(`${RECORD_NAMES}.`) && !(name in record)),
    );
    const count = Object.keys({ ...existing, ...record, [RECORD_NAMES]: '' }).length - Object.keys(stale).length;
    if (count > MAX_TAGS) throw new Error(`the site would have ${count} tags, and ARM allows ${MAX_TAGS}`);
    if (Object.keys(stale).length > 0) await site.deleteTags(stale);
    await site.mergeTags({ ...record, [RECORD_NAMES]: Object.keys(images).join(',') });
  } catch (error) {
    if (error instanceof ArmError && error.status >= 500) throw error;
    core.warning(
      `${site.app}: what production runs was not recorded for a later swap back (${(error as Error).message}); a swap back then needs expected-image`,
    );
    // A record from an earlier swap must not stand for this one.
    await site.mergeTags({ [RECORD_NAMES]: '' }).catch(() => undefined);
  }
}

/** What the last swap recorded, or undefined when none did (or a swap back used it up). */
async function recordedPrevious(site: Site): Promise<Record<string, string> | undefined> {
  const tags = await site.tags();
  const names = (tags[RECORD_NAMES] ?? '').split(',').filter(Boolean);
  if (names.length === 0 || names.some((name) => tags[recordTag(name)] === undefined)) return undefined;
  return Object.fromEntries(names.map((name) => [name, tags[recordTag(name)] ?? '']));
}

/**
 * The action's steps, in an order that never touches production before the slot passed its
 * gate: deploy to the slot and gate it; apply production's settings to the slot (preview)
 * and gate it again (a failure resets the preview); swap; gate production; on failure swap
 * back and gate production for health only (it runs the previous version again).
 */
export async function runFlow(config: SlotSwapConfig, site: Site, gate: GateFn): Promise<FlowOutcome> {
  const { slot, targetSlot } = config;
  const [slotHost, productionHost] = await Promise.all([
    config.slotUrl ? Promise.resolve('') : site.hostName(slot),
    config.productionUrl ? Promise.resolve('') : site.hostName(targetSlot),
  ]);
  const slotUrl = config.slotUrl?.href ?? `https://${slotHost}/`;
  const productionUrl = config.productionUrl?.href ?? `https://${productionHost}/`;
  const before = await imagesOf(site, targetSlot);
  const payload = config.payload && resolveKeep(config.payload, before.all, targetSlot);
  const outcome: FlowOutcome = {
    result: 'deployed',
    previousImage: before.main,
    previousImages: before.all,
    deployedImage: '',
    productionUrl,
    slotUrl,
    swapSeconds: undefined,
    productionAfter: undefined,
    gates: [],
    failure: undefined,
  };
  const probe = async (title: string, base: string, full: boolean): Promise<boolean> => {
    const url = joinUrl(base, config.healthPath);
    const result = await gate(url, full, title);
    outcome.gates.push({ title, url, result });
    return result.healthy;
  };
  const dry = (what: string): boolean => {
    if (config.dryRun) core.info(`dry-run: would ${what}`);
    return config.dryRun;
  };
  const swap = async (what: string): Promise<void> => {
    if (dry(`swap ${slot} with ${targetSlot} (${what})`)) return;
    const started = performance.now();
    await site.swap(slot, targetSlot, config.preserveVnet);
    outcome.swapSeconds = (performance.now() - started) / 1000;
    core.info(`Swapped ${slot} with ${targetSlot} in ${outcome.swapSeconds.toFixed(1)} s (${what})`);
  };

  if (config.action === 'reset') {
    if (!dry(`reset the swap preview of ${slot}`)) await site.resetSlotConfig(slot);
    return { ...outcome, result: 'reset' };
  }
  if (config.action === 'preview') {
    if (!dry(`apply ${targetSlot}'s settings to ${slot}`)) await site.applySlotConfig(slot, targetSlot, config.preserveVnet);
    return { ...outcome, result: 'previewed' };
  }
  if (config.action === 'swap-back') {
    // Swap back only the release production ran before the swap: after another deploy to the
    // slot, swapping would put that build into production.
    const expected = config.expectedImages ?? (await recordedPrevious(site));
    if (expected === undefined) {
      throw new Error(`no expected-image was given and ${config.app} records no swap to go back on: nothing was swapped`);
    }
    const mismatch = imagesMismatch(expected, withMain(await imagesOf(site, slot)));
    if (mismatch) {
      throw new Error(`the ${slot} slot does not hold what ${targetSlot} ran before the swap (${mismatch}): nothing was swapped`);
    }
    await swap('swap back');
    // Used up: a second swap back would put the release just removed back into production.
    if (!config.dryRun) await site.mergeTags({ [RECORD_NAMES]: '' });
    const healthy = await probe(`${targetSlot} after the swap back (health only)`, productionUrl, false);
    return {
      ...outcome,
      result: 'swapped-back',
      productionAfter: (await imagesOf(site, targetSlot)).main,
      failure: healthy ? undefined : `${targetSlot} is not healthy after the swap back`,
    };
  }

  if (payload && (config.action === 'deploy' || config.action === 'deploy-and-swap')) {
    if (!dry(`deploy to ${slot}`)) {
      outcome.deployedImage = await deploy(site, config, payload);
      if (config.restart) await site.restart(slot);
    }
    if (!(await probe(`${slot} slot`, slotUrl, true))) {
      return { ...outcome, result: 'gate-failed', failure: `the ${slot} slot failed its gate; ${targetSlot} was not touched` };
    }
    if (config.action === 'deploy') return outcome;
  } else {
    const current = await imagesOf(site, slot);
    outcome.deployedImage = current.main;
    // The release approved for this swap must still be what the slot runs: another run may
    // have deployed to the slot while this one waited for its approval.
    const mismatch =
      (payload && releaseMismatch(payload, current)) ||
      (config.expectedImages && imagesMismatch(config.expectedImages, withMain(current)));
    if (mismatch) {
      throw new Error(`the ${slot} slot does not run the release to swap (${mismatch}); nothing was swapped`);
    }
  }

  // swap, complete, deploy-and-swap
  if (config.swapWithPreview && config.action !== 'complete') {
    if (!dry(`apply ${targetSlot}'s settings to ${slot}`)) await site.applySlotConfig(slot, targetSlot, config.preserveVnet);
    if (!(await probe(`${slot} slot with ${targetSlot}'s settings`, slotUrl, true))) {
      if (!dry(`reset the preview of ${slot}`)) await site.resetSlotConfig(slot);
      return {
        ...outcome,
        result: 'gate-failed',
        failure: `the ${slot} slot failed its gate with ${targetSlot}'s settings; the preview was reset and ${targetSlot} not touched`,
      };
    }
  }
  // Recorded before the swap: once production runs the new release, a failed record must
  // not stop its gate (and its swap back).
  if (!config.dryRun) await recordPrevious(site, before.all);
  await swap('release');
  if (config.postSwapGate && !(await probe(`${targetSlot} after the swap`, productionUrl, true))) {
    if (!config.swapBackOnFailure) {
      return {
        ...outcome,
        result: 'gate-failed',
        productionAfter: outcome.deployedImage,
        failure: `${targetSlot} failed its gate after the swap (swap-back-on-failure is false)`,
      };
    }
    await swap('swap back after a failed gate');
    if (!config.dryRun) await site.mergeTags({ [RECORD_NAMES]: '' });
    const healthy = await probe(`${targetSlot} after the swap back (health only)`, productionUrl, false);
    return {
      ...outcome,
      result: 'swapped-back',
      productionAfter: (await imagesOf(site, targetSlot)).main,
      failure: `${targetSlot} failed its gate after the swap and was swapped back${healthy ? '' : ', and is not healthy after it either'}`,
    };
  }
  return {
    ...outcome,
    result: 'swapped',
    productionAfter: config.dryRun ? outcome.previousImage : (await imagesOf(site, targetSlot)).main,
  };
}
