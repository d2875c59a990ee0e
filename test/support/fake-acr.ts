// A stand-in for Azure Container Registry around a REAL registry: Debian's docker-registry
// (distribution) does the storage and checks every token; this front speaks ACR's token
// protocol (/oauth2/exchange, /oauth2/token), mints the JWTs the registry verifies, serves
// ACR's /acr/v1 metadata API and its image locks (test/support/fake-acr-api.ts), and can
// inject faults into pushes. One port speaks HTTPS (the test certificate, which the SDK
// needs: it refuses plain http) and plain HTTP (what dockerd and the registry's own token
// realm use for a loopback registry): the first byte of each connection (0x16, a TLS
// handshake) picks which. Fakes beside it (test/support/fake-entra.ts): the Entra token
// endpoint and the runner's OIDC ID-token endpoint. Nothing here leaves 127.0.0.1.
import { type ChildProcess, spawn } from 'node:child_process';
import { createSign, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCert, type TestCert } from './certs.js';
import { type AcrApi, acrApi } from './fake-acr-api.js';
import { ACR_SCOPE } from '../../packages/shared/azure-auth.js';
import { closeServer, type FakeEntra, listen, readBody, send, startFakeEntra, TENANT } from './fake-entra.js';
import { delay, freePort } from './http-server.js';

export { CLEANUP_CLIENT, CLIENT, PUSH_CLIENT, TENANT } from './fake-entra.js';

export const ADMIN = { username: 'omisadmin', password: 'admin-pass-9c2f' };

