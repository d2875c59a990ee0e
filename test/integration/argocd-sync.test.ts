// gitops-bump's `wait-for-sync` against a REAL Argo CD (v3.6.2, built from its module by
// scripts/tools.mjs: application controller, repo server with the real Helm 4 and git, API
// server, Debian's redis) on the REAL control plane (etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler, kwok nodes). The GitOps repository is real git over
// smart HTTP with a token check, holding the sample's own chart. No stand-in: the images are
// never pulled (kwok runs no containers), so their digests need not exist.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argocdDir, controlPlaneBin, ensureTools } from '../../scripts/tools.mjs';
import { type ArgoCd, startArgoCd } from '../support/argocd.js';
import { type ControlPlane, startControlPlane } from '../support/control-plane.js';
import { hasControlPlane, requirePart } from '../support/daemons.js';
import { type GitServer, seedRepo, startGitServer } from '../support/git-http.js';
import { createEnvironmentApp, gitopsFiles, RELEASE } from '../support/gitops-repo.js';
import { failure, runAction, succeeded } from '../support/run-action.js';
import { execFileSync } from 'node:child_process';

const TOKEN = 'ghs_argocdSyncGitopsToken00000000000000';
const REGISTRY = 'omispcacrprod.azurecr.io';
const APP = 'omis-staging';
const NAMESPACE = 'omis-staging';
const digest = (fill: string) => `sha256:${fill.repeat(64)}`;
const ready = hasControlPlane();

describe.skipIf(!ready)('gitops-bump waits for a real Argo CD', () => {
  let plane: ControlPlane;
  let gitServer: GitServer;
  let argo: ArgoCd;
  let repo: { name: string; gitDir: string };

  beforeAll(async () => {
    ensureTools({ log: () => {}, parts: ['helm4', 'etcd', 'kubernetes', 'argocd'] });
    requirePart('Argo CD (built by scripts/tools.mjs)', existsSync(`${argocdDir()}/argocd`));
    requirePart("Debian's redis-server", existsSync('/usr/bin/redis-server'));
    plane = await startControlPlane(controlPlaneBin());
    gitServer = await startGitServer(TOKEN);
    repo = seedRepo(
      gitServer,
      gitopsFiles(REGISTRY, ['staging'], { frontend: digest('1'), backend: digest('1'), csvtomdb: digest('1') }),
    );
    argo = await startArgoCd(plane, {
      repository: { url: gitServer.url(repo.name), username: 'x-access-token', password: TOKEN },
    });
    console.log(`Argo CD up in ${argo.startSeconds.toFixed(1)} s (control plane ${plane.startSeconds.toFixed(1)} s)`);
    await createEnvironmentApp(argo, APP, gitServer.url(repo.name), 'staging', NAMESPACE);
  }, 240_000);

  afterAll(async () => {
    await argo?.close();
    await gitServer?.close();
    await plane?.close();
  });

  const git = (...args: string[]) => execFileSync('git', ['--git-dir', repo.gitDir, ...args], { encoding: 'utf8' }).trim();
  const bump = (inputs: Record<string, string>, token = argo.token) =>
    runAction(
      'gitops-bump',
      {
        token: TOKEN,
        repository: 'omis/platform-gitops',
        'git-url': gitServer.url(repo.name),
        files: 'environments/staging/*.yaml',
        'wait-for-sync': 'true',
        'argocd-server': argo.url,
        'argocd-app': APP,
        'argocd-token': token,
        'sync-timeout': '3m',
        ...inputs,
      },
      {
        env: { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'omis/app', GITHUB_SHA: 'f'.repeat(40) },
        timeoutMs: 200_000,
      },
    );
  const image = async (service: string): Promise<string> => {
    const answer = await plane.api('GET', `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${RELEASE}-${service}`);
    return (
      (JSON.parse(answer.body) as { spec?: { template: { spec: { containers: { image: string }[] } } } }).spec?.template.spec
        .containers[0]?.image ?? ''
    );
  };

  it('waits until Argo CD has synced the bump and the app is Healthy; a failed render fails at once, and its revert syncs back', async () => {
    // A bump of the frontend: Argo CD is asked to refresh, syncs, and the rollout completes.
    const started = Date.now();
    const first = succeeded(await bump({ images: `${REGISTRY}/omis-pc/frontend@${digest('2')}` }));
    const pushToHealthy = (Date.now() - started) / 1000;
    expect(first.outputs['synced-revision']).toBe(first.outputs['commit-sha']);
    expect(first.outputs['commit-sha']).toBe(git('rev-parse', 'main'));
    expect(await image('frontend')).toBe(`${REGISTRY}/omis-pc/frontend@${digest('2')}`);
    expect((await argo.app(APP)).status).toMatchObject({ sync: { status: 'Synced' }, health: { status: 'Healthy' } });
    expect(first.summary).toMatch(/Argo CD: `omis-staging` Synced at `[0-9a-f]{12}` and Healthy after \d+ s\./);
    expect(first.stdout.split('\n').filter((line) => line.includes(argo.token) && !line.startsWith('::add-mask::'))).toEqual([]);

    // A bump whose values the chart refuses to render: Argo CD's own message ends the wait long
    // before sync-timeout, and the commit is an output, for the revert.
    const before = git('rev-parse', 'main');
    const brokenAt = Date.now();
    const broken = await bump({ set: 'environments/staging/values.yaml:backend.image.digest=' });
    const brokenSeconds = (Date.now() - brokenAt) / 1000;
    expect(failure(broken)).toMatch(
      /Argo CD: omis-staging failed at [0-9a-f]{12}: ComparisonError: .*backend\.image\.tag \(or \.image\.digest\) is required/,
    );
    expect(brokenSeconds).toBeLessThan(60);
    expect(broken.outputs['commit-sha']).toBe(git('rev-parse', 'main'));
    expect(git('rev-parse', 'main^')).toBe(before);
    expect(await image('backend')).toBe(`${REGISTRY}/omis-pc/backend@${digest('1')}`);

    // The revert of that one commit, waited for the same way: Argo CD syncs back to Healthy.
    const revert = succeeded(await bump({ revert: broken.outputs['commit-sha'] ?? '' }));
    expect(revert.outputs['synced-revision']).toBe(git('rev-parse', 'main'));
    expect(git('log', '-1', '--format=%s', 'main')).toMatch(/^Revert "/);
    expect((await argo.app(APP)).status).toMatchObject({ sync: { status: 'Synced' }, health: { status: 'Healthy' } });

    // A token Argo CD does not know: refused, in Argo CD's words, naming the input to fix.
    const refused = await bump({ images: `${REGISTRY}/omis-pc/csvtomdb@${digest('3')}` }, 'not-a-token');
    expect(failure(refused)).toMatch(/Argo CD refused to show omis-staging \(HTTP 401: .*\): argocd-token must be/);
    console.log(`push to Healthy ${pushToHealthy.toFixed(1)} s; failed render reported in ${brokenSeconds.toFixed(1)} s`);
    // Where the first wait's time went: the step's own timeline, and Helm's renders in the repo server.
    const timeline = first.stdout.split('\n').filter((line) => line.startsWith('Argo CD: '));
    const renders = readFileSync(join(argo.logs, 'repo-server.log'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('"grpc.method":"GenerateManifest"') && line.includes('finished call'))
      .map((line) => `${(JSON.parse(line) as { 'grpc.time_ms': string })['grpc.time_ms']} ms`);
    console.log(`first wait:\n  ${timeline.join('\n  ')}\nGenerateManifest (helm template): ${renders.join(', ')}`);
  });
});
