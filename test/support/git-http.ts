// Real git over smart HTTP: `git http-backend` (git's own CGI server) behind a Node HTTP
// server on 127.0.0.1 that checks the token the way GitHub does for HTTPS git (Basic auth,
// any user name, the token as password).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface GitServer {
  root: string;
  /** Clone URL of a repository under the root. */
  url: (repository: string) => string;
  /** Requests refused for a missing or wrong token. */
  refused: () => number;
  /** Answers the next `count` pushes (receive-pack POSTs) with HTTP 503, as a flaky server would. */
  failPushes: (count: number) => void;
  close: () => Promise<void>;
}

const BACKEND = join(execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim(), 'git-http-backend');

export async function startGitServer(token: string): Promise<GitServer> {
  const root = mkdtempSync(join(tmpdir(), 'git-http-'));
  let refused = 0;
  let failing = 0;
  const server = createServer((req, res) => {
    const header = req.headers.authorization ?? '';
    const password = /^basic /i.test(header)
      ? Buffer.from(header.slice(6), 'base64').toString('utf8').split(':').slice(1).join(':')
      : '';
    if (password !== token) {
      refused += 1;
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' }).end('bad credentials');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    if (failing > 0 && req.method === 'POST' && url.pathname.endsWith('/git-receive-pack')) {
      failing -= 1;
      req.resume();
      res.writeHead(503, { 'content-type': 'text/plain' }).end('injected fault');
      return;
    }
    const child = spawn(BACKEND, [], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        HTTP_GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        REMOTE_USER: 'x-access-token', // enables receive-pack (push)
        REMOTE_ADDR: '127.0.0.1',
      },
    });
    req.pipe(child.stdin);
    let head = Buffer.alloc(0);
    let headersSent = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersSent) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const headers: Record<string, string> = {};
      let status = 200;
      for (const line of head.subarray(0, end).toString('utf8').split('\r\n')) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      headersSent = true;
      res.write(head.subarray(end + 4));
    });
    child.on('close', () => {
      if (!headersSent) res.writeHead(500).end('git http-backend failed');
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    root,
    url: (repository) => `http://127.0.0.1:${port}/${repository}`,
    refused: () => refused,
    failPushes: (count) => {
      failing = count;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          rmSync(root, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}

let seeded = 0;

/** A bare repository on the server, with one commit holding the files. */
export function seedRepo(server: GitServer, files: Record<string, string>): { name: string; gitDir: string } {
  const name = `gitops-${++seeded}.git`;
  const gitDir = join(server.root, name);
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', gitDir]);
  const work = mkdtempSync(join(tmpdir(), 'gitops-seed-'));
  execFileSync('git', ['init', '--quiet', '--initial-branch=main', work]);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(work, path)), { recursive: true });
    writeFileSync(join(work, path), content);
  }
  const id = ['-c', 'user.name=Seed', '-c', 'user.email=seed@example.invalid'];
  execFileSync('git', [...id, 'add', '--all'], { cwd: work });
  execFileSync('git', [...id, 'commit', '--quiet', '-m', 'seed'], { cwd: work });
  execFileSync('git', ['push', '--quiet', gitDir, 'HEAD:refs/heads/main'], { cwd: work });
  rmSync(work, { recursive: true, force: true });
  return { name, gitDir };
}
