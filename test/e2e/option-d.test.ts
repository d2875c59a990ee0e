// Option D end to end, run through the bundled actions in option-d-vm.yml's order:
// changes (build-matrix) -> build (acr-push, one per service) -> deploy (watchtower-config
// apply over SSH) -> verify (health-gate on the new SHA) -> promote <env>-last-good; then a
// broken release -> the gate fails -> rollback (rollback.yml's steps) -> the gate passes on
// the old SHA.
// Real: git, Docker engine, Debian's docker-registry (token auth), sshd on 127.0.0.1 and
// docker compose as the VM. Fakes: the ACR token front, Entra ID, the runner's ID-token
// endpoint (test/support/fake-acr.ts). The toolchain steps (setup-node, yarn, javac) are the
// runner's and are not run here.
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../packages/runner/harness.js';
import { hasCompose, hasDocker, hasRegistry, hasSshd } from '../support/daemons.js';
import { ADMIN, CLIENT, type FakeAcr, startFakeAcr, TENANT } from '../support/fake-acr.js';
import { TestRepo } from '../support/git-repo.js';
import { freePort } from '../support/http-server.js';
import { failure, runAction } from '../support/run-action.js';
import { startSshd, type TestSshd } from '../support/sshd.js';

const run = promisify(execFile);
const SAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'omis-sample');
const CONTEXTS = ['frontend', 'backend', 'csv-to-mdb'];
const ENVIRONMENT = 'production';
const ready = hasDocker() && hasRegistry() && hasSshd() && hasCompose();

interface Entry {
  service: string;
  registry: string;
  repository: string;
  context: string;
  dockerfile: string;
}

/** With DEMO=1 (npm run demo), every step's job summary is printed. */
function show(step: string, result: RunResult): RunResult {
  if (process.env.DEMO) console.log(`\n----- ${step} (exit ${result.exitCode}) -----\n${result.summary.trim()}`);
  expect(failure(result), step).toBe('');
  return result;
}

