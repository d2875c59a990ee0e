import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse, hit: number) => unknown;

export interface TestServer {
  url: string;
  port: number;
  /** Requests received so far. */
  hits: () => number;
  /** Every request's headers, in order, with its arrival time (performance.now()). */
  requests: { method: string; url: string; headers: IncomingMessage['headers']; at: number }[];
  close: () => Promise<void>;
}

/** A real HTTP server on 127.0.0.1 and an ephemeral port. */
export async function startServer(handler: Handler, port = 0): Promise<TestServer> {
  let hits = 0;
  const requests: TestServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    hits += 1;
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, at: performance.now() });
    Promise.resolve(handler(req, res, hits)).catch((error: unknown) => {
      res.statusCode = 599;
      res.end(String(error));
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    hits: () => hits,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** A port that nothing listens on (yet): taken from the kernel, then released. */
export async function freePort(): Promise<number> {
  const probe = await startServer(() => {});
  await probe.close();
  return probe.port;
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
