// watchtower-config: generate checked by docker-compose itself; trigger against a FAKE of
// the Watchtower fork's HTTP API written from its handler's source (test/support/fake-watchtower.ts:
// Bearer token, ?image=, requests queued on its lock, the nested JSON summary; an older
// release's 429 as a mode); apply over a REAL sshd on 127.0.0.1 with real docker compose
// pulling from Debian's docker-registry (token auth through the fake ACR front).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { hasCompose, hasDocker, hasRegistry, hasSshd } from '../support/daemons.js';
import { ADMIN, type FakeAcr, startFakeAcr } from '../support/fake-acr.js';
import { delay, startServer } from '../support/http-server.js';
import { busyboxContext } from '../support/images.js';
import { startFakeWatchtower } from '../support/fake-watchtower.js';
import { failure, runAction as runBundle, succeeded } from '../support/run-action.js';
import { startSshd, type TestSshd } from '../support/sshd.js';

const run = promisify(execFile);
const TOKEN = 'wt-api-token-5d1e';
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'watchtower');
// The tests write under the system temp folder, which is the workspace here: output-dir and
// compose-file must lie inside GITHUB_WORKSPACE or RUNNER_TEMP.
const runAction: typeof runBundle = (action, inputs, options) => runBundle(action, inputs, { cwd: tmpdir(), ...options });

