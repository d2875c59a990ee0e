// Runs the health-gate bundle (built from the current source) as a child process with the runner's protocol, against
// real HTTP servers on 127.0.0.1. No fakes: every probe is a real TCP connection.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeCert } from '../support/certs.js';
import { startConnectProxy } from '../support/connect-proxy.js';
import { delay, freePort, json, startServer, type TestServer } from '../support/http-server.js';
import { failure, runAction } from '../support/run-action.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(...args: Parameters<typeof startServer>): Promise<TestServer> {
  const server = await startServer(...args);
  servers.push(server);
  return server;
}

/** Quick gate settings so each scenario ends in seconds. */
const FAST = { interval: '100ms', 'request-timeout': '1s', timeout: '4s' };

interface Report {
  probes: { url: string; status: number | null; latencyMs: number; verdict: string; reason: string | null }[];
}

describe('health-gate (bundled)', () => {
  it('passes a healthy service and reports every probe', async () => {
    const app = await serve((_req, res) => {
      json(res, 200, { status: 'ok', build: { sha: 'abc123' } });
    });
    const result = await runAction('health-gate', {
      ...FAST,
      url: `${app.url}/api/info`,
      'expect-json': 'build.sha=abc123\nstatus=ok',
      'expect-body': '"status":"ok"',
      'max-latency-ms': '1000',
    });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ healthy: 'true', probes: '3', successes: '3', failures: '0' });
    expect(result.outputs['p95-ms']).toMatch(/^\d+$/);
    expect(result.outputs.reason).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/api\/info passed 3 rounds in a row; p95 \d+ ms within max-latency-ms 1000$/,
    );
    const report = JSON.parse(result.outputs.report!) as Report;
    expect(report.probes).toHaveLength(3);
    expect(report.probes[0]).toMatchObject({ url: `${app.url}/api/info`, status: 200, verdict: 'pass', reason: null });
    expect(result.summary).toContain('### ✅ health-gate: healthy');
    expect(result.summary).toContain(`#### \`${app.url}/api/info\``);
    expect(result.summary).toMatch(/\| 1–3 \| ✅ pass \| 200 \|/);
  });

  it('waits for a service that is slow to start, without counting refusals as failures', async () => {
    const port = await freePort();
    // Up 2.5 s after the child is started: well after its first probes even when other test
    // workers slow a bundle's start to a second or more.
    const starting = delay(2500).then(() =>
      serve((_req, res) => {
        json(res, 200, { ok: true });
      }, port),
    );
    const result = await runAction('health-gate', {
      ...FAST,
      timeout: '8s',
      url: `http://127.0.0.1:${port}/healthz`,
      'failure-threshold': '2',
    });
    await starting;
    expect(result.exitCode).toBe(0);
    expect(result.outputs.healthy).toBe('true');
    expect(result.outputs.failures).toBe('0');
    const report = JSON.parse(result.outputs.report!) as Report;
    const notUp = report.probes.filter((probe) => probe.verdict === 'not-up');
    expect(notUp.length).toBeGreaterThan(2); // more than failure-threshold, yet no early failure
    expect(notUp[0]?.reason).toBe('connection refused');
    expect(result.summary).toContain('⏳ not up');
  });

  it('fails a flapping service at the timeout, naming the last failure', async () => {
    const app = await serve((_req, res, hit) => {
      json(res, hit % 2 === 0 ? 500 : 200, {});
    });
    const result = await runAction('health-gate', { ...FAST, url: app.url, timeout: '1500ms' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.healthy).toBe('false');
    expect(result.outputs.reason).toMatch(/^timed out after 1\.5s: /);
    expect(Number(result.outputs.successes)).toBeGreaterThan(3);
    expect(Number(result.outputs.failures)).toBeGreaterThan(3);
    expect(failure(result)).toBe(`health-gate failed: ${result.outputs.reason}`);
  });

  it('fails the wrong version early with the path and both values', async () => {
    const app = await serve((_req, res) => {
      json(res, 200, { build: { sha: 'old1' } });
    });
    const url = `${app.url}/api/info`;
    const result = await runAction('health-gate', { ...FAST, url, 'expect-json': 'build.sha=abc123', 'failure-threshold': '3' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.reason).toBe(`${url}: build.sha was "old1" not "abc123" (3 failing rounds in a row)`);
    expect(result.outputs).toMatchObject({ healthy: 'false', probes: '3', failures: '3', successes: '0', 'p95-ms': '' });
    expect(failure(result)).toBe(`health-gate failed: ${url}: build.sha was "old1" not "abc123" (3 failing rounds in a row)`);
    expect(app.hits()).toBe(3);
  });

  it('fails a service whose p95 latency is over max-latency-ms', async () => {
    const app = await serve(async (_req, res) => {
      await delay(120);
      json(res, 200, {});
    });
    const result = await runAction('health-gate', { ...FAST, url: app.url, 'max-latency-ms': '40', timeout: '1500ms' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.reason).toMatch(
      /^timed out after 1\.5s: p95 latency \d+ ms of passing probes is over max-latency-ms 40$/,
    );
    expect(result.outputs['p95-ms']).toMatch(/^\d+$/);
    expect(Number(result.outputs['p95-ms'])).toBeGreaterThanOrEqual(120);
  });

  it('fails on HTTP 5xx after failure-threshold rounds', async () => {
    const app = await serve((_req, res) => {
      res.writeHead(503, { 'retry-after': '1' });
      res.end('maintenance');
    });
    const result = await runAction('health-gate', { ...FAST, url: app.url, 'failure-threshold': '4' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.reason).toBe(`${app.url}/: status 503 not in 200-299 (4 failing rounds in a row)`);
    expect(result.summary).toContain('❌ fail');
  });

  it('requires every URL to pass', async () => {
    const good = await serve((_req, res) => {
      json(res, 200, {});
    });
    const bad = await serve((_req, res) => {
      res.writeHead(200);
      res.end('<h1>maintenance</h1>');
    });
    const result = await runAction('health-gate', {
      ...FAST,
      url: `${good.url}/a, ${bad.url}/b`,
      'expect-body': '^\\{',
      'failure-threshold': '2',
    });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.reason).toBe(`${bad.url}/b: body did not match /^\\{/ (2 failing rounds in a row)`);
    expect(result.summary).toContain(`#### \`${good.url}/a\``);
    expect(result.summary).toContain(`#### \`${bad.url}/b\``);
  });

  it('reports a URL that never answers at the timeout', async () => {
    const port = await freePort();
    const result = await runAction('health-gate', { ...FAST, url: `http://127.0.0.1:${port}/`, timeout: '600ms' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.reason).toBe(`timed out after 600ms: http://127.0.0.1:${port}/ never answered (connection refused)`);
    expect(result.outputs.failures).toBe('0');
  });

  it('lets the workflow branch on the output with fail-on-unhealthy: false', async () => {
    const app = await serve((_req, res) => {
      res.writeHead(500);
      res.end();
    });
    const result = await runAction('health-gate', {
      ...FAST,
      url: app.url,
      'failure-threshold': '1',
      'fail-on-unhealthy': 'false',
    });
    expect(result.exitCode).toBe(0);
    expect(result.outputs.healthy).toBe('false');
    expect(result.annotations).toEqual([
      { level: 'warning', message: expect.stringContaining('Unhealthy (fail-on-unhealthy is false)') as string },
    ]);
  });

  it('sends the method and headers, and never shows header values', async () => {
    const secret = 's3cr3t-token-9f8e7d';
    const app = await serve((req, res) => {
      const authorised = req.headers.authorization === `Bearer ${secret}` && req.headers['x-tenant'] === 'omis';
      // Reflects the secret back, as a careless service might: the reason then contains it.
      json(res, authorised ? 200 : 401, { seen: req.headers.authorization });
    });
    const headers = `Authorization: Bearer ${secret}\nX-Tenant: omis`;
    const ok = await runAction('health-gate', { ...FAST, url: app.url, method: 'POST', headers });
    expect(ok.exitCode).toBe(0);
    expect(app.requests.every((request) => request.method === 'POST')).toBe(true);

    const reflected = await runAction('health-gate', {
      ...FAST,
      url: app.url,
      headers,
      'expect-json': 'seen=nobody',
      'failure-threshold': '1',
    });
    expect(reflected.exitCode).toBe(1);
    for (const result of [ok, reflected]) {
      // The only place the raw value may appear is the ::add-mask:: command itself.
      const leaking = result.stdout.split('\n').filter((line) => line.includes(secret) && !line.startsWith('::add-mask::'));
      expect(leaking).toEqual([]);
      expect(result.stderr).not.toContain(secret);
      expect(result.summary).not.toContain(secret);
      expect(JSON.stringify(result.outputs)).not.toContain(secret);
      // The token is masked, not the scheme, and not a harmless header such as X-Tenant.
      expect(result.masks).toContain(secret);
      expect(result.masks).not.toContain('omis');
      expect(result.masks).not.toContain(`Bearer ${secret}`);
    }
    expect(reflected.outputs.reason).toContain('seen was "Bearer ***"');
  });

  it('probes with HEAD', async () => {
    const app = await serve((req, res) => {
      res.writeHead(req.method === 'HEAD' ? 204 : 405);
      res.end();
    });
    const result = await runAction('health-gate', { ...FAST, url: app.url, method: 'HEAD', 'expect-status': '204' });
    expect(result.exitCode).toBe(0);
  });
});

describe('health-gate bad inputs', () => {
  const cases: [Record<string, string>, string][] = [
    [{ interval: 'abc' }, `input 'interval' must be a duration such as 90s, 5m, 1m30s, 500ms or plain seconds; got "abc"`],
    [{ url: 'ftp://x' }, `input 'url' must be an http:// or https:// URL; got "ftp://x"`],
    [
      { 'expect-status': '99' },
      `input 'expect-status' must be a comma list of HTTP status codes (100-599), ranges like 200-299, or classes like 2xx; got "99"`,
    ],
    [{ url: '' }, `input 'url' is required: one or more http(s) URLs, or services (service=url lines)`],
    [{ 'success-threshold': '0' }, `input 'success-threshold' must be a whole number from 1 to 10000; got "0"`],
    [{ 'failure-threshold': '-1' }, `input 'failure-threshold' must be a whole number from 0 to 10000; got "-1"`],
    [{ 'fail-on-unhealthy': 'yes' }, `input 'fail-on-unhealthy' must be true or false; got "yes"`],
    [{ 'max-latency-ms': '1.5' }, `input 'max-latency-ms' must be a whole number of at least 1; got "1.5"`],
    [{ timeout: '0' }, `input 'timeout' must be at least 1ms; got "0"`],
    [
      { 'expect-json': 'build.sha' },
      `input 'expect-json' must be lines of path=value with a dot path such as build.sha=abc123; got "build.sha"`,
    ],
    [
      { 'expect-body': '([' },
      `input 'expect-body' must be a valid regular expression: Invalid regular expression: /([/: Unterminated character class`,
    ],
    [{ method: 'get' }, `input 'method' must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS; got "get"`],
    [{ headers: 'Authorization Bearer abc' }, `input 'headers' must be lines of "Name: value"; line 1 is not`],
  ];

  it.each(cases)('%j fails at once, naming the input, before any request', async (inputs, message) => {
    const app = await startServer((_req, res) => {
      res.end();
    });
    try {
      const result = await runAction('health-gate', { url: app.url, ...inputs });
      expect(result.exitCode).toBe(1);
      expect(failure(result)).toBe(`health-gate failed: ${message}`);
      expect(app.hits()).toBe(0);
      expect(result.outputs).toEqual({});
      expect(result.summary).toBe('');
    } finally {
      await app.close();
    }
  });
});

describe('health-gate: secrets, bounds and proxies (real servers on 127.0.0.1; the proxy is ours)', () => {
  it('masks no ordinary header value: X-Debug: 1 leaves the outputs readable', async () => {
    const app = await serve((_req, res) => {
      json(res, 200, { ok: true });
    });
    const result = await runAction('health-gate', { ...FAST, url: app.url, headers: 'X-Debug: 1' });
    expect(result.exitCode).toBe(0);
    expect(result.masks).not.toContain('1');
    expect(result.outputs.probes).toBe('3');
    expect(() => JSON.parse(result.outputs.report!) as unknown).not.toThrow();
    expect(app.requests[0]?.headers['x-debug']).toBe('1');
  });

  it('keeps a reflected token, and any part of it, out of the log, summary, reason and report', async () => {
    const token = `T${'k'.repeat(75)}`; // 76 characters: an 80-character cut would show most of it
    const app = await serve((req, res) => {
      // Echoes only the token, not the scheme, as a service that logs its caller might.
      json(res, 401, { caller: (req.headers.authorization ?? '').replace('Bearer ', '') });
    });
    const result = await runAction('health-gate', {
      ...FAST,
      url: app.url,
      headers: `Authorization: Bearer ${token}`,
      'expect-status': '401',
      'expect-json': 'caller=someone',
      'failure-threshold': '1',
    });
    expect(failure(result)).toBe(`health-gate failed: ${result.outputs.reason}`);
    const prefix = token.slice(0, 12);
    for (const text of [result.summary, JSON.stringify(result.outputs), result.stderr]) expect(text).not.toContain(prefix);
    expect(result.stdout.split('\n').filter((line) => line.includes(prefix) && !line.startsWith('::add-mask::'))).toEqual([]);
    expect(result.outputs.reason).toContain('caller was "***" not "someone"');
  });

  it('answers a catastrophic expect-body at once (linear fallback), and holds its timeout for one that cannot fall back', async () => {
    const app = await serve((_req, res) => {
      res.writeHead(200).end(`${'a'.repeat(20_000)}!`);
    });
    // Nested quantifiers: V8's linear-time engine takes over, so every round answers.
    const nested = await runAction('health-gate', { ...FAST, url: app.url, 'expect-body': '^(a+)+$', timeout: '3s' });
    expect(failure(nested)).toContain('body did not match');
    expect(nested.log).not.toMatch(/did not finish before/);
    // A backreference keeps the backtracking engine: the worker is ended at the deadline.
    const started = performance.now();
    const result = await runAction('health-gate', { ...FAST, url: app.url, 'expect-body': '^(a+)+\\1$', timeout: '3s' });
    const seconds = (performance.now() - started) / 1000;
    expect(failure(result)).toMatch(/^health-gate failed: .*did not finish before the gate's timeout|timed out after 3s/);
    expect(seconds).toBeLessThan(10);
  });

  it('probes many URLs with bounded concurrency', async () => {
    let open = 0;
    let most = 0;
    const app = await serve(async (_req, res) => {
      open += 1;
      most = Math.max(most, open);
      await delay(100);
      open -= 1;
      json(res, 200, {});
    });
    const urls = Array.from({ length: 60 }, (_, index) => `${app.url}/s${index}`).join('\n');
    const result = await runAction('health-gate', { ...FAST, url: urls, concurrency: '8', 'success-threshold': '1' });
    expect(result.exitCode).toBe(0);
    expect(most).toBeLessThanOrEqual(8);
    expect(most).toBeGreaterThan(1);
  });

  it('keeps 50 URLs at interval 1s on time: rounds start a second apart however long their probes take', async () => {
    const arrivals: number[] = [];
    let open = 0;
    let most = 0;
    const app = await serve(async (_req, res) => {
      arrivals.push(performance.now());
      open += 1;
      most = Math.max(most, open);
      await delay(400);
      open -= 1;
      json(res, 200, {});
    });
    const urls = Array.from({ length: 50 }, (_, index) => `${app.url}/s${index}`).join('\n');
    const result = await runAction('health-gate', { url: urls, interval: '1s', timeout: '30s', 'success-threshold': '4' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs.healthy).toBe('true');
    expect(arrivals).toHaveLength(200);
    // The default concurrency (50) probes a whole round at once.
    expect(most).toBe(50);
    const starts = [0, 1, 2, 3].map((round) => Math.min(...arrivals.slice(round * 50, round * 50 + 50)));
    for (const [round, start] of starts.entries()) {
      // On time: round k starts k seconds after the first, not k x (1 s + 400 ms).
      expect(start - (starts[0] ?? 0)).toBeGreaterThan(round * 1000 - 150);
      expect(start - (starts[0] ?? 0)).toBeLessThan(round * 1000 + 250);
    }
  });

  it('counts a connection reset in the middle of the body as a failure, not as not up', async () => {
    const app = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('{"partial":');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const result = await runAction('health-gate', { ...FAST, url: app.url, 'failure-threshold': '2' });
    expect(failure(result)).toMatch(/in the middle of the body \(2 failing rounds in a row\)$/);
    expect(result.outputs.failures).toBe('2');
  });

  it('says a body over 1 MiB is too large, not that it is not JSON', async () => {
    const app = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(`{"pad":"${'x'.repeat(1_100_000)}"}`);
    });
    const result = await runAction('health-gate', { ...FAST, url: app.url, 'expect-json': 'pad=x', 'failure-threshold': '1' });
    expect(failure(result)).toContain('body is over 1 MiB, too large to check as JSON');
  });

  it('goes through HTTP_PROXY for http and a CONNECT tunnel of HTTPS_PROXY for https, bypassing NO_PROXY', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proxy-cert-'));
    const cert = makeCert(dir, 'app', ['app.test']);
    const tlsApp = createHttpsServer({ key: cert.key, cert: cert.cert }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"via":"tls"}');
    });
    await new Promise<void>((resolve) => tlsApp.listen(0, '127.0.0.1', resolve));
    const tlsPort = (tlsApp.address() as AddressInfo).port;
    const plain = await serve((_req, res) => {
      json(res, 200, { via: 'plain' });
    });
    const proxy = await startConnectProxy();
    try {
      const env = {
        HTTP_PROXY: proxy.url,
        HTTPS_PROXY: proxy.url,
        NO_PROXY: 'internal.example',
        NODE_EXTRA_CA_CERTS: cert.certPath,
      };
      const result = await runAction(
        'health-gate',
        { ...FAST, url: `http://app.test:${plain.port}/health\nhttps://app.test:${tlsPort}/health`, 'success-threshold': '1' },
        { env },
      );
      expect(result.exitCode).toBe(0);
      expect(proxy.seen).toContain(`GET http://app.test:${plain.port}/health`);
      expect(proxy.seen).toContain(`CONNECT app.test:${tlsPort}`);
      const bypassed = await runAction(
        'health-gate',
        { ...FAST, url: `http://app.test:${plain.port}/`, timeout: '1s', 'failure-threshold': '1' },
        { env: { ...env, NO_PROXY: '.test' } },
      );
      expect(bypassed.exitCode).toBe(1); // app.test does not resolve: NO_PROXY sent it direct
    } finally {
      await proxy.close();
      tlsApp.closeAllConnections();
      await new Promise((resolve) => tlsApp.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
