// Option A end to end, through the bundled actions in option-a-gitops.yml's order:
// changes (build-matrix) -> build (acr-push per service; digests) -> bump (gitops-bump, push
// mode, image@digest into the GitOps repo's values) -> ArgoCD syncs -> verify (health-gate on
// the new SHA); then a broken release -> the gate fails -> rollback (gitops-bump revert: last,
// rollback.yml's option a) -> ArgoCD syncs -> the gate passes on the old SHA.
// The run ends with deploy-report: the broken release opens the alert issue, and release 4
// (the backend fixed) closes it.
// Real: git (the GitOps repo served by git http-backend with a token check), Docker engine,
// Debian's docker-registry. Fakes: the ACR token front, Entra ID, the runner's ID-token
// endpoint, GitHub's REST API (the report's alert issue), and ArgoCD itself: `argoSync` below reads the values from the GitOps repo and
// applies them with docker compose, as ArgoCD would apply the rendered chart.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { RunResult } from '../../packages/runner/harness.js';
import { hasCompose, hasDocker, hasRegistry } from '../support/daemons.js';
import { ADMIN, type FakeAcr, startFakeAcr } from '../support/fake-acr.js';
import { type GitServer, startGitServer } from '../support/git-http.js';
import { freePort } from '../support/http-server.js';
import { ReleaseReport } from '../support/release-report.js';
import { runAction } from '../support/run-action.js';
import {
  changes,
  type Entry,
  gate,
  gateRelease,
  pushImage,
  reportTimes,
  SampleApp,
  SERVICES,
  show,
  showFailure,
} from '../support/sample-app.js';

const run = promisify(execFile);
const GITOPS_TOKEN = 'ghs_gitopsE2eToken51';
const ready = hasDocker() && hasRegistry() && hasCompose();

