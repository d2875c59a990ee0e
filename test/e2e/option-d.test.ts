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
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../packages/runner/harness.js';
import { hasCompose, hasDocker, hasRegistry, hasSshd } from '../support/daemons.js';
import { ADMIN, type FakeAcr, startFakeAcr } from '../support/fake-acr.js';
import { freePort } from '../support/http-server.js';
import { runAction } from '../support/run-action.js';
import {
  changes,
  gate,
  matrixEntries,
  promoteImage,
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
const ready = hasDocker() && hasRegistry() && hasSshd() && hasCompose();

describe.skipIf(!ready)('Option D end to end', () => {
  let acr: FakeAcr;
  let sshd: TestSshd;
  let app: SampleApp;
  let work: string;
  let remoteDir: string;
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    acr = await startFakeAcr();
    sshd = await startSshd();
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

  it('deploys the new SHA, and rolls a broken release back to it', async () => {
    // --- release 1: every service is new -------------------------------------------------
    const sha1 = app.release({}, 'release 1');
    const started = performance.now();
    const dir1 = app.checkout();
    const entries1 = await changes(dir1, sha1);
    expect(entries1.map((entry) => entry.service)).toEqual(SERVICES);
    for (const entry of entries1) await pushImage(acr, entry, dir1, sha1, `${sha1}\nlatest`);
    expect(show('watchtower-config apply', await deploy(dir1)).outputs.updated).toBe('3');
    show('health-gate', await gate(ports, SERVICES, sha1));
    const pushToHealthy = (performance.now() - started) / 1000;
    for (const entry of entries1) await promoteImage(acr, entry, sha1, `${ENVIRONMENT}-last-good`);

    // --- release 2: the backend is broken (no /api/info) ----------------------------------
    const sha2 = app.releaseBrokenBackend();
    const dir2 = app.checkout();
    const entries2 = await changes(dir2, sha2, sha1);
    expect(entries2.map((entry) => entry.service)).toEqual(['frontend', 'backend']);
    for (const entry of entries2) await pushImage(acr, entry, dir2, sha2, `${sha2}\nlatest`);
    show('watchtower-config apply', await deploy(dir2));
    const bad = await gate(ports, ['frontend', 'backend'], sha2, { 'failure-threshold': '3' });
    expect(showFailure('health-gate on the broken release (expected to fail)', bad)).toBe(
      `health-gate failed: ${bad.outputs.reason}`,
    );
    expect(bad.outputs.reason).toBe(
      `http://127.0.0.1:${ports.backend}/api/info: status 404 not in 200-299 (3 failing rounds in a row)`,
    );

    // --- rollback: rollback.yml's option d steps ------------------------------------------
    const rollbackStarted = performance.now();
    const all = show('build-matrix (all)', await runAction('build-matrix', { all: 'true' }, { cwd: dir2 }));
    for (const entry of matrixEntries(all)) await promoteImage(acr, entry, `${ENVIRONMENT}-last-good`, 'latest');
    expect(show('watchtower-config apply (rollback)', await deploy(dir2)).outputs.updated).toBe('2');
    show('health-gate after rollback', await gate(ports, SERVICES, sha1));
    const rollbackSeconds = (performance.now() - rollbackStarted) / 1000;

    reportTimes('D', pushToHealthy, rollbackSeconds);
    expect(pushToHealthy).toBeLessThan(90);
    expect(rollbackSeconds).toBeLessThan(30);
  });
});
