// Option D end to end, run through the bundled actions in option-d-vm.yml's order:
// changes (build-matrix) -> build (acr-push, the SHA tag only) -> deploy, the environment-bound
// job (acr-push promote SHA -> production, watchtower-config apply over SSH, health-gate: the
// changed services on the new SHA, the others healthy, then production-last-good); a release
// of the backend alone, with the frontend untouched; then a broken release -> the gate fails
// -> rollback (rollback.yml's steps: production-last-good -> production, apply) -> healthy on
// the last good images.
// The run ends with deploy-report: the broken release opens the alert issue, and release 4
// (the backend fixed) closes it.
// Real: git, Docker engine, Debian's docker-registry (token auth), sshd on 127.0.0.1 and
// docker compose as the VM. Fakes: the ACR token front, Entra ID, the runner's ID-token
// endpoint (test/support/fake-acr.ts), GitHub's REST API (the report's alert issue). The toolchain steps (setup-node, yarn, javac) are the
// runner's and are not run here.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../packages/runner/harness.js';
import { hasCompose, hasDocker, hasRegistry, hasSshd } from '../support/daemons.js';
import { ADMIN, type FakeAcr, startFakeAcr } from '../support/fake-acr.js';
import { freePort } from '../support/http-server.js';
import { ReleaseReport } from '../support/release-report.js';
import { runAction } from '../support/run-action.js';
import {
  changes,
  gate,
  matrixEntries,
  oidc,
  gateRelease,
  promoteImages,
  pushImage,
  reportTimes,
  SampleApp,
  SERVICES,
  show,
  showFailure,
} from '../support/sample-app.js';
import { startSshd, type TestSshd } from '../support/sshd.js';

const run = promisify(execFile);
const ENVIRONMENT = 'production';
/** What a service reports at /api/info. */
const info = async (port: number): Promise<unknown> => (await fetch(`http://127.0.0.1:${port}/api/info`)).json();
const ready = hasDocker() && hasRegistry() && hasSshd() && hasCompose();

