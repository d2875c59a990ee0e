// A stand-in for Azure Container Registry around a REAL registry: Debian's docker-registry
// (distribution) does the storage and checks every token; this front speaks ACR's token
// protocol (/oauth2/exchange, /oauth2/token), mints the JWTs the registry verifies, and can
// inject faults into pushes. Fakes beside it: the Entra token endpoint (HTTPS, as MSAL
// requires) and the runner's OIDC ID-token endpoint. Nothing here leaves 127.0.0.1.
import { type ChildProcess, spawn } from 'node:child_process';
import { createSign, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCert, type TestCert } from './certs.js';
import { delay, freePort } from './http-server.js';

export const TENANT = '11111111-2222-3333-4444-555555555555';
export const CLIENT = '99999999-8888-7777-6666-555555555555';
export const ADMIN = { username: 'omisadmin', password: 'admin-pass-9c2f' };
export const ID_TOKEN_REQUEST_TOKEN = 'runner-request-token-77aa';

export interface FakeAcr {
  /** `127.0.0.1:port`: the registry host as clients see it. */
  registry: string;
  /** Environment for an action run that uses auth: oidc. */
  oidcEnv: Record<string, string>;
  authorityHost: string;
  /**
   * Statuses to answer the next push requests with, in order (e.g. [503, 429]); `manifests`
   * aims them at manifest PUTs, which dockerd does not retry itself (it retries blob uploads).
   */
  injectPushFaults: (statuses: number[], target?: 'any' | 'manifests') => void;
  /** Arrival times (performance.now()) of every manifest PUT, so tests can measure backoff. */
  manifestPuts: readonly number[];
  stats: {
    idTokens: number;
    entraTokens: number;
    exchanges: number;
    registryTokens: number;
    injected: number;
    reusedAssertions: number;
  };
  close: () => Promise<void>;
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function listen(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function mintRegistryToken(cert: TestCert, service: string, subject: string, scopes: string[]): string {
  const now = Math.floor(Date.now() / 1000);
  const access = scopes.map((scope) => {
    const [type, name, actions] = scope.split(':');
    return { type, name, actions: (actions ?? '').split(',').filter(Boolean) };
  });
  const header = { alg: 'RS256', typ: 'JWT', x5c: [cert.derBase64] };
  const claims = {
    iss: 'fake-acr',
    sub: subject,
    aud: service,
    exp: now + 600,
    nbf: now - 30,
    iat: now,
    jti: randomBytes(8).toString('hex'),
    access,
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(cert.key);
  return `${signingInput}.${base64url(signature)}`;
}

export async function startFakeAcr(): Promise<FakeAcr> {
  const dir = mkdtempSync(join(tmpdir(), 'fake-acr-'));
  const signing = makeCert(dir, 'token-signer');
  const tls = makeCert(dir, 'entra');
  const stats = { idTokens: 0, entraTokens: 0, exchanges: 0, registryTokens: 0, injected: 0, reusedAssertions: 0 };
  const idTokens = new Set<string>();
  const usedAssertions = new Set<string>();
  const entraTokens = new Set<string>();
  const refreshTokens = new Set<string>();
  const faults: number[] = [];
  /** When each manifest PUT arrived (performance.now()), faulted or not. */
  const manifestPuts: number[] = [];
  let faultTarget: 'any' | 'manifests' = 'any';

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

  // Entra ID: OpenID metadata and the v2.0 token endpoint for client-assertion grants.
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
        if (form.get('client_id') !== CLIENT) {
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
        if (form.get('scope') !== 'https://containerregistry.azure.net/.default') {
          send(res, 400, { error: 'invalid_scope' });
          return;
        }
        stats.entraTokens += 1;
        const accessToken = `entra-${randomBytes(18).toString('hex')}`;
        entraTokens.add(accessToken);
        send(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken });
        return;
      }
      send(res, 404, { error: 'not_found' });
    })();
  });
  const entraPort = await listen(entra);

  const registryPort = await freePort();
  let service = '';
  const credentialValid = (req: IncomingMessage): string | undefined => {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Basic ')) return undefined;
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const [user = '', ...rest] = decoded.split(':');
    const secret = rest.join(':');
    if (user === ADMIN.username && secret === ADMIN.password) return user;
    if (refreshTokens.has(secret)) return user;
    return undefined;
  };

  // The ACR front: token service plus a fault-injecting proxy to the real registry.
  const front = createHttpServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/oauth2/exchange' && req.method === 'POST') {
        const form = new URLSearchParams(await readBody(req));
        if (form.get('grant_type') !== 'access_token' || form.get('service') !== service || form.get('tenant') !== TENANT) {
          send(res, 400, { errors: [{ code: 'BAD_REQUEST', message: 'grant_type, service or tenant wrong' }] });
          return;
        }
        if (!entraTokens.has(form.get('access_token') ?? '')) {
          send(res, 401, { errors: [{ code: 'UNAUTHORIZED' }] });
          return;
        }
        stats.exchanges += 1;
        const refreshToken = `acr-refresh-${randomBytes(16).toString('hex')}`;
        refreshTokens.add(refreshToken);
        send(res, 200, { refresh_token: refreshToken });
        return;
      }
      if (url.pathname === '/oauth2/token') {
        let subject: string | undefined;
        let scopes = url.searchParams.getAll('scope');
        if (req.method === 'POST') {
          const form = new URLSearchParams(await readBody(req));
          if (form.get('grant_type') === 'refresh_token' && refreshTokens.has(form.get('refresh_token') ?? '')) subject = 'oidc';
          scopes = form.getAll('scope');
        } else subject = credentialValid(req);
        if (!subject) {
          send(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] });
          return;
        }
        stats.registryTokens += 1;
        const token = mintRegistryToken(
          signing,
          service,
          subject,
          scopes.flatMap((scope) => scope.split(' ')),
        );
        send(res, 200, { token, access_token: token, expires_in: 600 });
        return;
      }
      const pushing = req.method === 'PUT' || req.method === 'PATCH' || req.method === 'POST';
      if (req.method === 'PUT' && url.pathname.includes('/manifests/')) manifestPuts.push(performance.now());
      const targeted = faultTarget === 'any' || url.pathname.includes('/manifests/');
      if (pushing && targeted && url.pathname.startsWith('/v2/') && faults.length > 0) {
        const status = faults.shift() ?? 503;
        stats.injected += 1;
        await readBody(req);
        send(
          res,
          status,
          { errors: [{ code: status === 429 ? 'TOOMANYREQUESTS' : 'UNAVAILABLE', message: 'injected fault' }] },
          status === 429 ? { 'retry-after': '1' } : {},
        );
        return;
      }
      const upstream = request(
        { host: '127.0.0.1', port: registryPort, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => {
        send(res, 502, { errors: [{ code: 'UNAVAILABLE' }] });
      });
      req.pipe(upstream);
    })();
  });
  const frontPort = await listen(front);
  service = `127.0.0.1:${frontPort}`;

  writeFileSync(
    join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log: {level: error, accesslog: {disabled: true}}',
      `storage: {filesystem: {rootdirectory: ${join(dir, 'data')}}, delete: {enabled: true}}`,
      `http: {addr: "127.0.0.1:${registryPort}", secret: ${randomBytes(8).toString('hex')}}`,
      'auth:',
      '  token:',
      `    realm: "http://${service}/oauth2/token"`,
      `    service: "${service}"`,
      '    issuer: fake-acr',
      `    rootcertbundle: ${signing.certPath}`,
      '',
    ].join('\n'),
  );
  const registryProcess: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  for (let attempt = 0; ; attempt++) {
    const up = await fetch(`http://${service}/v2/`).then(
      (answer) => answer.status === 401,
      () => false,
    );
    if (up) break;
    if (attempt > 100) throw new Error('docker-registry did not start within 10 s');
    await delay(100);
  }

  const closeServer = (server: Server) =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => {
        resolve();
      });
    });
  return {
    registry: service,
    authorityHost: `https://127.0.0.1:${entraPort}`,
    oidcEnv: {
      ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${idTokenPort}/idtoken?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: ID_TOKEN_REQUEST_TOKEN,
      NODE_EXTRA_CA_CERTS: tls.certPath,
    },
    injectPushFaults: (statuses, target = 'any') => {
      faults.push(...statuses);
      faultTarget = target;
    },
    stats,
    manifestPuts,
    close: async () => {
      registryProcess.kill('SIGTERM');
      await Promise.all([closeServer(front), closeServer(idTokenServer), closeServer(entra)]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
