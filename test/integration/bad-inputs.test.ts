// Every action's bad-input table: each case must exit 1 with one line naming the input, and
// have no side effect: no request to a canary server, no git, docker, ssh, scp, tar or helm
// started (PATH shims that record calls), nothing written in the workspace or RUNNER_TEMP.
// Real: each action's bundle as a child process. Fakes: the shims and the canary only.
import { existsSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { failure, runAction } from '../support/run-action.js';
import { type Sandbox, startSandbox } from '../support/sandbox.js';

type Case = [string, (box: Sandbox) => Record<string, string>];

const SERVICES = 'registry: 127.0.0.1:5000\nservices:\n  web:\n    path: web\n';
const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA\n-----END OPENSSH PRIVATE KEY-----';
/** watchtower-config apply with every other input good. */
const APPLY = { mode: 'apply', 'ssh-host': 'vm', 'ssh-user': 'd', 'ssh-key': KEY, 'known-hosts': 'h k' };
const FILES = {
  '.github/deploy-services.yml': SERVICES,
  'docker-compose.yml': 'services:\n  web:\n    image: 127.0.0.1:5000/web:1\n',
  'web/Dockerfile': 'FROM scratch\n',
  'web/build.json': '{"phases": [{"name": "build web", "started": "soon"}]}',
  'chart/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
  'kube/config': 'apiVersion: v1\nkind: Config\n',
};
/** gitops-bump with every other input good: a bump of one file, from the canary's git URL. */
const BUMP = (box: Sandbox) => ({ 'git-url': `${box.canary.url}/g.git`, repository: 'o/g', files: 'a.yaml', images: 'a/b=1' });
/** slot-swap with every other input good. */
const SLOT = {
  'app-name': 'omis-web',
  'resource-group': 'omis-rg',
  'subscription-id': '00000000-0000-0000-0000-000000000003',
  'client-id': '00000000-0000-0000-0000-000000000001',
  'tenant-id': '00000000-0000-0000-0000-000000000002',
  image: 'acr.example.io/web:abc',
};
/** deploy-report with every other input good: a failure, a webhook (the canary) and an alert issue. */
const REPORT = (box: Sandbox) => ({
  environment: 'production',
  outcome: 'failed',
  reason: 'the gate failed',
  'notify-url': `${box.canary.url}/hooks/T0/B0/canarysecret`,
  'notify-kind': 'slack',
  'notify-on': 'always',
  'alert-issue': 'true',
  'github-token': 'ghs_canarytoken0000000000000000000000',
});
/** helm-deploy with every other input good (a chart, a kubeconfig). */
const HELM = { release: 'web', chart: 'chart', kubeconfig: 'kube/config' };
const AKS = {
  release: 'web',
  chart: 'chart',
  'client-id': '00000000-0000-0000-0000-000000000001',
  'tenant-id': '00000000-0000-0000-0000-000000000002',
  'subscription-id': '00000000-0000-0000-0000-000000000003',
  'resource-group': 'rg',
  'cluster-name': 'aks',
};

async function expectRefused(action: string, input: string, inputs: (box: Sandbox) => Record<string, string>): Promise<void> {
  const box = await startSandbox(FILES);
  try {
    const before = box.snapshot();
    const result = await runAction(action, inputs(box), { cwd: box.workspace, env: box.env });
    const message = failure(result);
    expect(message.split('\n'), message).toHaveLength(1);
    expect(message).toMatch(new RegExp(`^${action} failed: input '${input}' `));
    expect(box.calls(), message).toEqual([]);
    expect(box.canary.hits(), message).toBe(0);
    expect(box.snapshot(), message).toEqual(before);
    expect(box.leftInTemp(), message).toEqual([]);
  } finally {
    await box.close();
  }
}

/** mode: cleanup with valid OIDC inputs, for the cases that break one thing in it. */
const CLEANUP = {
  registry: '127.0.0.1:5000',
  mode: 'cleanup',
  repository: 'a',
  'client-id': '00000000-0000-0000-0000-000000000001',
  'tenant-id': '00000000-0000-0000-0000-000000000002',
};

const tables: Record<string, Case[]> = {
  'build-matrix': [
    ['all', () => ({ all: 'yes' })],
    ['all', () => ({ all: 'TRUE' })],
    ['max-jobs', () => ({ 'max-jobs': '257' })],
    ['max-jobs', () => ({ 'max-jobs': '0' })],
    ['base', () => ({ base: '--upload-pack=touch /tmp/deploy-actions-pwned;' })],
    ['base', () => ({ base: 'main..evil' })],
    ['base', () => ({ base: 'a b' })],
    ['head', () => ({ head: 'abc1234' })],
    ['head', () => ({ base: 'abc1234', head: '-x' })],
    ['config', () => ({ config: '/etc/passwd' })],
    ['config', () => ({ config: '../../outside.yml' })],
    ['config', () => ({ config: 'missing.yml' })],
    ['services', () => ({ services: 'registry: [not valid' })],
    ['services', () => ({ services: 'registry: https://acr.example\nservices:\n  web: {}\n' })],
    ['services', () => ({ services: `${SERVICES}extra: 1\n` })],
    ['services', () => ({ services: `${SERVICES}    depends-on: [ghost]\n` })],
    ['services', () => ({ services: `${SERVICES}    toolchain: ruby@3\n` })],
    ['services', () => ({ services: `${SERVICES}    watch: ["libs/+(a|b)/**"]\n` })],
    ['services', () => ({ services: `${SERVICES}    ignore: ["{a,b"]\n` })],
    ['services', () => ({ services: 'registry: 127.0.0.1:5000\nservices:\n  a:\n    depends-on: [a]\n' })],
  ],
  'acr-push': [
    ['registry', () => ({ registry: 'https://acr.example', repository: 'a' })],
    ['repository', () => ({ registry: '127.0.0.1:5000', repository: 'Omis/Web' })],
    ['tags', () => ({ registry: '127.0.0.1:5000', repository: 'a', tags: 'ok, -bad' })],
    ['tenant-id', () => ({ registry: '127.0.0.1:5000', repository: 'a', 'client-id': '00000000-0000-0000-0000-000000000001' })],
    ['push', () => ({ registry: '127.0.0.1:5000', repository: 'a', promote: 'latest', push: 'false' })],
    ['password', () => ({ registry: '127.0.0.1:5000', repository: 'a', auth: 'password', username: 'u' })],
    ['password', () => ({ registry: '127.0.0.1:5000', repository: 'a', password: 'p-ignored', tags: 'x' })],
    ['context', () => ({ registry: '127.0.0.1:5000', repository: 'a', context: '/etc', tags: 'x' })],
    ['context', () => ({ registry: '127.0.0.1:5000', repository: 'a', context: '../..', tags: 'x' })],
    ['dockerfile', () => ({ registry: '127.0.0.1:5000', repository: 'a', context: 'web', dockerfile: '/etc/passwd', tags: 'x' })],
    ['cache', () => ({ registry: '127.0.0.1:5000', repository: 'a', context: 'web', cache: 'gha' })],
    ['target', () => ({ registry: '127.0.0.1:5000', repository: 'a', context: 'web', target: 'runtime\n--push' })],
    ['promote', () => ({ registry: '127.0.0.1:5000', repository: 'a', promote: 'bad tag!' })],
    ['platforms', () => ({ registry: '127.0.0.1:5000', repository: 'a', platforms: 'linux' })],
    [
      'authority-host',
      () => ({ registry: '127.0.0.1:5000', repository: 'a', context: 'web', 'authority-host': 'http://login.example' }),
    ],
    ['azure-cloud', () => ({ registry: '127.0.0.1:5000', repository: 'a', context: 'web', 'azure-cloud': 'AzureMoon' })],
    ['build-args', () => ({ registry: '127.0.0.1:5000', repository: 'a', context: 'web', 'build-args': '=value' })],
    ['dry-run', () => ({ registry: '127.0.0.1:5000', repository: 'a', context: 'web', 'dry-run': 'yes' })],
    ['batch', () => ({ registry: '127.0.0.1:5000', batch: '{"not":"a list"}' })],
    ['batch', () => ({ registry: '127.0.0.1:5000', batch: '[{"repository":"a","context":"/etc"}]' })],
    ['batch', () => ({ registry: '127.0.0.1:5000', batch: '[{"repository":"a","context":"web"}]', repository: 'a' })],
    ['batch', () => ({ registry: '127.0.0.1:5000', batch: '[{"service":"../web","repository":"a","context":"web"}]' })],
    ['report-dir', () => ({ registry: '127.0.0.1:5000', repository: 'a', context: 'web', 'report-dir': '/etc/deploy' })],
    ['report-dir', () => ({ registry: '127.0.0.1:5000', repository: 'a', promote: 'latest', 'report-dir': 'report' })],
    ['repository', () => ({ registry: '127.0.0.1:5000', repository: 'a\nb', context: 'web', tags: 'x' })],
    // The registry lifecycle (lock, mode: cleanup): nothing is read, locked or deleted.
    ['mode', () => ({ registry: '127.0.0.1:5000', repository: 'a', mode: 'purge' })],
    ['mode', () => ({ registry: '127.0.0.1:5000', repository: 'a', mode: 'build', promote: 'latest' })],
    ['promote', () => ({ registry: '127.0.0.1:5000', repository: 'a', mode: 'promote' })],
    ['promote', () => ({ ...CLEANUP, promote: 'latest' })],
    ['tags', () => ({ ...CLEANUP, tags: 'x' })],
    ['repository', () => ({ ...CLEANUP, repository: '' })],
    ['repository', () => ({ ...CLEANUP, 'repository-prefix': 'omis-pc' })],
    ['repository-prefix', () => ({ ...CLEANUP, repository: '', 'repository-prefix': 'Omis PC' })],
    [
      'repository-prefix',
      () => ({ registry: '127.0.0.1:5000', repository: 'a', context: 'web', 'repository-prefix': 'omis-pc' }),
    ],
    ['delete-tags', () => ({ ...CLEANUP, 'delete-tags': 'a b' })],
    ['keep', () => ({ ...CLEANUP, keep: '-1' })],
    ['keep', () => ({ ...CLEANUP, keep: 'ten' })],
    ['keep-days', () => ({ ...CLEANUP, 'keep-days': '99999' })],
    ['protect', () => ({ ...CLEANUP, protect: 'v1.*, bad tag!' })],
    ['protect', () => ({ registry: '127.0.0.1:5000', repository: 'a', context: 'web', protect: 'v1' })],
    ['lock', () => ({ registry: '127.0.0.1:5000', repository: 'a', promote: 'latest', lock: 'yes' })],
    ['lock', () => ({ ...CLEANUP, lock: 'true' })],
    ['auth', () => ({ registry: '127.0.0.1:5000', repository: 'a', promote: 'latest', lock: 'true' })],
    ['auth', () => ({ ...CLEANUP, 'client-id': '', 'tenant-id': '', auth: 'none' })],
    // The buildx path's own inputs: refused before docker is asked anything.
    ['secrets', () => ({ registry: '127.0.0.1:5000', repository: 'a', context: 'web', tags: 'x', secrets: 'token' })],
    ['secrets', () => ({ registry: '127.0.0.1:5000', repository: 'a', context: 'web', tags: 'x', secrets: 'to ken=v4lue' })],
    ['secrets', () => ({ registry: '127.0.0.1:5000', repository: 'a', promote: 'latest', secrets: 'token=s3cr3t-value' })],
    [
      'secret-files',
      () => ({ registry: '127.0.0.1:5000', repository: 'a', context: 'web', tags: 'x', 'secret-files': 'cfg=/etc/passwd' }),
    ],
    [
      'secret-files',
      () => ({ registry: '127.0.0.1:5000', repository: 'a', context: 'web', tags: 'x', 'secret-files': 'cfg=web/none' }),
    ],
    ['provenance', () => ({ registry: '127.0.0.1:5000', repository: 'a', context: 'web', tags: 'x', provenance: 'mode=all' })],
    ['sbom', () => ({ registry: '127.0.0.1:5000', repository: 'a', context: 'web', tags: 'x', sbom: 'yes' })],
    ['builder', () => ({ registry: '127.0.0.1:5000', repository: 'a', context: 'web', tags: 'x', builder: '--help' })],
  ],
  'gitops-bump': [
    ['git-url', () => ({ 'git-url': 'http://git.example.com/g.git', files: '*.yaml', images: 'a/b=1' })],
    ['build-records', (box) => ({ 'git-url': `${box.canary.url}/g.git`, files: '*.yaml', 'build-records': '../../etc' })],
    ['branch', (box) => ({ 'git-url': `${box.canary.url}/g.git`, branch: '-x', files: '*.yaml', images: 'a/b=1' })],
    ['branch', (box) => ({ 'git-url': `${box.canary.url}/g.git`, branch: 'a..b', files: '*.yaml', images: 'a/b=1' })],
    [
      'repository',
      (box) => ({ 'git-url': `${box.canary.url}/g.git`, repository: 'not a repo', files: '*.yaml', images: 'a/b=1' }),
    ],
    ['revert', (box) => ({ 'git-url': `${box.canary.url}/g.git`, repository: 'o/g', revert: 'HEAD~1', files: '*.yaml' })],
    ['set', (box) => ({ 'git-url': `${box.canary.url}/g.git`, repository: 'o/g', set: '../../x.yaml:a=b', 'dry-run': 'true' })],
    ['set', (box) => ({ 'git-url': `${box.canary.url}/g.git`, repository: 'o/g', set: '/etc/x.yaml:a=b' })],
    ['images', (box) => ({ 'git-url': `${box.canary.url}/g.git`, repository: 'o/g', files: '*.yaml', images: 'a/b:1' })],
    ['files', (box) => ({ 'git-url': `${box.canary.url}/g.git`, repository: 'o/g', images: 'a/b=1' })],
    [
      'signing-key',
      (box) => ({
        'git-url': `${box.canary.url}/g.git`,
        repository: 'o/g',
        files: 'a.yaml',
        images: 'a/b=1',
        signing: 'ssh',
        'signing-key': 'not a key',
      }),
    ],
    [
      'signing',
      (box) => ({ 'git-url': `${box.canary.url}/g.git`, repository: 'o/g', files: 'a.yaml', images: 'a/b=1', signing: 'gpg' }),
    ],
    // wait-for-sync: Argo CD's server, app, token and timeout; none is asked anything.
    ['argocd-server', (box) => ({ ...BUMP(box), 'argocd-server': 'http://argocd.example.com' })],
    ['argocd-server', (box) => ({ ...BUMP(box), 'argocd-server': `${box.canary.url}/?token=x` })],
    ['argocd-app', (box) => ({ ...BUMP(box), 'argocd-app': 'Omis_Staging' })],
    ['sync-timeout', (box) => ({ ...BUMP(box), 'sync-timeout': '1s' })],
    ['wait-for-sync', (box) => ({ ...BUMP(box), 'wait-for-sync': 'yes' })],
    [
      'wait-for-sync',
      (box) => ({
        ...BUMP(box),
        'wait-for-sync': 'true',
        mode: 'pull-request',
        'argocd-server': box.canary.url,
        'argocd-app': 'a',
        'argocd-token': 'argocd-token-0123456789',
      }),
    ],
    ['argocd-token', (box) => ({ ...BUMP(box), 'wait-for-sync': 'true', 'argocd-server': box.canary.url, 'argocd-app': 'a' })],
    // signing: github on a repository that is not this GitHub's, and with a key it never uses.
    ['signing', (box) => ({ ...BUMP(box), signing: 'github' })],
    ['signing-key', (box) => ({ ...BUMP(box), signing: 'github', 'signing-key': KEY })],
    [
      'files',
      (box) => ({ 'git-url': `${box.canary.url}/g.git`, repository: 'o/g', images: 'a/b=1', files: 'env/{1..9999}/*.yaml' }),
    ],
    [
      'mode',
      (box) => ({ 'git-url': `${box.canary.url}/g.git`, repository: 'o/g', files: '*.yaml', images: 'a/b=1', mode: 'force' }),
    ],
    [
      'pr-branch',
      (box) => ({
        'git-url': `${box.canary.url}/g.git`,
        repository: 'o/g',
        files: 'a.yaml',
        images: 'a/b=1',
        'pr-branch': 'main',
      }),
    ],
    [
      'pr-branch',
      (box) => ({ 'git-url': `${box.canary.url}/g.git`, repository: 'o/g', files: 'a.yaml', images: 'a/b=1', 'pr-branch': '-p' }),
    ],
    [
      'git-url',
      () => ({ 'git-url': 'ext::sh -c touch% /tmp/deploy-actions-pwned', repository: 'o/g', files: 'a.yaml', images: 'a/b=1' }),
    ],
    ['git-url', (box) => ({ 'git-url': `${box.canary.url}/g%zz.git`, repository: 'o/g', files: 'a.yaml', images: 'a/b=1' })],
    [
      'max-attempts',
      (box) => ({
        'git-url': `${box.canary.url}/g.git`,
        repository: 'o/g',
        files: 'a.yaml',
        images: 'a/b=1',
        'max-attempts': '-1',
      }),
    ],
    [
      'timeout',
      (box) => ({ 'git-url': `${box.canary.url}/g.git`, repository: 'o/g', files: 'a.yaml', images: 'a/b=1', timeout: 'soon' }),
    ],
    [
      'auto-merge',
      (box) => ({
        'git-url': `${box.canary.url}/g.git`,
        repository: 'o/g',
        files: 'a.yaml',
        images: 'a/b=1',
        'auto-merge': 'yes',
      }),
    ],
    [
      'dry-run',
      (box) => ({
        'git-url': `${box.canary.url}/g.git`,
        repository: 'o/g',
        files: 'a.yaml',
        images: 'a/b=1',
        'dry-run': 'maybe',
      }),
    ],
    [
      'token',
      (box) => ({
        'git-url': `${box.canary.url}/g.git`,
        repository: 'o/g',
        files: 'a.yaml',
        images: 'a/b=1',
        token: 'ghs_a\nX-Evil: 1',
      }),
    ],
  ],
  'health-gate': [
    ['url', () => ({ url: 'ftp://x' })],
    ['services', () => ({ services: 'frontend https://x' })],
    ['services', () => ({ services: 'frontend=https://x\nfrontend=https://y' })],
    ['changed-services', () => ({ services: 'frontend=https://x', 'changed-services': '[1]' })],
    ['base-url', () => ({ url: 'https://x', 'base-url': 'https://y' })],
    ['url', () => ({ url: '' })],
    ['url', (box) => ({ url: `${box.canary.url}/a%zz` })],
    ['interval', (box) => ({ url: box.canary.url, interval: '0' })],
    ['interval', (box) => ({ url: box.canary.url, interval: '50ms' })],
    ['expect-status', (box) => ({ url: box.canary.url, 'expect-status': '99' })],
    ['headers', (box) => ({ url: box.canary.url, headers: 'no colon here' })],
    ['headers', (box) => ({ url: box.canary.url, headers: 'X-Arrow: a→b' })],
    ['expect-body', (box) => ({ url: box.canary.url, 'expect-body': '(' })],
    ['concurrency', (box) => ({ url: box.canary.url, concurrency: '0' })],
    ['method', (box) => ({ url: box.canary.url, method: 'BREW' })],
    ['timeout', (box) => ({ url: box.canary.url, timeout: '0' })],
    ['success-threshold', (box) => ({ url: box.canary.url, 'success-threshold': '0' })],
    ['secret-headers', (box) => ({ url: box.canary.url, 'secret-headers': 'bad name' })],
    ['expect-json', (box) => ({ url: box.canary.url, 'expect-json': 'nopath' })],
    ['initial-delay', (box) => ({ url: box.canary.url, 'initial-delay': '5m', timeout: '5m' })],
    ['max-latency-ms', (box) => ({ url: box.canary.url, 'max-latency-ms': '1.5' })],
  ],
  'watchtower-config': [
    ['mode', () => ({ mode: 'deploy' })],
    [
      'ssh-host',
      () => ({ mode: 'apply', 'ssh-host': '-v', 'ssh-user': 'deploy', 'ssh-key': KEY, 'known-hosts': 'h ssh-ed25519 AAAA' }),
    ],
    [
      'ssh-user',
      () => ({ mode: 'apply', 'ssh-host': 'vm', 'ssh-user': 'root;rm', 'ssh-key': KEY, 'known-hosts': 'h ssh-ed25519 AAAA' }),
    ],
    ['output-dir', () => ({ 'output-dir': '/etc/watchtower' })],
    ['output-dir', () => ({ 'output-dir': '../..' })],
    ['compose-file', () => ({ ...APPLY, 'compose-file': '/etc/passwd' })],
    ['compose-file', () => ({ ...APPLY, 'compose-file': 'missing.yml' })],
    ['known-hosts', () => ({ mode: 'apply', 'ssh-host': 'vm', 'ssh-user': 'd', 'ssh-key': KEY })],
    ['remote-dir', () => ({ ...APPLY, 'remote-dir': '../x' })],
    ['ssh-port', () => ({ ...APPLY, 'ssh-port': '70000' })],
    ['schedule', () => ({ schedule: '*/5 * * * *' })],
    ['scope', () => ({ scope: 'a b' })],
    ['image', () => ({ image: 'Not An Image' })],
    ['registry-username', () => ({ registry: '127.0.0.1:5000', 'registry-username': 'u' })],
    ['http-api-token', (box) => ({ mode: 'trigger', 'trigger-url': box.canary.url })],
    ['http-api-token', () => ({ 'http-api-token': 'tok\nen' })],
    ['poll-interval', () => ({ 'poll-interval': '10ms' })],
  ],
  'helm-deploy': [
    ['release', () => ({ ...HELM, release: 'Web_App' })],
    ['image-set', () => ({ ...HELM, 'image-services': '["backend"]', 'image-tag': 'abc', 'image-set': '--post-renderer={tag}' })],
    ['image-tag', () => ({ ...HELM, 'image-services': '["backend"]', 'image-tag': 'a b' })],
    ['image-services', () => ({ ...HELM, 'image-services': '["Back End"]', 'image-tag': 'abc' })],
    ['environment', () => ({ ...HELM, environment: '../prod' })],
    ['registry-login', () => ({ ...HELM, chart: 'oci://ghcr.io/omis/charts/web', 'registry-login': 'oidc' })],
    ['registry-login', () => ({ ...HELM, chart: 'oci://omisacr.azurecr.io/charts/web', 'registry-login': 'always' })],
    [
      'client-id',
      () => ({ ...HELM, chart: 'oci://omisacr.azurecr.io/charts/web', 'tenant-id': '0b1f6471-1bf0-4dda-aec3-cb9272f09590' }),
    ],
    ['dependency-build', () => ({ ...HELM, chart: 'oci://omisacr.azurecr.io/charts/web', 'dependency-build': 'true' })],
    ['dependency-build', () => ({ ...HELM, 'dependency-build': 'yes' })],
    ['private-cluster', () => ({ ...HELM, 'private-cluster': 'true' })],
    ['private-cluster', () => ({ ...HELM, 'private-cluster': 'maybe' })],
    ['release', () => ({ ...HELM, release: 'a'.repeat(54) })],
    ['release', () => ({ ...HELM, release: '--post-renderer=/bin/sh' })],
    ['namespace', () => ({ ...HELM, namespace: 'kube system' })],
    ['action', () => ({ ...HELM, action: 'destroy' })],
    ['chart', () => ({ ...HELM, chart: '' })],
    ['chart', () => ({ ...HELM, chart: '/etc' })],
    ['chart', () => ({ ...HELM, chart: '../../outside' })],
    ['chart', () => ({ ...HELM, chart: 'oci://registry.example/--evil' })],
    ['set', () => ({ ...HELM, set: '--post-renderer=/tmp/deploy-actions-pwned' })],
    ['set-string', () => ({ ...HELM, 'set-string': '=value' })],
    ['values-files', () => ({ ...HELM, 'values-files': '/etc/passwd' })],
    ['wait', () => ({ ...HELM, wait: 'false' })],
    ['wait', () => ({ ...HELM, wait: 'maybe' })],
    ['timeout', () => ({ ...HELM, timeout: 'forever' })],
    ['history-max', () => ({ ...HELM, 'history-max': '-1' })],
    ['revision', () => ({ ...HELM, action: 'rollback', revision: '0' })],
    ['pending-release', () => ({ ...HELM, 'pending-release': 'ignore' })],
    ['helm-version', () => ({ ...HELM, 'helm-version': 'latest' })],
    ['helm-download-url', () => ({ ...HELM, 'helm-download-url': 'http://get.helm.sh' })],
    ['helm-download-url', (box) => ({ ...HELM, 'helm-download-url': `${box.canary.url}?token=x` })],
    ['kubeconfig', () => ({ ...HELM, kubeconfig: '/etc/passwd' })],
    ['client-id', () => ({ ...AKS, 'client-id': 'me' })],
    ['cluster-name', () => ({ ...AKS, 'cluster-name': 'bad cluster' })],
    ['arm-endpoint', (box) => ({ ...AKS, 'arm-endpoint': box.canary.url })],
    ['azure-cloud', () => ({ ...AKS, 'azure-cloud': 'azurecloud' })],
    // AzureStack without the runner's AZURE_ENVIRONMENT_FILEPATH: its endpoints are unknown.
    ['azure-cloud', () => ({ ...AKS, 'azure-cloud': 'AzureStack' })],
    ['dry-run', () => ({ ...HELM, 'dry-run': 'yes' })],
  ],
  'slot-swap': [
    ['app-name', () => ({ ...SLOT, 'app-name': 'omis web' })],
    ['app-name', () => ({ ...SLOT, 'app-name': '-omis' })],
    ['resource-group', () => ({ ...SLOT, 'resource-group': 'rg/../x' })],
    ['subscription-id', () => ({ ...SLOT, 'subscription-id': 'my-sub' })],
    ['slot', () => ({ ...SLOT, slot: 'production' })],
    ['target-slot', () => ({ ...SLOT, slot: 'staging', 'target-slot': 'staging' })],
    ['action', () => ({ ...SLOT, action: 'swap-all' })],
    ['expected-image', () => ({ ...SLOT, action: 'swap-back', image: '', 'expected-image': 'not an image!' })],
    ['expected-image', () => ({ ...SLOT, action: 'swap-back', image: '', 'expected-image': '{"Main": "a/b:1"}' })],
    ['expected-image', () => ({ ...SLOT, 'expected-image': 'a.azurecr.io/b:1' })],
    ['image-tag', () => ({ ...SLOT, image: '', sitecontainers: '- name: main\n  image: a.azurecr.io/b:{tag}\n  is-main: true' })],
    [
      'rebuilt-images',
      () => ({
        ...SLOT,
        image: '',
        'image-tag': 'abc',
        'rebuilt-images': 'a.azurecr.io/b:1',
        sitecontainers: '- name: main\n  image: a.azurecr.io/b:{tag}\n  is-main: true',
      }),
    ],
    ['image', () => ({ ...SLOT, image: 'Not An Image' })],
    ['image', () => ({ ...SLOT, image: '', action: 'deploy' })],
    ['image', () => ({ ...SLOT, sitecontainers: '- name: a\n  image: x/y:1\n  is-main: true' })],
    ['sitecontainers', () => ({ ...SLOT, image: '', sitecontainers: '- name: a\n  image: x/y:1' })],
    [
      'sitecontainers',
      () => ({
        ...SLOT,
        image: '',
        sitecontainers: '- name: a\n  image: x/y:1\n  is-main: true\n  env:\n    DB: "postgres://u:p@h"',
      }),
    ],
    ['sitecontainers', () => ({ ...SLOT, image: '', sitecontainers: 'not: [a list' })],
    ['compose-file', () => ({ ...SLOT, image: '', 'compose-file': '/etc/passwd' })],
    ['client-id', () => ({ ...SLOT, 'client-id': 'me' })],
    ['registry-identity-client-id', () => ({ ...SLOT, 'registry-identity-client-id': 'acr-pull' })],
    ['health-path', () => ({ ...SLOT, 'health-path': 'api/info' })],
    ['expect-status', () => ({ ...SLOT, 'expect-status': '2xx,abc' })],
    ['gate-timeout', () => ({ ...SLOT, 'gate-timeout': 'forever' })],
    ['conflict-timeout', () => ({ ...SLOT, 'conflict-timeout': '2h' })],
    ['arm-endpoint', (box) => ({ ...SLOT, 'arm-endpoint': box.canary.url })],
    ['azure-cloud', () => ({ ...SLOT, 'azure-cloud': 'AzureGermanCloud' })],
    ['dry-run', () => ({ ...SLOT, 'dry-run': 'maybe' })],
  ],
  // Each with a webhook and alert-issue set, pointing at the canary: nothing may be sent.
  'deploy-report': [
    ['environment', (box) => ({ ...REPORT(box), environment: 'prod;rm -rf' })],
    ['run-phases', (box) => ({ ...REPORT(box), 'run-phases': 'sometimes' })],
    ['environment', (box) => ({ ...REPORT(box), environment: '' })],
    ['outcome', (box) => ({ ...REPORT(box), outcome: 'succeeded' })],
    ['option', (box) => ({ ...REPORT(box), option: 'b' })],
    ['services', (box) => ({ ...REPORT(box), services: '{"service":"web"}' })],
    ['services', (box) => ({ ...REPORT(box), services: '[{"service":"Web App"}]' })],
    ['services', (box) => ({ ...REPORT(box), services: '[{"service":"web","digest":"sha256:12"}]' })],
    ['services', (box) => ({ ...REPORT(box), services: '[{"service":"web","url":"javascript:alert(1)"}]' })],
    ['phases', (box) => ({ ...REPORT(box), phases: '[{"name":"deploy","started":"yesterday","finished":"now"}]' })],
    [
      'phases',
      (box) => ({
        ...REPORT(box),
        phases: '[{"name":"deploy","started":"2026-11-23T10:05:00Z","finished":"2026-11-23T10:00:00Z"}]',
      }),
    ],
    [
      'phases',
      (box) => ({
        ...REPORT(box),
        phases: '[{"name":"deploy","started":"2026-11-23T10:00:00Z","finished":"2026-11-23T10:01:00Z","result":"ok"}]',
      }),
    ],
    ['reason', (box) => ({ ...REPORT(box), reason: 'line one\nline two' })],
    ['report-dir', (box) => ({ ...REPORT(box), 'report-dir': '/etc' })],
    ['report-dir', (box) => ({ ...REPORT(box), 'report-dir': 'web' })],
    ['notify-url', (box) => ({ ...REPORT(box), 'notify-url': box.canary.url.replace('127.0.0.1', 'example.com') })],
    ['notify-url', (box) => ({ ...REPORT(box), 'notify-url': `${box.canary.url.replace('http://', 'http://user:pw@')}/hook` })],
    ['notify-kind', (box) => ({ ...REPORT(box), 'notify-kind': 'discord' })],
    ['notify-kind', (box) => ({ ...REPORT(box), 'notify-kind': 'auto' })],
    ['notify-on', (box) => ({ ...REPORT(box), 'notify-on': 'sometimes' })],
    ['alert-issue', (box) => ({ ...REPORT(box), 'alert-issue': 'yes' })],
    ['github-token', (box) => ({ ...REPORT(box), 'github-token': '' })],
    ['dry-run', (box) => ({ ...REPORT(box), 'dry-run': 'maybe' })],
  ],
};

describe.each(Object.entries(tables))('%s refuses bad input with no side effect', (action, cases) => {
  it('has at least 15 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });
  it.each(cases.map(([input, make], index) => [`${index + 1}: ${input}`, input, make] as const))(
    '%s',
    async (_label, input, make) => {
      await expectRefused(action, input, make);
    },
  );
});

it('no injected command ran', () => {
  // build-matrix base and gitops-bump git-url above carry a payload that would touch this.
  const marker = '/tmp/deploy-actions-pwned';
  const ran = existsSync(marker);
  rmSync(marker, { force: true });
  expect(ran).toBe(false);
});