describe.skipIf(!ready)('Option A end to end', () => {
  let acr: FakeAcr;
  let gitServer: GitServer;
  let app: SampleApp;
  let work: string;
  let gitopsDir: string;
  let report: ReleaseReport;
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    acr = await startFakeAcr();
    gitServer = await startGitServer(GITOPS_TOKEN);
    app = new SampleApp(acr.registry);
    report = await ReleaseReport.start('a', 'production');
    work = mkdtempSync(join(tmpdir(), 'option-a-'));
    for (const service of SERVICES) ports[service] = await freePort();

    // The GitOps repository: Helm values of the seed's shape, one block per service.
    gitopsDir = join(gitServer.root, 'platform-gitops.git');
    execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', gitopsDir]);
    const seed = join(work, 'gitops-seed');
    mkdirSync(join(seed, 'environments', 'prod'), { recursive: true });
    const values = SERVICES.map(
      (service) =>
        `${service}:\n  port: ${ports[service]} # published on 127.0.0.1\n  image:\n    repository: ${acr.registry}/omis-pc/${service}\n    digest: "" # set by CI\n`,
    ).join('\n');
    writeFileSync(join(seed, 'environments', 'prod', 'values.yaml'), `# OMIS production, synced by ArgoCD\n\n${values}`);
    const id = ['-c', 'user.name=Platform', '-c', 'user.email=platform@example.invalid'];
    execFileSync('git', ['init', '--quiet', '--initial-branch=main', seed]);
    execFileSync('git', [...id, 'add', '--all'], { cwd: seed });
    execFileSync('git', [...id, 'commit', '--quiet', '-m', 'environments/prod'], { cwd: seed });
    execFileSync('git', ['push', '--quiet', gitopsDir, 'HEAD:refs/heads/main'], { cwd: seed });
    // The "cluster" pulls with its own registry login.
    mkdirSync(join(work, 'cluster-docker'), { recursive: true });
    writeFileSync(
      join(work, 'cluster-docker', 'config.json'),
      JSON.stringify({
        auths: { [acr.registry]: { auth: Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64') } },
      }),
    );
  });

  afterAll(async () => {
    await report?.close();
    await run('docker-compose', ['-p', 'omisargo', 'down', '--remove-orphans'], { cwd: join(work, 'cluster') }).catch(
      () => undefined,
    );
    await gitServer?.close();
    await acr?.close();
    app?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  /** Stand-in for ArgoCD: render the values at the branch tip into a compose file and apply it. */
  async function argoSync(): Promise<void> {
    const text = execFileSync('git', ['--git-dir', gitopsDir, 'show', 'main:environments/prod/values.yaml'], {
      encoding: 'utf8',
    });
    const values = parse(text) as Record<string, { port: number; image: { repository: string; digest: string } }>;
    const services = Object.entries(values).map(
      ([name, entry]) =>
        `  ${name}:\n    image: "${entry.image.repository}@${entry.image.digest}"\n    ports: ["127.0.0.1:${entry.port}:8080"]\n`,
    );
    mkdirSync(join(work, 'cluster'), { recursive: true });
    writeFileSync(join(work, 'cluster', 'docker-compose.yml'), `version: "3.7"\nservices:\n${services.join('')}`);
    await run('docker-compose', ['-p', 'omisargo', 'up', '-d', '--remove-orphans'], {
      cwd: join(work, 'cluster'),
      env: { ...process.env, DOCKER_CONFIG: join(work, 'cluster-docker') },
    });
  }

  const gitopsInputs = () => ({
    repository: 'omis/platform-gitops',
    'git-url': gitServer.url('platform-gitops.git'),
    token: GITOPS_TOKEN,
    files: 'environments/prod/*.yaml',
  });

  /** The build jobs, then the bump job with every new digest. */
  async function buildAndBump(dir: string, entries: Entry[], sha: string): Promise<RunResult> {
    const images: string[] = [];
    for (const entry of entries) {
      const pushed = await report.phase(`build ${entry.service}`, () => pushImage(acr, entry, dir, sha, sha));
      images.push(`${entry.image}@${pushed.outputs.digest ?? ''}`);
    }
    const inputs = { ...gitopsInputs(), images: images.join('\n'), 'commit-message': 'deploy(production): {images}' };
    return show(
      'gitops-bump',
      await report.phase('bump', () =>
        runAction('gitops-bump', inputs, { env: { GITHUB_SHA: sha, GITHUB_REPOSITORY: 'omis/app', GITHUB_RUN_ID: '7' } }),
      ),
    );
  }

  it('deploys through the GitOps repo, and rolls a broken release back with a revert', async () => {
    const sha1 = app.release({}, 'release 1');
    const started = performance.now();
    const dir1 = app.checkout();
    const entries1 = await report.phase('changes', () => changes(dir1, sha1));
    expect((await buildAndBump(dir1, entries1, sha1)).outputs.changed).toBe('true');
    await argoSync();
    show('health-gate', await report.phase('gate', () => gate(ports, SERVICES, sha1)));
    const pushToHealthy = (performance.now() - started) / 1000;
    expect((await report.send('deployed', { entries: entries1, sha: sha1 })).outputs['issue-action']).toBe('none');

    // A release of the backend alone: the bump touches its digest only; the frontend keeps
    // release 1, and the gate asks the new SHA of the backend only.
    const sha2 = app.release({ 'backend/public/index.html': '<h1>backend, release 2</h1>\n' }, 'release 2: backend only');
    const dir2 = app.checkout();
    const entries2 = await changes(dir2, sha2, sha1);
    expect(entries2.map((entry) => entry.service)).toEqual(['backend']);
    await buildAndBump(dir2, entries2, sha2);
    await argoSync();
    for (const result of await gateRelease(ports, ['backend'], sha2))
      show('health-gate (backend on the new SHA, the others healthy)', result);
    const frontendInfo = (await (await fetch(`http://127.0.0.1:${ports.frontend}/api/info`)).json()) as {
      build: { sha: string };
    };
    expect(frontendInfo.build.sha).toBe(sha1);

    const sha3 = app.releaseBrokenBackend();
    const dir3 = app.checkout();
    const entries3 = await report.phase('changes', () => changes(dir3, sha3, sha2));
    expect(entries3.map((entry) => entry.service)).toEqual(['backend']);
    await buildAndBump(dir3, entries3, sha3);
    await argoSync();
    const bad = await report.phase('gate', () => gate(ports, ['backend'], sha3, { 'failure-threshold': '3' }));
    expect(showFailure('health-gate on the broken release (expected to fail)', bad)).toBe(
      `health-gate failed: ${bad.outputs.reason}`,
    );
    expect(bad.outputs.reason).toBe(
      `http://127.0.0.1:${ports.backend}/api/info: status 404 not in 200-299 (3 failing rounds in a row)`,
    );

    const rollbackStarted = performance.now();
    const revert = show(
      'gitops-bump revert: last',
      await report.phase('rollback', () => runAction('gitops-bump', { ...gitopsInputs(), revert: 'last' })),
    );
    expect(revert.outputs.changed).toBe('true');
    await argoSync();
    for (const result of await gateRelease(ports, ['backend'], sha2)) show('health-gate after rollback', result);
    const rollbackSeconds = (performance.now() - rollbackStarted) / 1000;
    const log = execFileSync('git', ['--git-dir', gitopsDir, 'log', '--format=%s', 'main'], { encoding: 'utf8' })
      .trim()
      .split('\n');
    expect(log[0]).toMatch(/^Revert "deploy\(production\): /);
    expect(execFileSync('git', ['--git-dir', gitopsDir, 'rev-list', '--merges', 'main'], { encoding: 'utf8' })).toBe('');

    // The report of the broken release opens the alert issue; the next good release closes it.
    const alerted = await report.send('rolled-back', { entries: entries3, sha: sha3 }, bad.outputs.reason);
    expect(alerted.outputs['issue-action']).toBe('opened');
    report.expectAlert('open');
    const sha4 = app.releaseFixedBackend('release 4: backend fixed');
    const dir4 = app.checkout();
    const entries4 = await report.phase('changes', () => changes(dir4, sha4, sha3));
    await buildAndBump(dir4, entries4, sha4);
    await argoSync();
    for (const result of await report.phase('gate', () => gateRelease(ports, ['backend'], sha4))) show('health-gate', result);
    expect((await report.send('deployed', { entries: entries4, sha: sha4 })).outputs['issue-action']).toBe('closed');
    report.expectAlert('closed');

    reportTimes('A', pushToHealthy, rollbackSeconds);
    expect(pushToHealthy).toBeLessThan(90);
    expect(rollbackSeconds).toBeLessThan(30);
  });
});