describe.skipIf(!ready)('Option D end to end', () => {
  let acr: FakeAcr;
  let sshd: TestSshd;
  let repo: TestRepo;
  let work: string;
  let remoteDir: string;
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    acr = await startFakeAcr();
    sshd = await startSshd();
    repo = new TestRepo();
    work = mkdtempSync(join(tmpdir(), 'option-d-'));
    remoteDir = join(work, 'vm', 'omis');
    cpSync(SAMPLE, repo.work, { recursive: true });
    // The sample names the production registry and fixed ports; point them at this machine.
    let compose = readFileSync(join(repo.work, 'docker-compose.yml'), 'utf8').replaceAll(
      'omispcacrprod.azurecr.io',
      acr.registry,
    );
    for (const [service, fixed] of [
      ['frontend', 8081],
      ['backend', 8082],
      ['csvtomdb', 8083],
    ] as const) {
      ports[service] = await freePort();
      compose = compose.replace(`127.0.0.1:${fixed}:8080`, `127.0.0.1:${ports[service]}:8080`);
    }
    writeFileSync(join(repo.work, 'docker-compose.yml'), compose);
    const services = join(repo.work, '.github', 'deploy-services.yml');
    writeFileSync(services, readFileSync(services, 'utf8').replace('omispcacrprod.azurecr.io', acr.registry));
  });

  afterAll(async () => {
    await run('docker-compose', ['down', '--remove-orphans'], { cwd: remoteDir }).catch(() => undefined);
    await sshd?.close();
    await acr?.close();
    repo?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  /** The runner's checkout: depth 1, plus the static busybox each image is built around. */
  function checkout(): string {
    const dir = repo.shallowCheckout('main');
    for (const context of CONTEXTS) copyFileSync('/bin/busybox', join(dir, context, 'busybox'));
    return dir;
  }

  const oidc = () => ({ 'client-id': CLIENT, 'tenant-id': TENANT, 'authority-host': acr.authorityHost });
  const infoUrl = (service: string) => `http://127.0.0.1:${ports[service]}/api/info`;

  async function build(dir: string, entries: Entry[], sha: string): Promise<void> {
    for (const entry of entries) {
      show(
        `acr-push ${entry.service}`,
        await runAction(
          'acr-push',
          {
            registry: entry.registry,
            repository: entry.repository,
            context: entry.context,
            dockerfile: entry.dockerfile,
            'build-args': `GIT_SHA=${sha}`,
            tags: `${sha}\nlatest`,
            ...oidc(),
          },
          { cwd: dir, env: { ...acr.oidcEnv, GITHUB_SHA: sha }, timeoutMs: 120_000 },
        ),
      );
    }
  }

  async function deploy(dir: string): Promise<RunResult> {
    return runAction(
      'watchtower-config',
      {
        mode: 'apply',
        'ssh-host': sshd.host,
        'ssh-port': String(sshd.port),
        'ssh-user': sshd.user,
        'ssh-key': sshd.clientKey,
        'known-hosts': sshd.knownHosts,
        'remote-dir': remoteDir,
        'compose-file': 'docker-compose.yml',
        registry: acr.registry,
        'registry-username': ADMIN.username,
        'registry-password': ADMIN.password,
      },
      { cwd: dir, timeoutMs: 180_000 },
    );
  }

  const gate = (services: string[], sha: string, extra: Record<string, string> = {}) =>
    runAction('health-gate', {
      url: services.map(infoUrl).join('\n'),
      'expect-json': `build.sha=${sha}`,
      interval: '250ms',
      timeout: '60s',
      ...extra,
    });

  const matrix = (result: RunResult) => (JSON.parse(result.outputs.matrix!) as { include: Entry[] }).include;

  it('deploys the new SHA, and rolls a broken release back to it', async () => {
    // --- release 1: every service is new -------------------------------------------------
    const sha1 = repo.commit({}, 'release 1');
    repo.push();
    const started = performance.now();
    const dir1 = checkout();
    const changes1 = show(
      'build-matrix',
      await runAction(
        'build-matrix',
        {},
        { cwd: dir1, event: { name: 'workflow_dispatch', payload: {} }, env: { GITHUB_SHA: sha1 } },
      ),
    );
    const entries1 = matrix(changes1);
    expect(entries1.map((entry) => entry.service)).toEqual(['frontend', 'backend', 'csvtomdb']);
    await build(dir1, entries1, sha1);
    const deployed1 = show('watchtower-config apply', await deploy(dir1));
    expect(deployed1.outputs.updated).toBe('3');
    show('health-gate', await gate(['frontend', 'backend', 'csvtomdb'], sha1));
    const pushToHealthy = (performance.now() - started) / 1000;
    for (const entry of entries1) {
      show(
        `promote ${entry.service}`,
        await runAction(
          'acr-push',
          {
            registry: entry.registry,
            repository: entry.repository,
            promote: sha1,
            tags: `${ENVIRONMENT}-last-good`,
            ...oidc(),
          },
          { env: acr.oidcEnv },
        ),
      );
    }

    // --- release 2: the backend is broken (no /api/info) ----------------------------------
    const dockerfile = readFileSync(join(repo.work, 'backend', 'Dockerfile'), 'utf8');
    const sha2 = repo.commit(
      { 'backend/Dockerfile': dockerfile.replace(/^RUN .*$/m, '# the API file was lost in a refactor') },
      'release 2: broken backend',
    );
    repo.push();
    const dir2 = checkout();
    const changes2 = show(
      'build-matrix',
      await runAction(
        'build-matrix',
        {},
        {
          cwd: dir2,
          event: { name: 'push', payload: { ref: 'refs/heads/main', before: sha1, after: sha2 } },
          env: { GITHUB_SHA: sha2 },
        },
      ),
    );
    const entries2 = matrix(changes2);
    expect(entries2.map((entry) => entry.service)).toEqual(['frontend', 'backend']);
    await build(dir2, entries2, sha2);
    show('watchtower-config apply', await deploy(dir2));
    const bad = await gate(['frontend', 'backend'], sha2, { 'failure-threshold': '3' });
    if (process.env.DEMO)
      console.log(`\n----- health-gate on the broken release (exit ${bad.exitCode}) -----\n${bad.summary.trim()}`);
    expect(bad.exitCode).toBe(1);
    expect(bad.outputs.reason).toBe(`${infoUrl('backend')}: status 404 not in 200-299 (3 failing rounds in a row)`);

    // --- rollback: rollback.yml's option d steps ------------------------------------------
    const rollbackStarted = performance.now();
    const all = show('build-matrix (all)', await runAction('build-matrix', { all: 'true' }, { cwd: dir2 }));
    for (const entry of matrix(all)) {
      show(
        `restore ${entry.service}`,
        await runAction(
          'acr-push',
          {
            registry: entry.registry,
            repository: entry.repository,
            promote: `${ENVIRONMENT}-last-good`,
            tags: 'latest',
            ...oidc(),
          },
          { env: acr.oidcEnv },
        ),
      );
    }
    const redeployed = show('watchtower-config apply (rollback)', await deploy(dir2));
    expect(redeployed.outputs.updated).toBe('2');
    show('health-gate after rollback', await gate(['frontend', 'backend', 'csvtomdb'], sha1));
    const rollbackSeconds = (performance.now() - rollbackStarted) / 1000;

    console.log(
      `option D: push-to-healthy ${pushToHealthy.toFixed(1)} s (target < 90), rollback ${rollbackSeconds.toFixed(1)} s (target < 30)`,
    );
    expect(pushToHealthy).toBeLessThan(90);
    expect(rollbackSeconds).toBeLessThan(30);
  });
});
