// A fake of Azure Resource Manager for App Service (Microsoft.Web/sites and their slots),
// over HTTPS, beside the fake Entra (test/support/fake-entra.ts), whose certificate it
// shares. It follows the App Service REST reference and @azure/arm-appservice 19's
// operations (api-version 2025-05-01): the site and slot GETs (defaultHostName),
// config/web GET/PATCH/PUT, sitecontainers list/PUT, restart, applySlotConfig,
// resetSlotConfig, and slotsswap as a long-running operation (202 with Location and
// Retry-After, or Azure-AsyncOperation with a status resource). While a swap runs, any
// change answers App Service's 409 "another operation is in progress"; a slot prepared by
// applySlotConfig answers the other 409 until resetSlotConfig. Faults (429, 5xx, 409s) can
// be queued. The official client (test/integration/slot-swap-oracle.test.ts) checks it
// speaks ARM. Each slot also has a LIVE SITE: an HTTPS server on loopback (its
// defaultHostName) that serves the version its main image names, so health-gate probes
// what the slot runs and a swap visibly exchanges them. With `serve`, the live site passes
// requests on to REAL containers of the slot's images instead (test/support/containers.ts):
// `/status/<container>/...` to that sitecontainer, anything else to the main one. That path
// routing stands in for the app's own front (App Service sends traffic to the main container).
import { randomUUID } from 'node:crypto';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { FakeEntra } from './fake-entra.js';
import { closeServer, listen, readBody, send } from './fake-entra.js';

export const PREPARED_MESSAGE = 'The slot cannot be changed because its configuration settings have been prepared for swap.';
export const BUSY_MESSAGE = (id: string) =>
  `Cannot modify this site because another operation is in progress. Details: Id: ${id}, OperationName: SwapSiteSlots, CreatedTime: ${new Date().toISOString()}, WorkerName: , DestinationSlotName: production`;

export interface SlotState {
  hostName: string;
  config: Record<string, unknown>;
  containers: Map<string, { name: string; properties: Record<string, unknown> }>;
  prepared: boolean;
  restarts: number;
}

export interface Fault {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Matched against `METHOD /path` (no query); default any request. */
  match?: RegExp;
}

export interface FakeAppService {
  endpoint: string;
  subscription: string;
  resourceGroup: string;
  app: string;
  slots: Map<string, SlotState>;
  /** `METHOD /path?query` of every request, in order. */
  calls: string[];
  /** Answers the next matching requests with these, in order. */
  inject: (...faults: Fault[]) => void;
  /** How swaps answer: Location polling (default) or Azure-AsyncOperation; polls before done; or a failed swap. */
  swapMode: { kind: 'location' | 'async-operation'; polls: number; fail?: boolean; retryAfter: string };
  /** The site's ARM tags (Microsoft.Resources/tags/default at its scope: Get and Update At Scope). */
  tags: Record<string, string>;
  /** Images whose live site answers unhealthy (500). */
  broken: Set<string>;
  /** Images that answer unhealthy only in production (a release broken by production's own settings). */
  brokenInProduction: Set<string>;
  /** What a slot's live site serves now. */
  servedBy: (slot: string) => string;
  /** Sets a slot's image directly (the state before a test). */
  setImage: (slot: string, image: string) => void;
  close: () => Promise<void>;
}

const mainImageOf = (slot: SlotState): string => {
  const main = [...slot.containers.values()].find((container) => container.properties.isMain === true);
  if (main) return String(main.properties.image);
  const fx = typeof slot.config.linuxFxVersion === 'string' ? slot.config.linuxFxVersion : '';
  return fx.startsWith('DOCKER|') ? fx.slice(7) : fx;
};

/** The image a request to a slot's live site reaches, and the path it asks of it. */
export function routeOf(slot: SlotState, path: string): { image: string; path: string } {
  const status = /^\/status\/([a-z0-9-]+)(\/.*)?$/.exec(path);
  const sidecar = status && slot.containers.get(status[1] ?? '');
  if (sidecar) return { image: String(sidecar.properties.image), path: status[2] ?? '/' };
  return { image: mainImageOf(slot), path };
}

