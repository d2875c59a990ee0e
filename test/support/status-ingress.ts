// The sample chart's status ingress (charts/product-configurator/templates/status-ingress.yaml)
// on loopback: `/status/<service>` answers with that service's `/api/info`. The serving
// stand-in runs each Deployment on a port of its own, so this front gives the caller
// workflows the one origin their health URLs name. A stand-in for the ingress controller only.
import { request } from 'node:http';
import { startServer, type TestServer } from './http-server.js';

export async function startStatusIngress(ports: Record<string, number>): Promise<TestServer> {
  return startServer(
    (req, res) =>
      new Promise<void>((resolve) => {
        const service = /^\/status\/([a-z0-9-]+)$/.exec(req.url ?? '')?.[1] ?? '';
        const port = ports[service];
        if (!port) {
          res.writeHead(404).end(`no route for ${req.url ?? ''}`);
          resolve();
          return;
        }
        const upstream = request({ host: '127.0.0.1', port, path: '/api/info', method: 'GET', timeout: 5000 }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/json' });
          answer.pipe(res);
          answer.on('end', resolve);
        });
        upstream.on('error', () => {
          // As an ingress controller answers when no endpoint is ready.
          res.writeHead(503).end('service unavailable');
          resolve();
        });
        upstream.on('timeout', () => upstream.destroy());
        upstream.end();
      }),
  );
}
