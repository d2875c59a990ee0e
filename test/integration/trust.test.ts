// Findings of the trust review that span actions, each run through the action's bundle.
// Real: the bundles, ssh (the client), git. Fakes: small HTTP servers on 127.0.0.1 playing a
// registry that names a foreign token realm, and a Watchtower API; no daemon is needed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Git } from '../../packages/shared/git.js';
import { git, TestRepo } from '../support/git-repo.js';
import { freePort, startServer } from '../support/http-server.js';
import { failure, runAction, succeeded } from '../support/run-action.js';
import { startSandbox } from '../support/sandbox.js';

const KNOWN_HOSTS = '127.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
/** watchtower-config apply to an SSH port nothing listens on: ssh itself fails to connect. */
const applyToClosedPort = (port: number, key: string) => ({
  mode: 'apply',
  'ssh-host': '127.0.0.1',
  'ssh-port': String(port),
  'ssh-user': 'deploy',
  'ssh-key': key,
  'known-hosts': KNOWN_HOSTS,
});

describe('credentials go only where they belong', () => {
  it('acr-push sends no password to a token realm on another port, or over http elsewhere', async () => {
    const thief = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"stolen"}');
    });
    const registry = await startServer((_req, res) => {
      res
        .writeHead(401, { 'www-authenticate': `Bearer realm="${thief.url}/token",service="registry"` })
        .end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    });
    try {
      const result = await runAction('acr-push', {
        registry: `127.0.0.1:${registry.port}`,
        repository: 'omis-pc/web',
        promote: 'latest',
        tags: 'production',
        auth: 'password',
        username: 'puller',
        password: 'registry-pass-71',
      });
      expect(failure(result)).toBe(
        `acr-push failed: 127.0.0.1:${registry.port} named the token realm ${thief.url}; credentials are sent only to the registry's own host over https`,
      );
      expect(thief.hits()).toBe(0);
    } finally {
      await thief.close();
      await registry.close();
    }
  });
});

describe('watchtower-config keeps URL user names and registry passwords to itself', () => {
  it('shows a trigger URL without its user name or password, even on dry-run', async () => {
    const result = await runAction('watchtower-config', {
      mode: 'trigger',
      'trigger-url': 'https://hookuser-9c:hookpass-1d@vm.example:8080/',
      'http-api-token': 'api-token-55aa',
      'dry-run': 'true',
    });
    succeeded(result);
    expect(result.summary).toContain('would POST https://vm.example:8080/v1/update');
    for (const secret of ['hookuser-9c', 'hookpass-1d', 'api-token-55aa']) {
      expect(result.summary).not.toContain(secret);
      expect(result.masks).toContain(secret);
    }
  });

  it('leaves no file in RUNNER_TEMP when ssh cannot connect', async () => {
    const box = await startSandbox({ 'docker-compose.yml': 'services:\n  web:\n    image: 127.0.0.1:5000/web:1\n' });
    try {
      const closed = await freePort();
      const result = await runAction(
        'watchtower-config',
        {
          ...applyToClosedPort(
            closed,
            '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA\n-----END OPENSSH PRIVATE KEY-----',
          ),
          registry: '127.0.0.1:5000',
          'registry-username': 'puller',
          'registry-password': 'pull-pass-left-behind',
        },
        { cwd: box.workspace, env: { RUNNER_TEMP: box.runnerTemp }, timeoutMs: 120_000 },
      );
      expect(failure(result)).toMatch(/^watchtower-config failed: copying to 127\.0\.0\.1:/);
      expect(box.leftInTemp()).toEqual([]);
      expect(
        result.stdout.split('\n').filter((line) => line.includes('pull-pass-left-behind') && !line.startsWith('::add-mask::')),
      ).toEqual([]);
    } finally {
      await box.close();
    }
  });
});

