import { createHash } from 'node:crypto';
import type { RegistryCredential } from './docker-credentials.js';
import { describeBody, httpRequestWithRetry, type HttpResponse, parseJsonBody } from './http.js';
import { isLoopbackRegistry, registryBaseUrl } from './image-ref.js';
import type { RetryPolicy } from './retry.js';
import { registerSecret } from './secrets.js';

export const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

export interface Manifest {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
}

/** `Bearer realm="...",service="...",scope="..."` into its parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const match of header.slice(space + 1).matchAll(/([a-zA-Z_]+)="([^"]*)"/g)) params[match[1] ?? ''] = match[2] ?? '';
  return { scheme, params };
}

const TIMEOUT_MS = 60_000;

const basicAuth = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/**
 * The registry HTTP API with the Docker token protocol, which ACR follows: a 401 challenge
 * names the token realm; a refresh token is traded there by POST (OAuth2), a user and
 * password by GET with Basic auth.
 */
export class RegistryClient {
  private readonly tokens = new Map<string, string>();
  private readonly base: string;

  constructor(
    readonly registry: string,
    private readonly credential: RegistryCredential,
    private readonly policy?: RetryPolicy,
  ) {
    this.base = registryBaseUrl(registry);
  }

  async getManifest(repository: string, reference: string): Promise<Manifest> {
    const manifest = await this.findManifest(repository, reference);
    if (!manifest) throw new RegistryError(`${this.registry}/${repository}:${reference} does not exist`);
    return manifest;
  }

  /** The manifest a tag or digest names, or undefined when the registry has none (404). */
  async findManifest(repository: string, reference: string): Promise<Manifest | undefined> {
    const response = await this.request(repository, 'pull', 'GET', `/v2/${repository}/manifests/${reference}`, {
      accept: MANIFEST_TYPES.join(', '),
    });
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw this.failure('read the manifest of', repository, reference, response);
    const digest = `sha256:${createHash('sha256').update(response.body).digest('hex')}`;
    const claimed = response.headers['docker-content-digest'];
    if (typeof claimed === 'string' && claimed !== digest) {
      throw new RegistryError(`the registry said ${claimed} for ${repository}:${reference}, but its bytes hash to ${digest}`);
    }
    const mediaType = (response.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    return { bytes: response.body, mediaType, digest };
  }

  /**
   * Puts the exact bytes under a tag: the digest, and so the image, stay the same. A registry
   * that answers with another digest has not tagged this image, and that fails here.
   */
  async putManifest(repository: string, tag: string, manifest: Manifest): Promise<void> {
    const response = await this.request(
      repository,
      'pull,push',
      'PUT',
      `/v2/${repository}/manifests/${tag}`,
      { 'content-type': manifest.mediaType },
      manifest.bytes,
    );
    if (response.status !== 201 && response.status !== 200) throw this.failure('tag', repository, tag, response);
    const digest = response.headers['docker-content-digest'];
    if (typeof digest === 'string' && digest !== manifest.digest) {
      throw new RegistryError(`tag ${tag} points at ${digest}, not ${manifest.digest}`);
    }
  }

  private failure(what: string, repository: string, reference: string, response: HttpResponse): RegistryError {
    return new RegistryError(
      `could not ${what} ${this.registry}/${repository}:${reference}: HTTP ${response.status} with ${describeBody(response)}`,
    );
  }

  private async request(
    repository: string,
    actions: string,
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: Buffer,
  ): Promise<HttpResponse> {
    const scope = `repository:${repository}:${actions}`;
    const send = (authorization?: string) =>
      httpRequestWithRetry(
        {
          url: `${this.base}${path}`,
          method,
          headers: authorization ? { ...headers, authorization } : headers,
          body,
          timeoutMs: TIMEOUT_MS,
        },
        { policy: this.policy },
      );
    const cached = this.tokens.get(scope);
    let response = await send(cached);
    if (response.status !== 401) return response;
    const challenge = parseChallenge(response.headers['www-authenticate'] ?? '');
    const authorization = await this.authorize(challenge, scope);
    this.tokens.set(scope, authorization);
    response = await send(authorization);
    if (response.status === 401 || response.status === 403) {
      throw new RegistryError(
        `${this.registry} refused ${method} ${path} (HTTP ${response.status}): check the credentials and their rights`,
      );
    }
    return response;
  }

  /**
   * Credentials go only to the registry's own host, over https: a 401 may name any token
   * realm, and a registry (or whoever answers for it) must not be able to send our password
   * or refresh token to another host, or over plain http. A loopback registry (tests, local
   * mirrors) may use http, on its own host and port only.
   */
  private checkRealm(realm: string): void {
    let url: URL | undefined;
    try {
      url = new URL(realm);
    } catch {
      url = undefined;
    }
    const own = new URL(this.base);
    const loopback = isLoopbackRegistry(this.registry);
    const allowed =
      url !== undefined &&
      url.hostname === own.hostname &&
      (url.protocol === 'https:' || (loopback && url.protocol === 'http:' && url.host === own.host));
    if (!allowed) {
      throw new RegistryError(
        `${this.registry} named the token realm ${url ? url.origin : JSON.stringify(realm.slice(0, 80))}; credentials are sent only to the registry's own host over https`,
      );
    }
  }

  private async authorize(challenge: ReturnType<typeof parseChallenge>, scope: string): Promise<string> {
    const credential = this.credential;
    if (challenge.scheme === 'basic') {
      if (credential.kind !== 'basic') throw new RegistryError(`${this.registry} wants a user name and password`);
      return basicAuth(credential.username, credential.password);
    }
    const realm = challenge.params.realm;
    if (challenge.scheme !== 'bearer' || !realm) throw new RegistryError(`${this.registry} sent an unknown auth challenge`);
    if (credential.kind !== 'anonymous') this.checkRealm(realm);
    const service = challenge.params.service ?? this.registry;
    let response: HttpResponse;
    if (credential.kind === 'identity-token') {
      const form = new URLSearchParams({ grant_type: 'refresh_token', service, scope, refresh_token: credential.token });
      response = await httpRequestWithRetry(
        {
          url: realm,
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
          timeoutMs: TIMEOUT_MS,
        },
        { policy: this.policy },
      );
    } else {
      const url = new URL(realm);
      url.searchParams.set('service', service);
      url.searchParams.set('scope', scope);
      const headers: Record<string, string> =
        credential.kind === 'basic' ? { authorization: basicAuth(credential.username, credential.password) } : {};
      response = await httpRequestWithRetry({ url, headers, timeoutMs: TIMEOUT_MS }, { policy: this.policy });
    }
    if (response.status !== 200)
      throw new RegistryError(`the token service of ${this.registry} answered HTTP ${response.status}`);
    const answer = parseJsonBody(response, `the token service of ${this.registry}`) as { token?: string; access_token?: string };
    const token = answer.access_token ?? answer.token;
    if (!token) throw new RegistryError(`the token service of ${this.registry} returned no token`);
    registerSecret(token);
    return `Bearer ${token}`;
  }
}
