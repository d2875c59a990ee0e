// ArmClient's waits (issue 24): `Retry-After: 0` once made 1,014 polls and 1,340 conflict
// retries in 3 s. Every wait is now at least 1 s and at most 60 s, and stays within the
// operation's own timeout. A loopback server stands in for ARM.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ArmClient, boundedWait, MAX_WAIT_MS, MIN_WAIT_MS } from '../../packages/shared/arm.js';

let server: Server | undefined;
afterEach(() => {
  server?.close();
});

async function arm(answer: (path: string) => { status: number; headers?: Record<string, string>; body?: unknown }) {
  const seen: string[] = [];
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    const { status, headers, body } = answer(req.url ?? '');
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { seen, endpoint };
}

describe('ArmClient waits', () => {
  it('bounds every wait to [1 s, 60 s]', () => {
    expect(boundedWait(0)).toBe(MIN_WAIT_MS);
    expect(boundedWait(3_600_000)).toBe(MAX_WAIT_MS);
    expect(boundedWait(2500)).toBe(2500);
  });

  it('retries a busy site no faster than once a second under Retry-After: 0, within its budget', async () => {
    const { seen, endpoint } = await arm(() => ({
      status: 409,
      headers: { 'retry-after': '0' },
      body: { error: { code: 'Conflict', message: 'Cannot modify this site because another operation is in progress.' } },
    }));
    const client = new ArmClient({
      endpoint,
      token: () => Promise.resolve('t'),
      conflictTimeoutMs: 3000,
      operationTimeoutMs: 10_000,
    });
    const started = Date.now();
    await expect(client.request('PUT', '/sites/app')).rejects.toThrow(/another operation is in progress/);
    expect(seen.length).toBeLessThanOrEqual(4);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('polls a long-running operation no faster than once a second, and ends at its timeout', async () => {
    const { seen, endpoint } = await arm((path) =>
      path.startsWith('/op')
        ? { status: 202, headers: { 'retry-after': '0', location: '/op' } }
        : { status: 202, headers: { 'retry-after': '0', location: '/op' } },
    );
    const client = new ArmClient({
      endpoint,
      token: () => Promise.resolve('t'),
      conflictTimeoutMs: 1000,
      operationTimeoutMs: 2500,
    });
    await expect(client.longRunning('POST', '/sites/app/slotsswap')).rejects.toThrow('did not finish within');
    expect(seen.filter((path) => path.startsWith('/op')).length).toBeLessThanOrEqual(3);
  });
});
