import { describe, expect, it } from 'vitest';
import { buildArgs } from '../../actions/acr-push/build.js';
import { defaultTags } from '../../actions/acr-push/tags.js';
import { isTransientDockerFailure } from '../../packages/shared/docker.js';
import {
  imageRef,
  isLoopbackRegistry,
  isRegistryHost,
  isRepository,
  isTag,
  registryBaseUrl,
} from '../../packages/shared/image-ref.js';
import { parseChallenge } from '../../packages/shared/registry-client.js';

const sha = 'f'.repeat(40);
const repository = { default_branch: 'main' };

describe('default tags', () => {
  it('tags the SHA and latest on the default branch', () => {
    expect(defaultTags({ event: { name: 'push', payload: { repository } }, sha, ref: 'refs/heads/main' })).toEqual([
      sha,
      'latest',
    ]);
    expect(defaultTags({ event: { name: 'push', payload: { repository } }, sha, ref: 'refs/heads/feature' })).toEqual([sha]);
  });

  it('uses the PR head SHA, not the merge commit', () => {
    const head = 'b'.repeat(40);
    const payload = { pull_request: { head: { sha: head } }, repository };
    expect(defaultTags({ event: { name: 'pull_request', payload }, sha, ref: 'refs/pull/7/merge' })).toEqual([head]);
  });

  it('adds semver tags for a release and only its own tag for a pre-release', () => {
    expect(defaultTags({ event: { name: 'push', payload: {} }, sha, ref: 'refs/tags/v2.10.3' })).toEqual([
      sha,
      '2.10.3',
      '2.10',
      '2',
    ]);
    expect(defaultTags({ event: { name: 'push', payload: {} }, sha, ref: 'refs/tags/v2.0.0-rc.1' })).toEqual([sha, '2.0.0-rc.1']);
    expect(defaultTags({ event: { name: 'push', payload: {} }, sha, ref: 'refs/tags/release-7' })).toEqual([sha]);
  });
});

describe('build arguments', () => {
  const settings = {
    registry: '127.0.0.1:5000',
    repository: 'omis-pc/frontend',
    context: 'frontend',
    dockerfile: 'frontend/Dockerfile',
    buildArgs: [['GIT_SHA', sha]] as [string, string][],
    target: 'runtime',
    platforms: ['linux/amd64', 'linux/arm64'],
    labels: [['team', 'omis']] as [string, string][],
    push: true,
    cache: 'registry' as const,
    buildx: {
      builder: 'ci-builder',
      secrets: [{ id: 'npmrc', value: 'npm-token-value' }],
      secretFiles: [{ id: 'pip', path: '/work/pip.conf' }],
      provenance: 'mode=max' as const,
      sbom: 'false' as const,
    },
  };

  it('uses buildx with a registry cache, platforms and metadata when available', () => {
    expect(buildArgs(settings, ['127.0.0.1:5000/omis-pc/frontend:x'], true, '/tmp/meta.json')).toEqual([
      'buildx',
      'build',
      '--file',
      'frontend/Dockerfile',
      '--tag',
      '127.0.0.1:5000/omis-pc/frontend:x',
      '--build-arg',
      `GIT_SHA=${sha}`,
      '--label',
      'team=omis',
      '--target',
      'runtime',
      '--builder',
      'ci-builder',
      // A secret's value travels in the environment of the build alone, never in argv.
      '--secret',
      'id=npmrc,env=DEPLOY_ACTIONS_BUILD_SECRET_0',
      '--secret',
      'id=pip,src=/work/pip.conf',
      '--provenance=mode=max',
      '--sbom=false',
      '--platform',
      'linux/amd64,linux/arm64',
      '--cache-from',
      'type=registry,ref=127.0.0.1:5000/omis-pc/frontend:buildcache',
      '--cache-to',
      'type=registry,ref=127.0.0.1:5000/omis-pc/frontend:buildcache,mode=max',
      '--push',
      '--metadata-file',
      '/tmp/meta.json',
      '--',
      'frontend',
    ]);
  });

  it('falls back to docker build, and never writes the cache without push', () => {
    expect(buildArgs({ ...settings, platforms: [] }, ['r/x:1'], false)).toEqual([
      'build',
      '--file',
      'frontend/Dockerfile',
      '--tag',
      'r/x:1',
      '--build-arg',
      `GIT_SHA=${sha}`,
      '--label',
      'team=omis',
      '--target',
      'runtime',
      '--',
      'frontend',
    ]);
    expect(buildArgs({ ...settings, push: false }, ['r/x:1'], true)).not.toContain('--cache-to');
  });
});

describe('registry helpers', () => {
  it('recognises transient docker failures and leaves auth failures alone', () => {
    expect(isTransientDockerFailure('toomanyrequests: too many requests')).toBe(true);
    expect(isTransientDockerFailure('received unexpected HTTP status: 503 Service Unavailable')).toBe(true);
    expect(isTransientDockerFailure('read: connection reset by peer')).toBe(true);
    expect(isTransientDockerFailure('unauthorized: authentication required')).toBe(false);
    expect(isTransientDockerFailure('denied: requested access to the resource is denied')).toBe(false);
  });

  it('parses a Bearer challenge', () => {
    expect(parseChallenge('Bearer realm="https://acr.io/oauth2/token",service="acr.io",scope="repository:a/b:pull"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://acr.io/oauth2/token', service: 'acr.io', scope: 'repository:a/b:pull' },
    });
  });

  it('keeps registry ports everywhere and uses http only on loopback', () => {
    expect(isRegistryHost('127.0.0.1:5000')).toBe(true);
    expect(isRegistryHost('myacr.azurecr.io')).toBe(true);
    expect(isRegistryHost('https://myacr.azurecr.io')).toBe(false);
    expect(isRepository('omis-pc/frontend')).toBe(true);
    expect(isRepository('Omis/frontend')).toBe(false);
    expect(isTag('1.2.3')).toBe(true);
    expect(isTag('.hidden')).toBe(false);
    expect(imageRef('127.0.0.1:5000', 'omis-pc/frontend', 'latest')).toBe('127.0.0.1:5000/omis-pc/frontend:latest');
    expect(imageRef('127.0.0.1:5000', 'a', `sha256:${'0'.repeat(64)}`)).toBe(`127.0.0.1:5000/a@sha256:${'0'.repeat(64)}`);
    expect(isLoopbackRegistry('localhost:5000')).toBe(true);
    expect(registryBaseUrl('127.0.0.1:5000')).toBe('http://127.0.0.1:5000');
    expect(registryBaseUrl('myacr.azurecr.io')).toBe('https://myacr.azurecr.io');
  });
});