export interface FakeAcr {
  /** The fake Entra ID the OIDC sign-in goes through; other Azure fakes may share it. */
  entra: FakeEntra;
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
  /** ACR's metadata API over the registry's storage: tags, manifests, locks, and `age()` for tests. */
  api: AcrApi;
  stats: {
    idTokens: number;
    entraTokens: number;
    exchanges: number;
    registryTokens: number;
    injected: number;
    reusedAssertions: number;
    /** Connections that spoke TLS to the registry's port (dockerd tries HTTPS first). */
    tlsConnections: number;
  };
  close: () => Promise<void>;
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

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

export async function startFakeAcr(options: { pageLimit?: number } = {}): Promise<FakeAcr> {
  const dir = mkdtempSync(join(tmpdir(), 'fake-acr-'));
  const signing = makeCert(dir, 'token-signer');
  const counts = { exchanges: 0, registryTokens: 0, injected: 0, tlsConnections: 0 };
  const refreshTokens = new Set<string>();
  /** The scopes each minted access token grants (what /acr/v1 checks; the registry checks its own). */
  const accessTokens = new Map<string, string[]>();
  const faults: number[] = [];
  /** When each manifest PUT arrived (performance.now()), faulted or not. */
  const manifestPuts: number[] = [];
  let faultTarget: 'any' | 'manifests' = 'any';

  const entra = await startFakeEntra(dir, [ACR_SCOPE]);

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

  const api = acrApi({
    storage: join(dir, 'data'),
    service: () => service,
    granted: (req) => accessTokens.get((req.headers.authorization ?? '').replace(/^Bearer /, '')),
    pageLimit: options.pageLimit,
  });

  // The ACR front: token service, /acr/v1, and a fault-injecting proxy to the real registry.
  const handle = (protocol: 'http' | 'https') => (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname.startsWith('/acr/v1/')) {
        await api.serve(req, res, `${protocol}://${service}`);
        return;
      }
      // ACR accepts a repository name with its slashes encoded (the SDK sends %2F).
      if (url.pathname.startsWith('/v2/')) req.url = `${url.pathname.replace(/%2F/gi, '/')}${url.search}`;
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const refused = req.headers.authorization ? api.refusal(req.method ?? 'GET', path) : undefined;
      if (refused) {
        await readBody(req);
        send(res, 405, { errors: [{ code: 'DENIED', message: `The operation is disallowed: ${refused}` }] });
        return;
      }
      if (url.pathname === '/oauth2/exchange' && req.method === 'POST') {
        const form = new URLSearchParams(await readBody(req));
        // The tenant is optional (the Azure SDK leaves it out); when given, it must be ours.
        const tenant = form.get('tenant');
        if (
          form.get('grant_type') !== 'access_token' ||
          form.get('service') !== service ||
          (tenant !== null && tenant !== TENANT)
        ) {
          send(res, 400, { errors: [{ code: 'BAD_REQUEST', message: 'grant_type, service or tenant wrong' }] });
          return;
        }
        if (entra.scopeOf(form.get('access_token') ?? '') !== ACR_SCOPE) {
          send(res, 401, { errors: [{ code: 'UNAUTHORIZED' }] });
          return;
        }
        counts.exchanges += 1;
        // A JWT, as ACR's is: the SDK reads its `exp` to know when to exchange again.
        const refreshToken = mintRegistryToken(signing, service, 'oidc-refresh', []);
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
        counts.registryTokens += 1;
        const granted = scopes.flatMap((scope) => scope.split(' ')).filter(Boolean);
        const token = mintRegistryToken(signing, service, subject, granted);
        accessTokens.set(token, granted);
        send(res, 200, { token, access_token: token, expires_in: 600 });
        return;
      }
      const pushing = req.method === 'PUT' || req.method === 'PATCH' || req.method === 'POST';
      if (req.method === 'PUT' && url.pathname.includes('/manifests/')) manifestPuts.push(performance.now());
      const targeted = faultTarget === 'any' || url.pathname.includes('/manifests/');
      if (pushing && targeted && url.pathname.startsWith('/v2/') && faults.length > 0) {
        const status = faults.shift() ?? 503;
        counts.injected += 1;
        await readBody(req);
        send(
          res,
          status,
          { errors: [{ code: status === 429 ? 'TOOMANYREQUESTS' : 'UNAVAILABLE', message: 'injected fault' }] },
          status === 429 ? { 'retry-after': '1' } : {},
        );
        return;
      }
      // The registry builds upload Locations from the scheme it is told: a client on HTTPS
      // (dockerd tries it first on an insecure registry) must be sent back to HTTPS, where
      // its token applies, not to plain HTTP.
      const headers = { ...req.headers, 'x-forwarded-proto': protocol };
      const upstream = request(
        { host: '127.0.0.1', port: registryPort, method: req.method, path: req.url, headers },
        (answer) => {
          const deleted = /^\/v2\/(.+)\/manifests\/(sha256:[a-f0-9]{64})$/.exec(path);
          if (req.method === 'DELETE' && answer.statusCode === 202 && deleted)
            api.forgetManifest(deleted[1] ?? '', deleted[2] ?? '');
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => {
        send(res, 502, { errors: [{ code: 'UNAVAILABLE' }] });
      });
      req.pipe(upstream);
    })();
  };
  const httpFront = createHttpServer(handle('http'));
  const httpsFront = createHttpsServer({ key: entra.tls.key, cert: entra.tls.cert }, handle('https'));
  const ports = { http: await listen(httpFront), https: await listen(httpsFront) };
  // The public port relays each connection, whole, to the HTTP or HTTPS server by its first
  // byte. A relay rather than handing the socket over: a TLS server given a socket whose
  // first bytes were already read would never see the ClientHello.
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const front: NetServer = createNetServer((socket) => {
    track(socket);
    socket.once('data', (first: Buffer) => {
      if (first[0] === 0x16) counts.tlsConnections += 1;
      const inner = connect(first[0] === 0x16 ? ports.https : ports.http, '127.0.0.1');
      track(inner);
      inner.write(first);
      socket.pipe(inner).pipe(socket);
      socket.on('close', () => inner.destroy());
      inner.on('close', () => socket.destroy());
    });
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  service = `127.0.0.1:${(front.address() as { port: number }).port}`;

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

  return {
    registry: service,
    entra,
    authorityHost: entra.authorityHost,
    oidcEnv: entra.oidcEnv,
    injectPushFaults: (statuses, target = 'any') => {
      faults.push(...statuses);
      faultTarget = target;
    },
    // Read afresh each time: Entra's counts with the front's own.
    get stats() {
      return { ...entra.stats, ...counts };
    },
    manifestPuts,
    api,
    close: async () => {
      registryProcess.kill('SIGTERM');
      for (const socket of sockets) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) =>
          front.close(() => {
            resolve();
          }),
        ),
        closeServer(httpFront),
        closeServer(httpsFront),
        entra.close(),
      ]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
