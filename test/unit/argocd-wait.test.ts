// gitops-bump's wait loop (argocd-wait.ts) against a loopback server that answers as Argo CD's
// API server does (GET /api/v1/applications/{name}, its gRPC gateway's error bodies), with the
// clock and the pauses faked so that the bounds are checked without waiting. The real Argo CD
// runs in test/integration/argocd-sync.test.ts and the Option A e2e.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type SyncWaitConfig, waitForSync } from '../../actions/gitops-bump/argocd-wait.js';

const OURS = 'a'.repeat(40);
const LATER = 'b'.repeat(40);
const BEFORE = 'c'.repeat(40);
type Answer = { status: number; body: unknown; headers?: Record<string, string> };

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

/** Serves the answers in order (the last one again), recording each request. */
async function argo(answers: Answer[]): Promise<{ url: URL; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  server = createServer((req, res) => {
    requests.push(req);
    const answer = answers[Math.min(requests.length - 1, answers.length - 1)] ?? { status: 500, body: {} };
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: new URL(`http://127.0.0.1:${port}/argocd`), requests };
}

const status = (sync: string, revision: string, health: string) => ({
  status: { sync: { status: sync, revision }, health: { status: health } },
});

function clock() {
  let now = 0;
  const pauses: number[] = [];
  return {
    pauses,
    hooks: {
      now: () => now,
      sleep: (ms: number) => {
        pauses.push(ms);
        now += ms;
        return Promise.resolve();
      },
      random: () => 0.5,
      log: () => {},
      includes: (revision: string) => Promise.resolve(revision === LATER),
    },
  };
}

const config = (server: URL, timeoutMs = 60_000): SyncWaitConfig => ({
  server,
  app: 'omis-staging',
  appNamespace: undefined,
  token: 'argocd-token-0123456789',
  timeoutMs,
  intervalMs: 2000,
});

describe('waitForSync', () => {
  it('asks for one refresh, honours Retry-After, and ends when a later commit holding the push is Healthy', async () => {
    const { url, requests } = await argo([
      { status: 503, body: { message: 'busy' }, headers: { 'retry-after': '3' } },
      { status: 200, body: status('OutOfSync', BEFORE, 'Healthy') },
      { status: 200, body: status('Synced', LATER, 'Progressing') },
      { status: 200, body: status('Synced', LATER, 'Healthy') },
    ]);
    const time = clock();
    expect(await waitForSync(config(url), OURS, time.hooks)).toEqual({ revision: LATER, seconds: 7 });
    // Under the server's path; the refresh asked for until it was answered, then never again.
    expect(requests.map((req) => req.url)).toEqual([
      '/argocd/api/v1/applications/omis-staging?refresh=normal',
      '/argocd/api/v1/applications/omis-staging?refresh=normal',
      '/argocd/api/v1/applications/omis-staging',
      '/argocd/api/v1/applications/omis-staging',
    ]);
    expect(requests.every((req) => req.headers.authorization === 'Bearer argocd-token-0123456789')).toBe(true);
    expect(time.pauses).toEqual([3000, 2000, 2000]);
  });

  it("fails at once on a refused token, in Argo CD's words, naming the input", async () => {
    const { url, requests } = await argo([
      { status: 403, body: { error: 'permission denied', code: 7, message: 'permission denied' } },
    ]);
    await expect(waitForSync(config(url), OURS, clock().hooks)).rejects.toThrow(
      'Argo CD refused to show omis-staging (HTTP 403: permission denied): argocd-token must be a token whose role may get applications',
    );
    expect(requests).toHaveLength(1);
  });

  it('gives up at sync-timeout with the last state seen, each read at least a second apart', async () => {
    const { url, requests } = await argo([{ status: 200, body: status('OutOfSync', BEFORE, 'Healthy') }]);
    const time = clock();
    await expect(waitForSync({ ...config(url, 10_000), intervalMs: 1 }, OURS, time.hooks)).rejects.toThrow(
      `Argo CD: omis-staging was not Synced at ${OURS.slice(0, 12)} and Healthy within 10s (last: OutOfSync at ${BEFORE.slice(0, 12)}, Healthy)`,
    );
    expect(time.pauses.every((ms) => ms >= 1000)).toBe(true);
    expect(requests.length).toBeLessThanOrEqual(11);
  });
});
