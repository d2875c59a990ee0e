// @ts-check
// A tiny stand-in for a deployed service: /api/info with its build SHA, in a healthy or a broken (503) version.
// startDelayMs models a container still starting: the port refuses connections until then.
import { createServer } from 'node:http';

/**
 * @param {{ sha: string, broken?: boolean, startDelayMs?: number }} version
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function startDemoApp(version) {
  const server = createServer((req, res) => {
    if (req.url === '/api/info') {
      res
        .writeHead(version.broken ? 503 : 200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ name: 'omis-backend', build: { sha: version.sha } }));
      return;
    }
    res.writeHead(404).end();
  });
  // Reserve a free port, release it, and listen on it only after the start delay.
  await new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      resolve(undefined);
    }),
  );
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  await new Promise((resolve) =>
    server.close(() => {
      resolve(undefined);
    }),
  );
  const listening = new Promise((resolve) =>
    setTimeout(
      () =>
        server.listen(port, '127.0.0.1', () => {
          resolve(undefined);
        }),
      version.startDelayMs ?? 0,
    ),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await listening;
      await new Promise((resolve) =>
        server.close(() => {
          resolve(undefined);
        }),
      );
    },
  };
}
