// A fake of the Watchtower fork's HTTP API, written from its source (nicholas-fedor/watchtower,
// pkg/api/api.go and pkg/api/update/update.go, read with the search tool), not from a guess:
// - RequireToken: the trimmed Authorization header must equal "Bearer <token>", else 401
//   with an empty body;
// - /v1/update takes any method and discards the body; every `image` query parameter is
//   split on commas;
// - one update at a time on a lock of capacity 1: a request that arrives while an update
//   runs waits on the lock (it queues), it is never answered 429;
// - 200 with Content-Type application/json and the encoder's trailing newline:
//   {"summary":{"scanned","updated","failed","restarted"},"timing":{"duration_ms","duration"},
//    "timestamp","api_version":"v1"} (test/fixtures/watchtower/update-response.json).
// `legacy: true` plays the fork's older releases instead: 429 with Retry-After while busy,
// and the flat {"status","scanned","updated","failed"} body, a fault the current one cannot show.
import type { IncomingMessage } from 'node:http';
import { startServer, type TestServer } from './http-server.js';

export interface UpdateMetric {
  scanned: number;
  updated: number;
  failed: number;
  restarted: number;
}

export interface FakeWatchtower extends TestServer {
  /** The image lists of the updates run, in order. */
  updates: string[][];
}

export async function startFakeWatchtower(
  token: string,
  update: (images: string[]) => Promise<UpdateMetric>,
  options: { legacy?: boolean } = {},
): Promise<FakeWatchtower> {
  const updates: string[][] = [];
  let lock: Promise<void> = Promise.resolve();
  let busy = false;
  const server = await startServer(async (req: IncomingMessage, res) => {
    if ((req.headers.authorization ?? '').trim() !== `Bearer ${token}`) {
      res.writeHead(401).end();
      return;
    }
    req.resume(); // io.Copy(io.Discard, r.Body)
    await new Promise((resolve) => req.on('end', resolve));
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/v1/update') {
      res.writeHead(404).end('404 page not found\n');
      return;
    }
    const images = url.searchParams.getAll('image').flatMap((value) => value.split(','));
    if (options.legacy && busy) {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(JSON.stringify({ status: 'skipped', reason: 'another update is already running' }));
      return;
    }
    // Acquire the lock: wait behind the running update, as the channel receive does.
    const previous = lock;
    let release = () => {};
    lock = new Promise((resolve) => (release = resolve));
    await previous;
    busy = true;
    try {
      const started = performance.now();
      updates.push(images);
      const metric = await update(images);
      const ms = Math.round(performance.now() - started);
      const body = options.legacy
        ? { status: 'completed', scanned: metric.scanned, updated: metric.updated, failed: metric.failed }
        : {
            summary: metric,
            timing: { duration_ms: ms, duration: `${(ms / 1000).toFixed(9)}s` },
            timestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
            api_version: 'v1',
          };
      res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
    } finally {
      busy = false;
      release();
    }
  });
  return Object.assign(server, { updates });
}
