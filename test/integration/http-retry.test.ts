// The shared HTTP helper against real servers on 127.0.0.1: transient faults are retried
// with backoff honouring Retry-After; permanent answers are not.
import { afterEach, describe, expect, it } from 'vitest';
import { httpRequest, httpRequestWithRetry, TransportError } from '../../packages/shared/http.js';
import type { RetryPolicy } from '../../packages/shared/retry.js';
import { freePort, startServer, type TestServer } from '../support/http-server.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const quick: RetryPolicy = { attempts: 4, baseDelayMs: 20, maxDelayMs: 100, maxRetryAfterMs: 5000, budgetMs: 10_000 };

describe('httpRequestWithRetry', () => {
  it('waits as long as Retry-After says after a 503, then succeeds', async () => {
    const server = await startServer((_req, res, hit) => {
      if (hit === 1) res.writeHead(503, { 'retry-after': '1' }).end('busy');
      else res.writeHead(200).end('ok');
    });
    servers.push(server);
    const waits: number[] = [];
    const response = await httpRequestWithRetry(
      { url: server.url, timeoutMs: 2000 },
      { policy: quick, hooks: { onRetry: ({ delayMs }) => waits.push(delayMs) } },
    );
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('ok');
    expect(server.hits()).toBe(2);
    // Retry-After: 1 replaces the 20 ms backoff: 1 s plus at most 10% jitter.
    expect(waits[0]).toBeGreaterThanOrEqual(1000);
    expect(waits[0]).toBeLessThanOrEqual(1100);
    const gap = server.requests[1]!.at - server.requests[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(1000);
    expect(gap).toBeLessThan(1600);
  });

  it('retries 429 with an HTTP-date Retry-After and 408', async () => {
    const server = await startServer((_req, res, hit) => {
      if (hit === 1) res.writeHead(429, { 'retry-after': new Date(Date.now() + 1000).toUTCString() }).end();
      else if (hit === 2) res.writeHead(408).end();
      else res.writeHead(204).end();
    });
    servers.push(server);
    const response = await httpRequestWithRetry({ url: server.url, timeoutMs: 2000 }, { policy: quick });
    expect(response.status).toBe(204);
    expect(server.hits()).toBe(3);
  });

  it('retries a connection reset', async () => {
    const server = await startServer((req, res, hit) => {
      if (hit === 1) req.socket.destroy();
      else res.writeHead(200).end('after reset');
    });
    servers.push(server);
    const response = await httpRequestWithRetry({ url: server.url, timeoutMs: 2000 }, { policy: quick });
    expect(response.body.toString()).toBe('after reset');
  });

  it('does not retry a 404, and returns the last 500 after the attempts run out', async () => {
    const notFound = await startServer((_req, res) => res.writeHead(404).end());
    const broken = await startServer((_req, res) => res.writeHead(500).end());
    servers.push(notFound, broken);
    expect((await httpRequestWithRetry({ url: notFound.url, timeoutMs: 1000 }, { policy: quick })).status).toBe(404);
    expect(notFound.hits()).toBe(1);
    expect((await httpRequestWithRetry({ url: broken.url, timeoutMs: 1000 }, { policy: quick })).status).toBe(500);
    expect(broken.hits()).toBe(quick.attempts);
  });

  it('throws a transport error once a refused connection keeps being refused', async () => {
    const port = await freePort();
    await expect(
      httpRequestWithRetry({ url: `http://127.0.0.1:${port}/`, timeoutMs: 500 }, { policy: quick }),
    ).rejects.toMatchObject({
      code: 'ECONNREFUSED',
      message: 'connection refused',
    });
  });
});

describe('httpRequest', () => {
  it('times out a server that never answers, within the limit', async () => {
    const server = await startServer(() => {
      /* never answers */
    });
    servers.push(server);
    const started = performance.now();
    const error = await httpRequest({ url: server.url, timeoutMs: 300 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'ETIMEDOUT', message: 'no answer within 300 ms' });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('keeps at most maxBodyBytes of the body and measures latency to the last byte', async () => {
    const server = await startServer((_req, res) => {
      res.write('a'.repeat(1000));
      setTimeout(() => res.end('b'.repeat(1000)), 100);
    });
    servers.push(server);
    const response = await httpRequest({ url: server.url, timeoutMs: 2000, maxBodyBytes: 1500 });
    expect(response.body.length).toBe(1500);
    expect(response.bodyTruncated).toBe(true);
    expect(response.latencyMs).toBeGreaterThanOrEqual(90);
  });
});