describe('build-matrix treats the event file as input', () => {
  it('refuses a push event whose before is not a commit SHA, running no fetch', async () => {
    const repo = new TestRepo();
    try {
      const sha = repo.commit({ 'web/a.txt': '1' }, 'one');
      const marker = join(mkdtempSync(join(tmpdir(), 'marker-')), 'pwned');
      const result = await runAction(
        'build-matrix',
        { services: 'registry: 127.0.0.1:5000\nservices:\n  web:\n    path: web\n' },
        {
          cwd: repo.work,
          event: { name: 'push', payload: { ref: 'refs/heads/main', before: `--upload-pack=touch ${marker};`, after: sha } },
          env: { GITHUB_SHA: sha },
        },
      );
      expect(failure(result)).toBe(
        `build-matrix failed: the event base "--upload-pack=touch ${marker};" is not a full commit SHA`,
      );
      expect(git(repo.work, 'status', '--porcelain')).toBe('');
      rmSync(join(marker, '..'), { recursive: true, force: true });
    } finally {
      repo.cleanup();
    }
  });
});

describe('secret inputs never show, error paths included', () => {
  const KEY =
    '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAsecretkeybody0123456789\n-----END OPENSSH PRIVATE KEY-----';
  type SecretCase = [string, string, string, (echo: string, closed: number) => Record<string, string>];
  const cases: SecretCase[] = [
    [
      'acr-push',
      'password',
      'acr-pass-echoed-3e',
      (echo) => ({
        registry: echo.replace('http://', ''),
        repository: 'a',
        promote: 'latest',
        tags: 'x',
        auth: 'password',
        username: 'u',
        password: 'acr-pass-echoed-3e',
      }),
    ],
    [
      'gitops-bump',
      'token',
      'ghs_tokenEchoed77',
      (echo) => ({ repository: 'o/g', 'git-url': `${echo}/g.git`, token: 'ghs_tokenEchoed77', files: '*.yaml', images: 'a/b=1' }),
    ],
    [
      'health-gate',
      'headers',
      'hdr-secret-echoed-2b',
      (echo) => ({
        url: echo,
        headers: 'X-Api-Key: hdr-secret-echoed-2b',
        timeout: '2s',
        interval: '100ms',
        'failure-threshold': '1',
      }),
    ],
    [
      'watchtower-config',
      'http-api-token',
      'wt-token-echoed-8f',
      (echo) => ({ mode: 'trigger', 'trigger-url': echo, 'http-api-token': 'wt-token-echoed-8f', 'trigger-timeout': '2s' }),
    ],
    ['watchtower-config', 'ssh-key', 'secretkeybody0123456789', (_echo, closed) => ({ ...applyToClosedPort(closed, KEY) })],
    [
      'watchtower-config',
      'registry-password',
      'reg-pass-echoed-4c',
      (_echo, closed) => ({
        ...applyToClosedPort(closed, KEY),
        registry: '127.0.0.1:5000',
        'registry-username': 'u',
        'registry-password': 'reg-pass-echoed-4c',
      }),
    ],
  ];

  it.each(cases)('%s %s', async (action, _input, secret, make) => {
    // A server that echoes every request back, headers included, with an error status.
    const echo = await startServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ headers: req.headers, url: req.url, body: Buffer.concat(chunks).toString('utf8') }));
    });
    const box = await startSandbox({ 'docker-compose.yml': 'services:\n  web:\n    image: 127.0.0.1:5000/web:1\n' });
    try {
      const closed = await freePort();
      const result = await runAction(action, make(echo.url, closed), {
        cwd: box.workspace,
        env: { RUNNER_TEMP: box.runnerTemp },
        timeoutMs: 120_000,
      });
      expect(result.exitCode).toBe(1);
      const shown = [
        ...result.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::')),
        result.stderr,
        result.summary,
        JSON.stringify(result.outputs),
        ...box.leftInTemp(),
      ].join('\n');
      expect(shown).not.toContain(secret);
      expect(box.leftInTemp()).toEqual([]);
    } finally {
      await box.close();
      await echo.close();
    }
  });
});

describe('git calls are bounded in time', () => {
  it('a fetch from an origin that never answers is killed at its timeout', async () => {
    // Accepts the connection and never says a word, as a hung origin does.
    const silent = await startServer(() => undefined);
    const repo = new TestRepo();
    try {
      const started = performance.now();
      const result = await new Git(repo.work, { timeoutMs: 1500 }).run(['fetch', '--end-of-options', `${silent.url}/x.git`]);
      const seconds = (performance.now() - started) / 1000;
      expect(result.code).not.toBe(0);
      expect(seconds).toBeLessThan(6);
    } finally {
      repo.cleanup();
      await silent.close();
    }
  });
});
