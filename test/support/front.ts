// The app's front on loopback, as users reach it: one origin whose paths lead to the
// services. The serving stand-ins run each service on a port of its own (a Deployment's
// container, a compose service), so this front gives the caller workflows the one origin
// their health URLs name. It stands in for the ingress controller or the VM's reverse proxy
// only; what answers behind it is the real container.
import { request } from 'node:http';
import { startServer, type TestServer } from './http-server.js';

/** Where one path of the front leads: a service's port and the path asked of it. */
export interface Route {
  port: number;
  path: string;
}

export async function startFront(routes: Readonly<Record<string, Route>>): Promise<TestServer> {
  return startServer(
    (req, res) =>
      new Promise<void>((resolve) => {
        const route = routes[req.url ?? ''];
        if (!route) {
          res.writeHead(404).end(`no route for ${req.url ?? ''}`);
          resolve();
          return;
        }
        const upstream = request(
          { host: '127.0.0.1', port: route.port, path: route.path, method: 'GET', timeout: 5000 },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/json' });
            answer.pipe(res);
            answer.on('end', resolve);
          },
        );
        upstream.on('error', () => {
          // As a front answers when nothing listens behind it yet.
          res.writeHead(503).end('service unavailable');
          resolve();
        });
        upstream.on('timeout', () => upstream.destroy());
        upstream.end();
      }),
  );
}

/** The sample chart's status ingress: `/status/<service>` is that service's `/api/info`. */
export const statusRoutes = (ports: Readonly<Record<string, number>>): Record<string, Route> =>
  Object.fromEntries(Object.entries(ports).map(([service, port]) => [`/status/${service}`, { port, path: '/api/info' }]));