describe('watchtower-config generate', () => {
  it('writes a compose override without secrets, an env file and a docker config folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-gen-'));
    try {
      const outputDir = join(dir, 'out');
      const result = await runAction('watchtower-config', {
        'output-dir': outputDir,
        services: 'frontend, backend',
        scope: 'omis',
        schedule: '0 */2 * * * *',
        'rolling-restart': 'true',
        'http-api-token': TOKEN,
        'notification-url': 'slack://hook-secret-abc@channel',
        registry: '127.0.0.1:5000',
        'registry-username': 'puller',
        'registry-password': 'pull-pass-8e',
      });
      succeeded(result);
      expect(result.outputs['compose-file']).toBe(join(outputDir, 'docker-compose.watchtower.yml'));
      expect(result.outputs['config-dir']).toBe(join(outputDir, 'docker-config'));
      const composeText = readFileSync(result.outputs['compose-file']!, 'utf8');
      for (const secret of [TOKEN, 'hook-secret-abc', 'pull-pass-8e']) {
        expect(composeText).not.toContain(secret);
        expect(result.stdout.split('\n').filter((line) => line.includes(secret) && !line.startsWith('::add-mask::'))).toEqual([]);
      }
      const compose = parse(composeText) as {
        services: Record<
          string,
          {
            image?: string;
            environment?: Record<string, string>;
            labels?: Record<string, string>;
            env_file?: string[];
            volumes?: string[];
            ports?: string[];
          }
        >;
      };
      expect(compose.services.watchtower).toMatchObject({
        image: 'nickfedor/watchtower:1.22.0',
        env_file: ['watchtower.env'],
        volumes: ['/var/run/docker.sock:/var/run/docker.sock', './docker-config:/config:ro'],
        ports: ['8080:8080'],
        environment: {
          DOCKER_CONFIG: '/config',
          WATCHTOWER_SCHEDULE: '0 */2 * * * *',
          WATCHTOWER_CLEANUP: 'true',
          WATCHTOWER_ROLLING_RESTART: 'true',
          WATCHTOWER_LABEL_ENABLE: 'true',
          WATCHTOWER_SCOPE: 'omis',
          WATCHTOWER_HTTP_API_UPDATE: 'true',
        },
      });
      expect(compose.services.frontend?.labels).toEqual({
        'com.centurylinklabs.watchtower.enable': 'true',
        'com.centurylinklabs.watchtower.scope': 'omis',
      });
      const envFile = join(outputDir, 'watchtower.env');
      expect(readFileSync(envFile, 'utf8')).toBe(
        `WATCHTOWER_NOTIFICATION_URL=slack://hook-secret-abc@channel\nWATCHTOWER_HTTP_API_TOKEN=${TOKEN}\n`,
      );
      expect(statSync(envFile).mode & 0o777).toBe(0o600);
      const dockerConfig = JSON.parse(readFileSync(join(outputDir, 'docker-config', 'config.json'), 'utf8')) as {
        auths: Record<string, { auth: string }>;
      };
      expect(Buffer.from(dockerConfig.auths['127.0.0.1:5000']!.auth, 'base64').toString()).toBe('puller:pull-pass-8e');
      expect(result.summary).not.toContain(TOKEN);

      // docker-compose itself accepts the override merged with an app compose file.
      if (hasCompose()) {
        writeFileSync(
          join(outputDir, 'docker-compose.yml'),
          'version: "3.7"\nservices:\n  frontend: {image: r/frontend:latest}\n  backend: {image: r/backend:latest}\n',
        );
        const { stdout } = await run(
          'docker-compose',
          ['-f', 'docker-compose.yml', '-f', 'docker-compose.watchtower.yml', 'config', '--services'],
          { cwd: outputDir },
        );
        expect(stdout.split('\n').filter(Boolean).sort()).toEqual(['backend', 'frontend', 'watchtower']);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('polls every 5 minutes by default and rejects bad inputs before writing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wt-gen-'));
    try {
      const ok = await runAction('watchtower-config', { 'output-dir': dir, services: 'web' });
      const compose = parse(readFileSync(join(dir, 'docker-compose.watchtower.yml'), 'utf8')) as {
        services: { watchtower: { environment: Record<string, string> } };
      };
      expect(ok.exitCode).toBe(0);
      expect(compose.services.watchtower.environment.WATCHTOWER_POLL_INTERVAL).toBe('300');
      const cases: [Record<string, string>, string][] = [
        [
          { schedule: '*/5 * * * *' },
          `input 'schedule' must be a 6-field cron expression with seconds first, e.g. "0 */5 * * * *"; got "*/5 * * * *"`,
        ],
        [
          { schedule: '0 * * * * *', 'poll-interval': '5m' },
          `input 'schedule' cannot be used together with poll-interval: choose one`,
        ],
        [{ mode: 'deploy' }, `input 'mode' must be one of generate, trigger, apply; got "deploy"`],
        [
          { 'registry-username': 'u' },
          `input 'registry-username' goes with registry and registry-password: give all three or none`,
        ],
        [
          { mode: 'apply', 'ssh-host': 'vm', 'ssh-user': 'deploy', 'ssh-key': 'a-private-key' },
          `input 'known-hosts' is required for mode apply: the host key lines (ssh-keyscan output checked once), never trust a host blindly`,
        ],
        [{ mode: 'trigger', 'trigger-url': 'https://vm:8080' }, `input 'http-api-token' is required for mode trigger`],
        [
          { mode: 'trigger', 'trigger-url': 'http://vm:8080', 'http-api-token': 'token-1234' },
          `input 'trigger-url' must be an https:// URL (http only on 127.0.0.1): the API token is sent to it`,
        ],
      ];
      for (const [inputs, message] of cases) {
        const empty = mkdtempSync(join(tmpdir(), 'wt-bad-'));
        const result = await runAction('watchtower-config', { 'output-dir': join(empty, 'out'), ...inputs });
        expect(failure(result), message).toBe(`watchtower-config failed: ${message}`);
        expect(() => statSync(join(empty, 'out'))).toThrow();
        rmSync(empty, { recursive: true, force: true });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("watchtower-config trigger (fake of the fork's HTTP API, test/support/fake-watchtower.ts)", () => {
  const IMAGES = '127.0.0.1:5000/omis-pc/frontend, 127.0.0.1:5000/omis-pc/backend';
  const trigger = (url: string, token = TOKEN) =>
    runAction('watchtower-config', { mode: 'trigger', 'trigger-url': url, 'http-api-token': token, 'trigger-images': IMAGES });

  it("reads the current fork's nested summary, and its fake matches the recorded answer", async () => {
    const api = await startFakeWatchtower(TOKEN, async () => {
      await delay(50);
      return { scanned: 3, updated: 2, failed: 0, restarted: 1 };
    });
    try {
      const result = await trigger(api.url);
      succeeded(result);
      expect(result.outputs).toMatchObject({ updated: '2', 'trigger-status': '200' });
      expect(api.updates).toEqual([['127.0.0.1:5000/omis-pc/frontend', '127.0.0.1:5000/omis-pc/backend']]);
      expect(api.requests.map((request) => [request.method, request.url])).toEqual([
        ['POST', '/v1/update?image=127.0.0.1%3A5000%2Fomis-pc%2Ffrontend%2C127.0.0.1%3A5000%2Fomis-pc%2Fbackend'],
      ]);
      expect(result.summary).toMatch(/scanned 3, updated 2, failed 0, restarted 1 in \d+ ms/);
      expect(result.stdout.split('\n').filter((line) => line.includes(TOKEN) && !line.startsWith('::add-mask::'))).toEqual([]);

      // The fake answers in the shape the fork's handler encodes (recorded in the fixture).
      const answer = await fetch(`${api.url}/v1/update`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
      const body = (await answer.json()) as Record<string, Record<string, unknown>>;
      const fixture = JSON.parse(readFileSync(join(FIXTURES, 'update-response.json'), 'utf8')) as typeof body;
      expect(answer.headers.get('content-type')).toBe('application/json');
      expect(Object.keys(body).sort()).toEqual(Object.keys(fixture).sort());
      expect(Object.keys(body.summary!).sort()).toEqual(Object.keys(fixture.summary!).sort());
      expect(Object.keys(body.timing!).sort()).toEqual(Object.keys(fixture.timing!).sort());
    } finally {
      await api.close();
    }
  });

  it('waits while the fork queues a request behind a running update', async () => {
    let release = () => {};
    const first = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const api = await startFakeWatchtower(TOKEN, async () => {
      calls += 1;
      if (calls === 1) await first;
      return { scanned: 1, updated: 1, failed: 0, restarted: 0 };
    });
    try {
      const running = fetch(`${api.url}/v1/update`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
      await delay(100);
      const queued = trigger(api.url);
      await delay(800);
      release();
      await running;
      const result = await queued;
      succeeded(result);
      expect(result.outputs['trigger-status']).toBe('200');
      expect(api.requests).toHaveLength(2); // queued, never refused and retried
    } finally {
      await api.close();
    }
  });

  it("waits out an older release's 429 for its Retry-After, then reads the flat summary", async () => {
    let release = () => {};
    const first = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const api = await startFakeWatchtower(
      TOKEN,
      async () => {
        calls += 1;
        if (calls === 1) await first;
        return { scanned: 3, updated: 2, failed: 0, restarted: 0 };
      },
      { legacy: true },
    );
    try {
      const running = fetch(`${api.url}/v1/update`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
      await delay(100);
      const queued = trigger(api.url);
      // The action's first request must meet the running update (its 429): the child process
      // starts slowly on a loaded machine, so wait for that request (bounded), not a fixed time.
      for (let waited = 0; api.requests.length < 2 && waited < 30_000; waited += 25) await delay(25);
      expect(api.requests.length).toBe(2);
      release();
      await running;
      const result = await queued;
      succeeded(result);
      expect(result.outputs).toMatchObject({ updated: '2', 'trigger-status': '200' });
      // Retry-After: 1 is honoured: the retry comes 1 s after the 429 (plus at most 10% jitter).
      const gap = api.requests[2]!.at - api.requests[1]!.at;
      expect(gap).toBeGreaterThanOrEqual(1000);
      expect(gap).toBeLessThan(1600);
      expect(result.summary).toContain('scanned 3, updated 2, failed 0');
    } finally {
      await api.close();
    }
  });

  it('fails clearly on a wrong token, failed updates, or an HTML error page', async () => {
    const api = await startFakeWatchtower(TOKEN, () => Promise.resolve({ scanned: 2, updated: 1, failed: 1, restarted: 0 }));
    const proxy = await startServer((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' }).end('<html><head><title>502 Bad Gateway</title></head></html>');
    });
    try {
      expect(failure(await trigger(`${api.url}/v1/update`, 'nope'))).toBe(
        'watchtower-config failed: Watchtower refused the token (HTTP 401): check http-api-token',
      );
      expect(failure(await trigger(api.url))).toMatch(
        /^watchtower-config failed: Watchtower completed: scanned 2, updated 1, failed 1, restarted 0 in \d+ ms: see the Watchtower logs on the VM$/,
      );
      const html = await runAction('watchtower-config', {
        mode: 'trigger',
        'trigger-url': proxy.url,
        'http-api-token': TOKEN,
        'trigger-timeout': '2s',
      });
      expect(failure(html)).toMatch(
        /^watchtower-config failed: Watchtower answered HTTP 502 with an HTML page "502 Bad Gateway"/,
      );
    } finally {
      await api.close();
      await proxy.close();
    }
  });
});

const vmReady = hasDocker() && hasRegistry() && hasSshd() && hasCompose();

describe.skipIf(!vmReady)('watchtower-config apply (real sshd, compose and registry)', () => {
  let acr: FakeAcr;
  let sshd: TestSshd;
  let work: string;
  let remoteDir: string;
  let appPort: number;

  beforeAll(async () => {
    acr = await startFakeAcr();
    sshd = await startSshd();
    work = mkdtempSync(join(tmpdir(), 'wt-apply-'));
    remoteDir = join(work, 'vm', 'deploy');
    const context = busyboxContext('web');
    const push = await runAction('acr-push', {
      registry: acr.registry,
      repository: 'omis-pc/web',
      context,
      tags: 'latest',
      'build-args': 'GIT_SHA=first',
      auth: 'password',
      username: ADMIN.username,
      password: ADMIN.password,
    });
    succeeded(push);
    rmSync(context, { recursive: true, force: true });
    appPort = (
      await startServer(() => {}).then(async (server) => {
        await server.close();
        return server;
      })
    ).port;
    writeFileSync(
      join(work, 'docker-compose.yml'),
      `version: "3.7"\nservices:\n  web:\n    image: ${acr.registry}/omis-pc/web:latest\n    ports: ["127.0.0.1:${appPort}:8080"]\n`,
    );
  });
  afterAll(async () => {
    await run('docker-compose', ['down', '--remove-orphans'], { cwd: remoteDir }).catch(() => undefined);
    await sshd.close();
    await acr.close();
    rmSync(work, { recursive: true, force: true });
  });

  const applyInputs = () => ({
    mode: 'apply',
    'ssh-host': sshd.host,
    'ssh-port': String(sshd.port),
    'ssh-user': sshd.user,
    'ssh-key': sshd.clientKey,
    'known-hosts': sshd.knownHosts,
    'remote-dir': remoteDir,
    'compose-file': join(work, 'docker-compose.yml'),
    'output-dir': join(work, 'no-watchtower'),
    registry: acr.registry,
    'registry-username': ADMIN.username,
    'registry-password': ADMIN.password,
  });

  it('refuses a host whose key is not in known-hosts, copying nothing', async () => {
    const result = await runAction('watchtower-config', { ...applyInputs(), 'known-hosts': sshd.wrongKnownHosts });
    expect(result.exitCode).toBe(1);
    expect(failure(result)).toMatch(
      /^watchtower-config failed: copying to 127\.0\.0\.1:.* failed: .*(Host key verification failed|REMOTE HOST IDENTIFICATION)/,
    );
    expect(() => statSync(remoteDir)).toThrow();
  });

  it('copies the compose file and registry login over SSH and runs pull and up -d', async () => {
    const result = await runAction('watchtower-config', applyInputs(), { timeoutMs: 180_000 });
    succeeded(result);
    expect(result.outputs.updated).toBe('1');
    expect(statSync(join(remoteDir, 'docker-config', 'config.json')).mode & 0o777).toBe(0o600);
    const info = await fetch(`http://127.0.0.1:${appPort}/api/info`).then((answer) => answer.json() as Promise<unknown>);
    expect(info).toEqual({ service: 'web', build: { sha: 'first' } });
    expect(result.stdout.split('\n').filter((line) => line.includes(ADMIN.password) && !line.startsWith('::add-mask::'))).toEqual(
      [],
    );
  });
});