/** Passes a GET on to the container running `image`; 502 when it does not run. */
async function passOn(
  serve: (image: string) => Promise<string | undefined>,
  image: string,
  path: string,
  res: Parameters<typeof send>[0],
): Promise<void> {
  const origin = await serve(image).catch(() => undefined);
  if (!origin) {
    send(res, 502, { error: `${image} is not running` });
    return;
  }
  try {
    const answer = await fetch(`${origin}${path}`, { signal: AbortSignal.timeout(5000) });
    const body = await answer.text();
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
    res.end(body);
  } catch (error) {
    send(res, 502, { error: `${image}: ${(error as Error).message}` });
  }
}

export async function startFakeAppService(
  entra: FakeEntra,
  options: {
    subscription: string;
    resourceGroup: string;
    app: string;
    slots?: string[];
    /** The origin of a real container running `image`, or undefined when it cannot run. */
    serve?: (image: string) => Promise<string | undefined>;
  },
): Promise<FakeAppService> {
  const slots = new Map<string, SlotState>();
  const servers: Server[] = [];
  for (const name of ['production', ...(options.slots ?? ['staging'])]) {
    const state: SlotState = {
      hostName: '',
      config: { linuxFxVersion: '' },
      containers: new Map(),
      prepared: false,
      restarts: 0,
    };
    const live = createHttpsServer({ key: entra.tls.key, cert: entra.tls.cert }, (req, res) => {
      const { image, path } = options.serve ? routeOf(state, req.url ?? '/') : { image: mainImageOf(state), path: '' };
      if (!image || fake.broken.has(image) || (name === 'production' && fake.brokenInProduction.has(image))) {
        send(res, 500, { error: 'the container does not start' });
        return;
      }
      if (options.serve) {
        void passOn(options.serve, image, path, res);
        return;
      }
      const tag = image.slice(image.lastIndexOf(':') + 1);
      send(res, 200, { slot: name, image, build: { sha: tag }, path: req.url });
    });
    state.hostName = `127.0.0.1:${await listen(live)}`;
    servers.push(live);
    slots.set(name, state);
  }
  const faults: Fault[] = [];
  const calls: string[] = [];
  const operations = new Map<string, { polls: number; done: () => void; fail: boolean }>();
  let busy: string | undefined;
  let endpoint = '';
  const base = `/subscriptions/${options.subscription}/resourceGroups/${options.resourceGroup}/providers/Microsoft.Web/sites/${options.app}`;

  // A swap exchanges what the slots run; the host names (and each live site) stay.
  const swapSlots = (a: SlotState, b: SlotState) => {
    [a.config, b.config] = [b.config, a.config];
    [a.containers, b.containers] = [b.containers, a.containers];
    a.prepared = false;
    b.prepared = false;
  };

  const server = createHttpsServer({ key: entra.tls.key, cert: entra.tls.cert }, (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'https://x');
      const method = req.method ?? 'GET';
      calls.push(`${method} ${url.pathname}${url.search}`);
      const body = await readBody(req);
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      if (entra.scopeOf(token) !== `${endpoint}/.default`) {
        send(res, 401, {
          error: { code: 'InvalidAuthenticationTokenAudience', message: 'The access token has an invalid audience.' },
        });
        return;
      }
      const faultAt = faults.findIndex((fault) => !fault.match || fault.match.test(`${method} ${url.pathname}`));
      if (faultAt >= 0) {
        const [fault] = faults.splice(faultAt, 1);
        send(
          res,
          fault!.status,
          fault!.body ?? { error: { code: 'Fault', message: `injected ${fault!.status}` } },
          fault!.headers,
        );
        return;
      }
      // Operation status (Location or Azure-AsyncOperation).
      const op =
        /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Web\/locations\/[^/]+\/(operationResults|operations)\/([^/]+)$/.exec(
          url.pathname,
        );
      if (op && method === 'GET') {
        const operation = operations.get(op[2] ?? '');
        if (!operation) {
          send(res, 404, { error: { code: 'NotFound', message: 'no such operation' } });
          return;
        }
        const asyncStatus = op[1] === 'operations';
        if (operation.polls > 0) {
          operation.polls -= 1;
          if (asyncStatus) send(res, 200, { status: 'InProgress' }, { 'retry-after': fake.swapMode.retryAfter });
          else {
            res.writeHead(202, { location: `${endpoint}${url.pathname}${url.search}`, 'retry-after': fake.swapMode.retryAfter });
            res.end();
          }
          return;
        }
        operation.done();
        if (operation.fail) {
          if (asyncStatus)
            send(res, 200, {
              status: 'Failed',
              error: { code: 'SwapFailed', message: 'The swap failed: the slot did not warm up.' },
            });
          else send(res, 500, { error: { code: 'SwapFailed', message: 'The swap failed: the slot did not warm up.' } });
          return;
        }
        if (asyncStatus) send(res, 200, { status: 'Succeeded' });
        else {
          res.writeHead(200);
          res.end();
        }
        return;
      }
      if (!url.pathname.startsWith(base)) {
        send(res, 404, { error: { code: 'ResourceNotFound', message: `The Resource was not found: ${url.pathname}` } });
        return;
      }
      if (!url.searchParams.get('api-version')) {
        send(res, 400, {
          error: {
            code: 'MissingApiVersionParameter',
            message: 'The api-version query parameter (?api-version=) is required for all requests.',
          },
        });
        return;
      }
      let rest = url.pathname.slice(base.length);
      let slotName = 'production';
      const slotMatch = /^\/slots\/([^/]+)(.*)$/.exec(rest);
      if (slotMatch) {
        slotName = slotMatch[1] ?? '';
        rest = slotMatch[2] ?? '';
      }
      const slot = slots.get(slotName);
      if (!slot) {
        send(res, 404, { error: { code: 'ResourceNotFound', message: `The slot ${slotName} was not found.` } });
        return;
      }
      const mutating = method !== 'GET';
      if (mutating && busy && rest !== '/resetSlotConfig') {
        send(res, 409, { error: { code: 'Conflict', message: BUSY_MESSAGE(busy) } }, { 'retry-after': '1' });
        return;
      }
      if (mutating && slot.prepared && (rest === '/config/web' || rest === '/restart' || rest.startsWith('/sitecontainers/'))) {
        send(res, 409, { error: { code: 'Conflict', message: PREPARED_MESSAGE } });
        return;
      }
      const json = body ? (JSON.parse(body) as Record<string, unknown>) : {};
      const id = `${base}${slotName === 'production' ? '' : `/slots/${slotName}`}`;
      if (rest === '' && method === 'GET') {
        send(res, 200, {
          id,
          name: slotName === 'production' ? options.app : `${options.app}/${slotName}`,
          type: 'Microsoft.Web/sites',
          location: 'West Europe',
          properties: { defaultHostName: slot.hostName, state: 'Running' },
        });
        return;
      }
      if (rest === '/config/web') {
        if (method === 'PATCH' || method === 'PUT') {
          const properties = (json.properties ?? {}) as Record<string, unknown>;
          slot.config = method === 'PUT' ? { ...properties } : { ...slot.config, ...properties };
        }
        send(res, 200, { id: `${id}/config/web`, name: 'web', type: 'Microsoft.Web/sites/config', properties: slot.config });
        return;
      }
      if (rest === '/sitecontainers' && method === 'GET') {
        send(res, 200, {
          value: [...slot.containers.values()].map((container) => ({
            id: `${id}/sitecontainers/${container.name}`,
            type: 'Microsoft.Web/sites/sitecontainers',
            ...container,
          })),
        });
        return;
      }
      const container = /^\/sitecontainers\/([^/]+)$/.exec(rest);
      if (container && method === 'PUT') {
        const name = container[1] ?? '';
        const properties = (json.properties ?? {}) as Record<string, unknown>;
        slot.containers.set(name, { name, properties: { ...properties, createdTime: new Date().toISOString() } });
        send(res, 200, { id: `${id}/sitecontainers/${name}`, name, type: 'Microsoft.Web/sites/sitecontainers', properties });
        return;
      }
      if (rest === '/restart' && method === 'POST') {
        slot.restarts += 1;
        res.writeHead(200);
        res.end();
        return;
      }
      if (rest === '/applySlotConfig' && method === 'POST') {
        slot.prepared = true;
        res.writeHead(200);
        res.end();
        return;
      }
      if (rest === '/resetSlotConfig' && method === 'POST') {
        slot.prepared = false;
        res.writeHead(200);
        res.end();
        return;
      }
      if (rest === '/slotsswap' && method === 'POST') {
        const target = slots.get(typeof json.targetSlot === 'string' ? json.targetSlot : '');
        if (!target || target === slot) {
          send(res, 400, {
            error: { code: 'BadRequest', message: `targetSlot ${String(json.targetSlot)} is not a slot of ${options.app}` },
          });
          return;
        }
        const operation = randomUUID();
        busy = operation;
        operations.set(operation, {
          polls: fake.swapMode.polls,
          fail: fake.swapMode.fail === true,
          done: () => {
            if (busy !== operation) return;
            busy = undefined;
            if (!fake.swapMode.fail) swapSlots(slot, target);
          },
        });
        const location = `${endpoint}/subscriptions/${options.subscription}/providers/Microsoft.Web/locations/westeurope/operationResults/${operation}?api-version=2025-05-01`;
        const headers: Record<string, string> = { 'retry-after': fake.swapMode.retryAfter, location };
        if (fake.swapMode.kind === 'async-operation') {
          headers['azure-asyncoperation'] =
            `${endpoint}/subscriptions/${options.subscription}/providers/Microsoft.Web/locations/westeurope/operations/${operation}?api-version=2025-05-01`;
        }
        res.writeHead(202, headers);
        res.end();
        return;
      }
      // Tags at the site's scope, as ARM's Tags - Get At Scope and Update At Scope (Merge,
      // Replace, Delete) answer them; a slot has tags of its own, which no test uses.
      if (slotName === 'production' && rest === '/providers/Microsoft.Resources/tags/default') {
        if (method === 'PATCH') {
          const operation = typeof json.operation === 'string' ? json.operation : '';
          const given = (json.properties as { tags?: Record<string, string> } | undefined)?.tags ?? {};
          if (!['Merge', 'Replace', 'Delete'].includes(operation)) {
            send(res, 400, { error: { code: 'InvalidRequestContent', message: `operation must be Merge, Replace or Delete` } });
            return;
          }
          const next = new Map(operation === 'Replace' ? [] : Object.entries(fake.tags));
          for (const [name, value] of Object.entries(given)) {
            if (operation === 'Delete') next.delete(name);
            else next.set(name, value);
          }
          // ARM's limits on one resource: 50 tags, names up to 512 characters, values up to 256.
          const invalid =
            next.size > 50
              ? `Too many tags: the resource would have ${next.size}, and at most 50 are allowed.`
              : [...next].find(([name, value]) => name.length > 512 || value.length > 256)
                ? 'A tag name is longer than 512 characters or a tag value longer than 256.'
                : undefined;
          if (invalid) {
            send(res, 400, { error: { code: 'BadRequest', message: invalid } });
            return;
          }
          fake.tags = Object.fromEntries(next);
        } else if (method !== 'GET') {
          send(res, 405, { error: { code: 'MethodNotAllowed', message: method } });
          return;
        }
        send(res, 200, {
          id: `${id}/providers/Microsoft.Resources/tags/default`,
          name: 'default',
          type: 'Microsoft.Resources/tags',
          properties: { tags: fake.tags },
        });
        return;
      }
      send(res, 404, { error: { code: 'NotFound', message: `no route for ${method} ${url.pathname}` } });
    })();
  });
  const port = await listen(server);
  endpoint = `https://127.0.0.1:${port}`;
  const fake: FakeAppService = {
    endpoint,
    subscription: options.subscription,
    resourceGroup: options.resourceGroup,
    app: options.app,
    slots,
    calls,
    inject: (...added) => {
      faults.push(...added);
    },
    swapMode: { kind: 'location', polls: 1, retryAfter: '1' },
    tags: {},
    broken: new Set(),
    brokenInProduction: new Set(),
    servedBy: (name) => mainImageOf(slots.get(name)!),
    setImage: (name, image) => {
      const slot = slots.get(name)!;
      slot.config = { ...slot.config, linuxFxVersion: `DOCKER|${image}` };
    },
    close: async () => {
      await Promise.all([server, ...servers].map((each) => closeServer(each as unknown as Parameters<typeof closeServer>[0])));
    },
  };
  entra.allow(`${endpoint}/.default`);
  return fake;
}
