// ACR's own metadata API (`/acr/v1/...`) over the storage of a REAL registry. Debian's
// docker-registry (distribution 2.8) holds the images; this module reads its filesystem
// layout to answer what ACR answers, and adds what distribution lacks: tag delete and the
// changeable attributes (the image lock). The shapes, paths and query parameters follow
// @azure/container-registry 1.1's generated client (models/mappers.js, operations/
// containerRegistry.js): TagList, AcrManifests, ArtifactTagProperties,
// ArtifactManifestProperties, Repositories, paging by `n`/`last` and a `Link` header
// `<...>; rel="next"`, `orderby` timedesc/timeasc, and the `digest` filter on tags. That
// official client drives this fake in test/integration/acr-lifecycle.test.ts (the oracle).
// Where ACR refuses a locked write or delete, this fake answers 405 DENIED.
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { readBody, send } from './fake-entra.js';

export interface Attributes {
  deleteEnabled: boolean;
  writeEnabled: boolean;
  readEnabled: boolean;
  listEnabled: boolean;
}

interface TagRecord {
  name: string;
  digest: string;
  createdTime: string;
  lastUpdateTime: string;
  updated: number;
}

interface ManifestRecord {
  digest: string;
  imageSize: number;
  createdTime: string;
  lastUpdateTime: string;
  mediaType: string | undefined;
  configMediaType: string | undefined;
  architecture: string | undefined;
  os: string | undefined;
  references: { digest: string; architecture?: string; os?: string }[] | undefined;
  tags: string[];
}

const DEFAULT_ATTRIBUTES: Attributes = { deleteEnabled: true, writeEnabled: true, readEnabled: true, listEnabled: true };
const DIGEST = /^sha256:[a-f0-9]{64}$/;

export interface AcrApi {
  /** Answers `/acr/v1/...`; `origin` is how the client reached the front (for the challenge's realm). */
  serve: (req: IncomingMessage, res: ServerResponse, origin: string) => Promise<void>;
  /** Why a `/v2/` write or delete is refused by a lock, or undefined when it may go on. */
  refusal: (method: string, pathname: string) => string | undefined;
  /** After the registry deleted a manifest: forget its attributes and those of its tags. */
  forgetManifest: (repository: string, digest: string) => void;
  /** Sets a tag's (or `@digest` manifest's) times `days` into the past, for the keep-days rule. */
  age: (repository: string, reference: string, days: number) => void;
  attributes: (repository: string, reference: string) => Attributes;
  tags: (repository: string) => { name: string; digest: string }[];
  manifests: (repository: string) => string[];
  /** A blob (or manifest) as the registry stores it, for tests that look inside layers. */
  readBlob: (digest: string) => Buffer;
  repositories: () => string[];
  /** Pages answered with a `Link` to a next page. */
  stats: { pagesWithLink: number };
  /**
   * Called once, after the next tag listing is answered: a push or promote that lands between
   * a cleanup's inventory and its deletes.
   */
  afterNextTagList: (() => Promise<void>) | undefined;
}

