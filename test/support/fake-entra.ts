// Fakes of Entra ID and of the runner's OIDC ID-token endpoint, for the actions that sign
// in by workload identity federation (acr-push, helm-deploy). Entra's side follows what
// @azure/identity's ClientAssertionCredential (MSAL) asks: the OpenID metadata and the v2.0
// token endpoint, over HTTPS as MSAL requires. Each runner ID token is accepted once, as a
// client assertion, and each access token is minted for one scope, which the fakes of the
// services (ACR, ARM, the AKS API) check as audience. Nothing here leaves 127.0.0.1.
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { makeCert, type TestCert } from './certs.js';

// The sample's IDs (examples/omis-sample), so its caller workflows sign in here unchanged.
export const TENANT = '72f988bf-0000-4a1b-9c3d-5e6f7a8b9c0d';
/** The production environment's deploy identity: every scope served. */
export const CLIENT = '3f6d2a9e-5b1c-4e7f-9a0d-2c8b7e41f605';
/** The registry-push identity (AcrPush only): the registries' scopes, nothing an environment runs. */
export const PUSH_CLIENT = '5b8e1f3a-7c2d-4e9f-8a1b-6d0c3e2f4a97';
/** The registry-cleanup identity: the registries' scopes only. */
export const CLEANUP_CLIENT = 'e4a7c9d1-2b3f-4c5e-9d8a-7f1b0c6e3d52';
export const ID_TOKEN_REQUEST_TOKEN = 'runner-request-token-77aa';

export interface FakeEntra {
  authorityHost: string;
  /** Environment for an action run that signs in by OIDC: the ID-token endpoint and the CA. */
  oidcEnv: Record<string, string>;
  /** The HTTPS certificate (for 127.0.0.1), for other fakes that must be trusted as well. */
  tls: TestCert;
  /** The scope each access token was minted for. */
  scopeOf: (accessToken: string) => string | undefined;
  stats: { idTokens: number; entraTokens: number; reusedAssertions: number };
  /** Access tokens minted to each client ID, and the scopes asked of each. */
  byClient: Record<string, string[]>;
  /** Access tokens minted per scope. */
  minted: (scope: string) => number;
  /** Serves one more scope (a service whose address is known only once it listens), to CLIENT only. */
  allow: (scope: string) => void;
  /** An access token for `scope`, minted without the OIDC dance (for an SDK's credential in a test). */
  issue: (scope: string) => string;
  close: () => Promise<void>;
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export async function listen(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => {
      resolve();
    });
  });
}

/** Entra and the ID-token endpoint; `scopes` (and those allowed later) are the only scopes a token is minted for. */
export async function startFakeEntra(dir: string, initialScopes: readonly string[]): Promise<FakeEntra> {
  const scopes = [...initialScopes];
  // As an app registration's roles: the push and cleanup identities reach the registries
  // (the initial scopes) and nothing else; CLIENT, every scope.
  const scopesOf = (client: string): readonly string[] | undefined =>
    client === CLIENT ? scopes : client === PUSH_CLIENT || client === CLEANUP_CLIENT ? initialScopes : undefined;
  const byClient: Record<string, string[]> = {};
  const tls = makeCert(dir, 'entra');
  const stats = { idTokens: 0, entraTokens: 0, reusedAssertions: 0 };
  const idTokens = new Set<string>();
  const usedAssertions = new Set<string>();
  const tokens = new Map<string, string>();

  // The runner's ID-token endpoint (what ACTIONS_ID_TOKEN_REQUEST_URL points at).
  const idTokenServer = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.headers.authorization !== `Bearer ${ID_TOKEN_REQUEST_TOKEN}`) {
      send(res, 401, { message: 'bad request token' });
      return;
    }
    if (url.searchParams.get('audience') !== 'api://AzureADTokenExchange') {
      send(res, 400, { message: 'wrong audience' });
      return;
    }
    stats.idTokens += 1;
    const token = `${base64url('{"alg":"RS256"}')}.${base64url(JSON.stringify({ aud: 'api://AzureADTokenExchange', n: stats.idTokens }))}.${randomBytes(16).toString('base64url')}`;
    idTokens.add(token);
    send(res, 200, { value: token });
  });
  const idTokenPort = await listen(idTokenServer);

  const entra = createHttpsServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'https://x');
      const origin = `https://127.0.0.1:${(entra.address() as AddressInfo).port}`;
      if (req.method === 'GET' && url.pathname === `/${TENANT}/v2.0/.well-known/openid-configuration`) {
        send(res, 200, {
          issuer: `${origin}/${TENANT}/v2.0`,
          token_endpoint: `${origin}/${TENANT}/oauth2/v2.0/token`,
          authorization_endpoint: `${origin}/${TENANT}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${origin}/${TENANT}/oauth2/v2.0/logout`,
          jwks_uri: `${origin}/${TENANT}/discovery/v2.0/keys`,
          response_types_supported: ['code', 'token'],
        });
        return;
      }
      if (req.method === 'POST' && url.pathname === `/${TENANT}/oauth2/v2.0/token`) {
        const form = new URLSearchParams(await readBody(req));
        const assertion = form.get('client_assertion') ?? '';
        const client = form.get('client_id') ?? '';
        const granted = scopesOf(client);
        if (granted === undefined) {
          send(res, 400, { error: 'unauthorized_client' });
          return;
        }
        if (
          form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' ||
          !idTokens.has(assertion)
        ) {
          send(res, 401, { error: 'invalid_client', error_description: 'unknown client assertion' });
          return;
        }
        // Each runner ID token is accepted once: a reused (stale) assertion is refused.
        if (usedAssertions.has(assertion)) {
          stats.reusedAssertions += 1;
          send(res, 401, { error: 'invalid_client', error_description: 'assertion already used' });
          return;
        }
        usedAssertions.add(assertion);
        // MSAL adds OpenID scopes of its own; the resource scope is the one that is not.
        const asked = (form.get('scope') ?? '')
          .split(' ')
          .filter((scope) => !['openid', 'profile', 'offline_access'].includes(scope));
        const scope = asked[0] ?? '';
        if (asked.length !== 1 || !granted.includes(scope)) {
          send(res, 400, { error: 'invalid_scope', error_description: `scope ${asked.join(' ')} is not served here` });
          return;
        }
        stats.entraTokens += 1;
        (byClient[client] ??= []).push(scope);
        const accessToken = `entra-${randomBytes(18).toString('hex')}`;
        tokens.set(accessToken, scope);
        send(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken });
        return;
      }
      send(res, 404, { error: 'not_found' });
    })();
  });
  const entraPort = await listen(entra);
  return {
    authorityHost: `https://127.0.0.1:${entraPort}`,
    oidcEnv: {
      ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${idTokenPort}/idtoken?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: ID_TOKEN_REQUEST_TOKEN,
      NODE_EXTRA_CA_CERTS: tls.certPath,
    },
    tls,
    scopeOf: (token) => tokens.get(token),
    stats,
    byClient,
    minted: (scope) => [...tokens.values()].filter((value) => value === scope).length,
    allow: (scope) => {
      scopes.push(scope);
    },
    issue: (scope) => {
      const token = `entra-${randomBytes(18).toString('hex')}`;
      tokens.set(token, scope);
      return token;
    },
    close: async () => {
      await Promise.all([closeServer(idTokenServer), closeServer(entra)]);
    },
  };
}