describe.skipIf(!ready)('Option D end to end', () => {
  let acr: FakeAcr;
  let sshd: TestSshd;
  let app: SampleApp;
  let work: string;
  let remoteDir: string;
  let report: ReleaseReport;
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    acr = await startFakeAcr();
    sshd = await startSshd();
    report = await ReleaseReport.start('d', ENVIRONMENT);
    app = new SampleApp(acr.registry);
    work = mkdtempSync(join(tmpdir(), 'option-d-'));
    remoteDir = join(work, 'vm', 'omis');
    // The sample's compose file names the production registry and fixed ports; point them here.
    let compose = readFileSync(join(app.repo.work, 'docker-compose.yml'), 'utf8').replaceAll(
      'omispcacrprod.azurecr.io',
      acr.registry,
    );
    for (const [index, service] of SERVICES.entries()) {
      ports[service] = await freePort();
      compose = compose.replace(`127.0.0.1:${8081 + index}:8080`, `127.0.0.1:${ports[service]}:8080`);
    }
    writeFileSync(join(app.repo.work, 'docker-compose.yml'), compose);
  });

  afterAll(async () => {
    await report?.close();
    await run('docker-compose', ['down', '--remove-orphans'], { cwd: remoteDir }).catch(() => undefined);
    await sshd?.close();
    await acr?.close();
    app?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  const deploy = (dir: string): Promise<RunResult> =>
    runAction(
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

  /**
   * option-d-vm.yml's jobs for one push: changes, build (SHA tag only), then the
   * environment-bound deploy job: move :production to the SHA, apply, gate (the changed
   * services on the new SHA, the others healthy), and on success production-last-good.
   */
  async function release(sha: string, before: string | undefined, expected: string[]) {
    const dir = app.checkout();
    const entries = await report.phase('changes', () => changes(dir, sha, before));
    expect(entries.map((entry) => entry.service)).toEqual(expected);
    for (const entry of entries) await report.phase(`build ${entry.service}`, () => pushImage(acr, entry, dir, sha, sha));
    const applied = show(
      'watchtower-config apply',
      await report.phase('deploy', async () => {
        await promoteImages(acr, entries, sha, ENVIRONMENT);
        return deploy(dir);
      }),
    );
    return { dir, entries, applied };
  }

  it('deploys the new SHA, keeps unchanged services as they are, and rolls a broken release back', async () => {
    // --- release 1: every service is new -------------------------------------------------
    const sha1 = app.release({}, 'release 1');
    const started = performance.now();
    const first = await release(sha1, undefined, SERVICES);
    expect(first.applied.outputs.updated).toBe('3');
    for (const result of await report.phase('gate', () => gateRelease(ports, SERVICES, sha1))) show('health-gate', result);
    const pushToHealthy = (performance.now() - started) / 1000;
    // As option-d-vm.yml does: the last-good promotion locks the release's images.
    const locked = await promoteImages(acr, first.entries, sha1, `${ENVIRONMENT}-last-good`, { lock: 'true' });
    expect(JSON.parse(locked.outputs.locked ?? '')).toHaveLength(2 * first.entries.length);
    expect((await report.send('deployed', { entries: first.entries, sha: sha1 })).outputs['issue-action']).toBe('none');

    // --- release 2: only the backend changed; the frontend still runs release 1 ------------
    const sha2 = app.release({ 'backend/public/index.html': '<h1>backend, release 2</h1>\n' }, 'release 2: backend only');
    const second = await release(sha2, sha1, ['backend']);
    expect(second.applied.outputs.updated).toBe('1');
    const gates = await gateRelease(ports, ['backend'], sha2);
    for (const result of gates) show('health-gate (backend on the new SHA, the others healthy)', result);
    expect(gates).toHaveLength(2);
    expect(await info(ports.frontend!)).toMatchObject({ build: { sha: sha1 } });
    await promoteImages(acr, second.entries, sha2, `${ENVIRONMENT}-last-good`, { lock: 'true' });

    // --- release 3: the backend is broken (no /api/info) ----------------------------------
    const sha3 = app.releaseBrokenBackend();
    const third = await release(sha3, sha2, ['backend']);
    const bad = await report.phase('gate', () => gate(ports, ['backend'], sha3, { 'failure-threshold': '3' }));
    expect(showFailure('health-gate on the broken release (expected to fail)', bad)).toBe(
      `health-gate failed: ${bad.outputs.reason}`,
    );
    expect(bad.outputs.reason).toBe(
      `http://127.0.0.1:${ports.backend}/api/info: status 404 not in 200-299 (3 failing rounds in a row)`,
    );

    // --- a registry cleanup that keeps nothing by count or age, while release 3 is live ------
    // (the sample's registry-cleanup.yml). The locked last-good images must survive it.
    const prefix = (first.entries[0]?.repository ?? '').split('/')[0] ?? '';
    const cleanup = show(
      'acr-push cleanup',
      await runAction(
        'acr-push',
        { mode: 'cleanup', registry: acr.registry, 'repository-prefix': prefix, keep: '0', 'keep-days': '0', ...oidc(acr) },
        { env: acr.oidcEnv },
      ),
    );
    const deleted = JSON.parse(cleanup.outputs.deleted ?? '') as string[];
    expect(deleted).toContain(`${third.entries[0]?.registry}/${third.entries[0]?.repository}:${sha3}`);
    for (const lockedRef of JSON.parse(locked.outputs.locked ?? '') as string[]) expect(deleted).not.toContain(lockedRef);

    // --- rollback: rollback.yml's option d: every service back to production-last-good ----
    const rollbackStarted = performance.now();
    const restored = await report.phase('rollback', async () => {
      const all = show('build-matrix (all)', await runAction('build-matrix', { all: 'true' }, { cwd: app.checkout() }));
      await promoteImages(acr, matrixEntries(all), `${ENVIRONMENT}-last-good`, ENVIRONMENT);
      return show('watchtower-config apply (rollback)', await deploy(app.checkout()));
    });
    expect(restored.outputs.updated).toBe('1');
    show(
      'health-gate after rollback',
      await runAction('health-gate', {
        url: SERVICES.map((name) => `http://127.0.0.1:${ports[name]}/api/info`).join('\n'),
        interval: '250ms',
        timeout: '60s',
      }),
    );
    const rollbackSeconds = (performance.now() - rollbackStarted) / 1000;
    expect(await info(ports.backend!)).toMatchObject({ build: { sha: sha2 } });
    expect(await info(ports.frontend!)).toMatchObject({ build: { sha: sha1 } });

    // The report of the broken release opens the alert issue; the next good release closes it.
    const alerted = await report.send('rolled-back', { entries: third.entries, sha: sha3 }, bad.outputs.reason);
    expect(alerted.outputs['issue-action']).toBe('opened');
    report.expectAlert('open');
    const sha4 = app.releaseFixedBackend('release 4: backend fixed');
    const fourth = await release(sha4, sha3, ['backend']);
    for (const result of await report.phase('gate', () => gateRelease(ports, ['backend'], sha4))) show('health-gate', result);
    expect((await report.send('deployed', { entries: fourth.entries, sha: sha4 })).outputs['issue-action']).toBe('closed');
    report.expectAlert('closed');

    reportTimes('D', pushToHealthy, rollbackSeconds);
    expect(pushToHealthy).toBeLessThan(90);
    expect(rollbackSeconds).toBeLessThan(30);
  });
});