/** `scopes` is what the bearer token in the request grants (undefined: no valid token). */
export function acrApi(options: {
  storage: string;
  service: () => string;
  granted: (req: IncomingMessage) => string[] | undefined;
  /** The most items a page holds whatever `n` asks (a server's cap), so tests can force paging. */
  pageLimit?: number;
}): AcrApi {
  const stats = { pagesWithLink: 0 };
  const root = join(options.storage, 'docker', 'registry', 'v2');
  const repositoryDir = (name: string) => join(root, 'repositories', name);
  const locks = new Map<string, Attributes>();
  const key = (repository: string, reference: string) =>
    DIGEST.test(reference) ? `${repository}@${reference}` : `${repository}:${reference}`;
  const attributes = (repository: string, reference: string) => locks.get(key(repository, reference)) ?? DEFAULT_ATTRIBUTES;

  const repositories = (): string[] => {
    const found: string[] = [];
    const walk = (dir: string, prefix: string, depth: number) => {
      if (depth > 8 || !existsSync(dir)) return;
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (!entry.isDirectory()) continue;
        if (entry.name === '_manifests') found.push(prefix);
        else if (!entry.name.startsWith('_'))
          walk(join(dir, entry.name), prefix ? `${prefix}/${entry.name}` : entry.name, depth + 1);
      }
    };
    walk(join(root, 'repositories'), '', 0);
    return found.filter(Boolean).sort();
  };

  const list = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);
  const iso = (ms: number) => new Date(ms).toISOString();

  const tagRecords = (repository: string): TagRecord[] =>
    list(join(repositoryDir(repository), '_manifests', 'tags')).flatMap((name) => {
      const tagDir = join(repositoryDir(repository), '_manifests', 'tags', name);
      const link = join(tagDir, 'current', 'link');
      if (!existsSync(link)) return [];
      const updated = statSync(link).mtimeMs;
      const indexes = list(join(tagDir, 'index', 'sha256')).map((hex) => join(tagDir, 'index', 'sha256', hex, 'link'));
      const created = Math.min(updated, ...indexes.filter(existsSync).map((file) => statSync(file).mtimeMs));
      return [
        { name, digest: readFileSync(link, 'utf8').trim(), createdTime: iso(created), lastUpdateTime: iso(updated), updated },
      ];
    });

  const blob = (digest: string) => join(root, 'blobs', 'sha256', digest.slice(7, 9), digest.slice(7), 'data');
  const readJson = (digest: string): Record<string, unknown> | undefined => {
    try {
      return JSON.parse(readFileSync(blob(digest), 'utf8')) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };

  const manifestRecord = (repository: string, digest: string, tags: TagRecord[]): ManifestRecord | undefined => {
    const link = join(repositoryDir(repository), '_manifests', 'revisions', 'sha256', digest.slice(7), 'link');
    if (!existsSync(link)) return undefined;
    const time = statSync(link).mtimeMs;
    const manifest = readJson(digest) ?? {};
    const config = manifest.config as { mediaType?: string; digest?: string; size?: number } | undefined;
    const layers = (manifest.layers as { size?: number }[] | undefined) ?? [];
    const children = manifest.manifests as { digest: string; platform?: { architecture?: string; os?: string } }[] | undefined;
    const image = config?.digest ? readJson(config.digest) : undefined;
    return {
      digest,
      imageSize: statSync(blob(digest)).size + (config?.size ?? 0) + layers.reduce((sum, layer) => sum + (layer.size ?? 0), 0),
      createdTime: iso(time),
      lastUpdateTime: iso(time),
      mediaType: manifest.mediaType as string | undefined,
      configMediaType: config?.mediaType,
      architecture: image?.architecture as string | undefined,
      os: image?.os as string | undefined,
      references: children?.map((child) => ({
        digest: child.digest,
        architecture: child.platform?.architecture,
        os: child.platform?.os,
      })),
      tags: tags.filter((tag) => tag.digest === digest).map((tag) => tag.name),
    };
  };
  const manifestRecords = (repository: string): ManifestRecord[] => {
    const tags = tagRecords(repository);
    return list(join(repositoryDir(repository), '_manifests', 'revisions', 'sha256'))
      .map((hex) => manifestRecord(repository, `sha256:${hex}`, tags))
      .filter((record): record is ManifestRecord => record !== undefined);
  };

  const tagBody = (repository: string, tag: TagRecord) => ({
    name: tag.name,
    digest: tag.digest,
    createdTime: tag.createdTime,
    lastUpdateTime: tag.lastUpdateTime,
    signed: false,
    changeableAttributes: attributes(repository, tag.name),
  });
  const manifestBody = (repository: string, manifest: ManifestRecord) => ({
    ...manifest,
    changeableAttributes: attributes(repository, manifest.digest),
  });

  /** One page from a sorted list, by ACR's `n` and `last`, with the next page's `Link`. */
  const page = <T>(items: T[], nameOf: (item: T) => string, url: URL) => {
    const n = Math.max(1, Math.min(Number(url.searchParams.get('n') ?? '100') || 100, options.pageLimit ?? 1000));
    const last = url.searchParams.get('last');
    // `last` is a cursor: the item after it, or, when it is gone meanwhile, the first one
    // after it by name, so a page is never served twice.
    const at = last === null ? -1 : items.findIndex((item) => nameOf(item) === last);
    const after = last === null ? 0 : items.findIndex((item) => nameOf(item) > last);
    const start = at >= 0 ? at + 1 : after < 0 ? items.length : after;
    const slice = items.slice(start, start + n);
    const more = start + n < items.length && slice.length > 0;
    const next = new URLSearchParams(url.searchParams);
    next.delete('api-version');
    next.set('last', nameOf(slice.at(-1) as T));
    next.set('n', String(n));
    const headers: Record<string, string> = more ? { link: `<${url.pathname}?${next.toString()}>; rel="next"` } : {};
    if (more) stats.pagesWithLink += 1;
    return { slice, headers };
  };

  const ordered = <T extends { lastUpdateTime: string }>(items: T[], nameOf: (item: T) => string, orderby: string | null) =>
    [...items].sort((a, b) => {
      if (orderby === 'timedesc') return b.lastUpdateTime.localeCompare(a.lastUpdateTime) || nameOf(a).localeCompare(nameOf(b));
      if (orderby === 'timeasc') return a.lastUpdateTime.localeCompare(b.lastUpdateTime) || nameOf(a).localeCompare(nameOf(b));
      return nameOf(a).localeCompare(nameOf(b));
    });

  const patch = (repository: string, reference: string, body: string): void => {
    const change = JSON.parse(body || '{}') as Partial<Attributes>;
    const merged = { ...attributes(repository, reference) };
    for (const name of ['deleteEnabled', 'writeEnabled', 'readEnabled', 'listEnabled'] as const) {
      if (typeof change[name] === 'boolean') merged[name] = change[name];
    }
    locks.set(key(repository, reference), merged);
  };

  const denied = (res: ServerResponse) => {
    send(res, 405, {
      errors: [{ code: 'DENIED', message: 'The operation is disallowed on this registry, repository or image.' }],
    });
  };

  const serve = async (req: IncomingMessage, res: ServerResponse, origin: string): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    const registry = options.service();
    let need: string;
    let match: RegExpExecArray | null = null;
    if (url.pathname === '/acr/v1/_catalog') need = 'registry:catalog:*';
    else {
      match = /^\/acr\/v1\/(.+?)(?:\/(_tags|_manifests)(?:\/([^/]+))?)?$/.exec(url.pathname);
      if (!match) {
        send(res, 404, { errors: [{ code: 'NAME_UNKNOWN', message: 'no such route' }] });
        return;
      }
      const name = decodeURIComponent(match[1] ?? '');
      const action = method === 'GET' ? 'metadata_read' : method === 'PATCH' ? 'metadata_write' : 'delete';
      need = `repository:${name}:${action}`;
    }
    const [type, scopeName, action] = need.split(':');
    const grants = options.granted(req);
    const allowed = grants?.some((scope) => {
      const [grantType, grantName, actions = ''] = scope.split(':');
      return grantType === type && grantName === scopeName && (actions.split(',').includes(action ?? '') || actions === '*');
    });
    if (!allowed) {
      // ACR's challenge: the client trades its refresh token for an access token with this scope.
      send(
        res,
        401,
        { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
        {
          'www-authenticate': `Bearer realm="${origin}/oauth2/token",service="${registry}",scope="${need}"`,
        },
      );
      return;
    }
    if (!match) {
      const { slice, headers } = page(repositories(), (name) => name, url);
      send(res, 200, { repositories: slice }, headers);
      return;
    }
    const repository = decodeURIComponent(match[1] ?? '');
    const kind = match[2];
    const reference = match[3] === undefined ? undefined : decodeURIComponent(match[3]);
    if (!repositories().includes(repository)) {
      send(res, 404, { errors: [{ code: 'NAME_UNKNOWN', message: `repository ${repository} not found` }] });
      return;
    }
    const head = { registry, imageName: repository };
    if (kind === undefined) {
      if (method !== 'GET') {
        send(res, 405, { errors: [{ code: 'UNSUPPORTED', message: 'this fake serves repository properties only' }] });
        return;
      }
      const tags = tagRecords(repository);
      send(res, 200, {
        ...head,
        createdTime: new Date(0).toISOString(),
        lastUpdateTime: new Date().toISOString(),
        manifestCount: manifestRecords(repository).length,
        tagCount: tags.length,
        changeableAttributes: { ...DEFAULT_ATTRIBUTES, teleportEnabled: false },
      });
      return;
    }
    if (kind === '_tags') {
      const tags = tagRecords(repository);
      if (reference === undefined) {
        const digest = url.searchParams.get('digest');
        const matching = ordered(
          tags.filter((tag) => digest === null || tag.digest === digest),
          (tag) => tag.name,
          url.searchParams.get('orderby'),
        );
        const { slice, headers } = page(matching, (tag) => tag.name, url);
        const hook = api.afterNextTagList;
        api.afterNextTagList = undefined;
        if (hook) await hook();
        send(res, 200, { ...head, tags: slice.map((tag) => tagBody(repository, tag)) }, headers);
        return;
      }
      const tag = tags.find((candidate) => candidate.name === reference);
      if (!tag) {
        send(res, 404, { errors: [{ code: 'TAG_UNKNOWN', message: `tag ${reference} not found` }] });
        return;
      }
      if (method === 'DELETE') {
        if (!attributes(repository, tag.name).deleteEnabled) {
          denied(res);
          return;
        }
        // distribution 2.8 has no tag delete; removing the tag's folder is what its own
        // untag does, and the registry reads tags from disk on every request.
        rmSync(join(repositoryDir(repository), '_manifests', 'tags', tag.name), { recursive: true, force: true });
        locks.delete(key(repository, tag.name));
        res.writeHead(202).end();
        return;
      }
      if (method === 'PATCH') patch(repository, tag.name, body);
      send(res, 200, { ...head, tag: tagBody(repository, tag) });
      return;
    }
    const manifests = manifestRecords(repository);
    if (reference === undefined) {
      const { slice, headers } = page(
        ordered(manifests, (manifest) => manifest.digest, url.searchParams.get('orderby')),
        (manifest) => manifest.digest,
        url,
      );
      send(res, 200, { ...head, manifests: slice.map((manifest) => manifestBody(repository, manifest)) }, headers);
      return;
    }
    const manifest = manifests.find((candidate) => candidate.digest === reference);
    if (!manifest || method === 'DELETE') {
      send(res, manifest ? 405 : 404, {
        errors: [
          { code: manifest ? 'UNSUPPORTED' : 'MANIFEST_UNKNOWN', message: manifest ? 'delete through /v2/' : 'not found' },
        ],
      });
      return;
    }
    if (method === 'PATCH') patch(repository, manifest.digest, body);
    send(res, 200, { ...head, manifest: manifestBody(repository, manifest) });
  };

  const refusal = (method: string, pathname: string): string | undefined => {
    const match = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(pathname);
    if (!match) return undefined;
    const repository = decodeURIComponent(match[1] ?? '');
    const reference = decodeURIComponent(match[2] ?? '');
    if (method === 'PUT' && !DIGEST.test(reference) && !attributes(repository, reference).writeEnabled)
      return `tag ${repository}:${reference} is locked (writeEnabled false)`;
    if (method === 'DELETE' && DIGEST.test(reference)) {
      if (!attributes(repository, reference).deleteEnabled)
        return `manifest ${repository}@${reference} is locked (deleteEnabled false)`;
      const lockedTag = tagRecords(repository).find(
        (tag) => tag.digest === reference && !attributes(repository, tag.name).deleteEnabled,
      );
      if (lockedTag) return `tag ${repository}:${lockedTag.name} of that manifest is locked (deleteEnabled false)`;
    }
    return undefined;
  };

  const api: AcrApi = {
    serve,
    refusal,
    afterNextTagList: undefined,
    forgetManifest: (repository, digest) => {
      locks.delete(key(repository, digest));
    },
    age: (repository, reference, days) => {
      const when = new Date(Date.now() - days * 86_400_000);
      const files = DIGEST.test(reference)
        ? [join(repositoryDir(repository), '_manifests', 'revisions', 'sha256', reference.slice(7), 'link')]
        : [join(repositoryDir(repository), '_manifests', 'tags', reference, 'current', 'link')].concat(
            list(join(repositoryDir(repository), '_manifests', 'tags', reference, 'index', 'sha256')).map((hex) =>
              join(repositoryDir(repository), '_manifests', 'tags', reference, 'index', 'sha256', hex, 'link'),
            ),
          );
      for (const file of files) utimesSync(file, when, when);
    },
    attributes,
    tags: (repository) => tagRecords(repository).map(({ name, digest }) => ({ name, digest })),
    manifests: (repository) => manifestRecords(repository).map((manifest) => manifest.digest),
    readBlob: (digest) => readFileSync(blob(digest)),
    repositories,
    stats,
  };
  return api;
}
