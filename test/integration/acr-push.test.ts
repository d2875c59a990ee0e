// acr-push against real parts: Debian's docker-registry with token auth and a real Docker
// engine building and pushing. Fakes (see support/fake-acr.ts): the ACR token endpoints in
// front of the registry, Entra ID's token endpoint, and the runner's ID-token endpoint.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../packages/shared/registry-client.js';
import { hasDocker, hasRegistry } from '../support/daemons.js';
import { ADMIN, CLIENT, type FakeAcr, startFakeAcr, TENANT } from '../support/fake-acr.js';
import { busyboxContext } from '../support/images.js';
import { failure, runAction as runBundle, succeeded } from '../support/run-action.js';

const ready = hasDocker() && hasRegistry();
// The build contexts are made under the system temp folder: that is the workspace here, as
// acr-push confines context and dockerfile to GITHUB_WORKSPACE and RUNNER_TEMP.
const runAction: typeof runBundle = (action, inputs, options) => runBundle(action, inputs, { cwd: tmpdir(), ...options });

describe.skipIf(!ready)('acr-push (bundled, real registry and docker)', () => {
  let acr: FakeAcr;
  let context: string;
  const sha = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
  const repository = 'omis-pc/frontend';
  const admin = () => new RegistryClient(acr.registry, { kind: 'basic', ...ADMIN });
  const pushEvent = { name: 'push', payload: { ref: 'refs/heads/main', repository: { default_branch: 'main' } } };
  const password = { auth: 'password', username: ADMIN.username, password: ADMIN.password };

  beforeAll(async () => {
    acr = await startFakeAcr();
    context = busyboxContext('frontend');
  });
  afterAll(async () => {
    await acr.close();
    rmSync(context, { recursive: true, force: true });
  });

  it('builds and pushes with OIDC: runner ID token, Entra, ACR exchange, isolated docker login', async () => {
    const result = await runAction(
      'acr-push',
      {
        registry: acr.registry,
        repository,
        context,
        'build-args': `GIT_SHA=${sha}`,
        'client-id': CLIENT,
        'tenant-id': TENANT,
        'authority-host': acr.authorityHost,
      },
      { event: pushEvent, env: { ...acr.oidcEnv, GITHUB_SHA: sha, GITHUB_REF: 'refs/heads/main' }, timeoutMs: 120_000 },
    );
    succeeded(result);
    expect(result.exitCode).toBe(0);
    const digest = result.outputs.digest!;
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(result.outputs.image).toBe(`${acr.registry}/${repository}@${digest}`);
    expect(JSON.parse(result.outputs.tags!)).toEqual([
      `${acr.registry}/${repository}:${sha}`,
      `${acr.registry}/${repository}:latest`,
    ]);
    expect((await admin().getManifest(repository, 'latest')).digest).toBe(digest);
    expect((await admin().getManifest(repository, sha)).digest).toBe(digest);
    expect(acr.stats).toMatchObject({ exchanges: 1, entraTokens: 1, reusedAssertions: 0 });
    // dockerd pushed over HTTPS: the fake ACR speaks it on the registry's port, as the SDK needs.
    expect(acr.stats.tlsConnections).toBeGreaterThan(0);
    expect(acr.stats.idTokens).toBeGreaterThanOrEqual(1);
    // The login lived in a docker config of its own, and the post step removed it.
    const dockerConfig = result.state['docker-config']!;
    expect(dockerConfig).toContain('deploy-actions-docker-');
    expect(result.post?.exitCode).toBe(0);
    expect(result.post?.log).toContain(`Removed the docker login at ${dockerConfig}`);
    expect(existsSync(dockerConfig)).toBe(false);
    // No token reached the log or the summary.
    const secrets = result.masks.filter((mask) => mask.length > 16);
    expect(secrets.length).toBeGreaterThanOrEqual(2);
    for (const secret of secrets) {
      expect(result.log).not.toContain(secret);
      expect(result.summary).not.toContain(secret);
    }
    expect(result.summary).toContain(`acr-push: pushed \`${acr.registry}/${repository}\``);
  });

  it("reuses a commit's image: its SHA tag is immutable, so a second push of the commit builds nothing", async () => {
    // As production's caller after staging's, or a re-run: the same commit, now with other
    // bytes in its context, which a rebuild would push under the same SHA tag.
    const first = (await admin().getManifest(repository, sha)).digest;
    const changed = busyboxContext('frontend', 'not this commit');
    try {
      const result = succeeded(
        await runAction(
          'acr-push',
          { registry: acr.registry, repository, context: changed, tags: `${sha}\nlatest\nrc`, ...password },
          { env: { GITHUB_SHA: sha }, timeoutMs: 120_000 },
        ),
      );
      expect(result.outputs.digest).toBe(first);
      expect(result.log).toContain(`${acr.registry}/${repository}:${sha} is already ${first}: not rebuilt`);
      expect(result.log).not.toContain('Build and push');
      expect((await admin().getManifest(repository, sha)).digest).toBe(first);
      // The mutable tags move to the commit's image.
      expect((await admin().getManifest(repository, 'rc')).digest).toBe(first);
      expect((await admin().getManifest(repository, 'latest')).digest).toBe(first);
      expect(result.summary).toContain('not rebuilt: the commit tag already names an image in the registry');
      // Without a commit tag among its tags, a build always builds.
      const mutable = succeeded(
        await runAction('acr-push', { registry: acr.registry, repository, context: changed, tags: 'rc', ...password }),
      );
      expect(mutable.log).toContain('Build and push');
      expect(mutable.outputs.digest).not.toBe(first);
    } finally {
      rmSync(changed, { recursive: true, force: true });
    }
  });

  it('asks the runner for a fresh ID token on every exchange', async () => {
    const before = { ...acr.stats };
    for (let run = 0; run < 2; run++) {
      const result = await runAction(
        'acr-push',
        {
          registry: acr.registry,
          repository,
          promote: sha,
          tags: `fresh-${run}`,
          'client-id': CLIENT,
          'tenant-id': TENANT,
          'authority-host': acr.authorityHost,
        },
        { env: acr.oidcEnv },
      );
      succeeded(result);
    }
    // Each exchange got an Entra token for a runner ID token never used before (the fake
    // Entra refuses a reused assertion); MSAL may ask the callback more than once per run.
    expect(acr.stats.entraTokens - before.entraTokens).toBe(2);
    expect(acr.stats.exchanges - before.exchanges).toBe(2);
    expect(acr.stats.idTokens - before.idTokens).toBeGreaterThanOrEqual(2);
    expect(acr.stats.reusedAssertions).toBe(0);
  });

  it('lands the push through 503 and 429 answers, backing off between tries', async () => {
    // dockerd retries blob uploads on its own; a failed manifest PUT fails `docker push`,
    // and then acr-push's own retry has to land it.
    acr.injectPushFaults([503, 429], 'manifests');
    const putsBefore = acr.manifestPuts.length;
    const result = await runAction(
      'acr-push',
      { registry: acr.registry, repository: 'omis-pc/backend', context, tags: 'retry-test', ...password },
      { timeoutMs: 180_000 },
    );
    succeeded(result);
    expect(acr.stats.injected).toBe(2);
    expect(result.log).toMatch(/hit a transient fault/);
    // docker prints `toomanyrequests`, not the Retry-After header, so acr-push backs off on its
    // own curve: 500 ms then 1 s, each jittered to 50-100%. Three PUTs, spaced by those waits.
    const puts = acr.manifestPuts.slice(putsBefore);
    expect(puts).toHaveLength(3);
    expect(puts[1]! - puts[0]!).toBeGreaterThanOrEqual(250);
    expect(puts[2]! - puts[1]!).toBeGreaterThanOrEqual(500);
    expect((await admin().getManifest('omis-pc/backend', 'retry-test')).digest).toBe(result.outputs.digest);
  });

  it('promotes by tag and by digest with a manifest copy, using the runner docker login', async () => {
    const source = await admin().getManifest(repository, sha);
    const dockerConfig = mkdtempSync(join(tmpdir(), 'runner-docker-'));
    try {
      // Async: this process serves the fake front, so it must not block while docker logs in.
      const login = promisify(execFile)('docker', ['login', acr.registry, '--username', ADMIN.username, '--password-stdin'], {
        env: { ...process.env, DOCKER_CONFIG: dockerConfig },
      });
      login.child.stdin?.end(ADMIN.password);
      await login;
      const byTag = await runAction(
        'acr-push',
        { registry: acr.registry, repository, promote: sha, tags: 'production-last-good' },
        { env: { DOCKER_CONFIG: dockerConfig } },
      );
      succeeded(byTag);
      expect(byTag.outputs.digest).toBe(source.digest);
      const byDigest = await runAction('acr-push', {
        registry: acr.registry,
        repository,
        promote: source.digest,
        tags: 'v-by-digest',
        ...password,
      });
      expect(byDigest.outputs.image).toBe(`${acr.registry}/${repository}@${source.digest}`);
    } finally {
      rmSync(dockerConfig, { recursive: true, force: true });
    }
    for (const tag of ['production-last-good', 'v-by-digest']) {
      const copy = await admin().getManifest(repository, tag);
      expect(copy.digest).toBe(source.digest);
      expect(copy.bytes.equals(source.bytes)).toBe(true);
    }
  });

  it('promotes one tag in several repositories in one step, moving none when one lacks it', async () => {
    const other = 'omis-pc/second';
    // A second service's repository holding an image under the same SHA tag, as a release's services do.
    succeeded(
      await runAction(
        'acr-push',
        { registry: acr.registry, repository: other, context, tags: sha, ...password },
        { timeoutMs: 120_000 },
      ),
    );
    const manifest = await admin().getManifest(repository, sha);
    const otherManifest = await admin().getManifest(other, sha);
    const both = await runAction('acr-push', {
      registry: acr.registry,
      repository: `${repository}\n${other}`,
      promote: sha,
      tags: 'staging',
      ...password,
    });
    succeeded(both);
    expect(JSON.parse(both.outputs.digests!)).toEqual({ [repository]: manifest.digest, [other]: otherManifest.digest });
    expect(JSON.parse(both.outputs.tags!)).toEqual([`${acr.registry}/${repository}:staging`, `${acr.registry}/${other}:staging`]);
    expect((await admin().getManifest(repository, 'staging')).digest).toBe(manifest.digest);
    expect((await admin().getManifest(other, 'staging')).digest).toBe(otherManifest.digest);

    const missing = await runAction('acr-push', {
      registry: acr.registry,
      repository: `${repository}\nomis-pc/never-pushed`,
      promote: sha,
      tags: 'canary',
      ...password,
    });
    expect(failure(missing)).toContain('omis-pc/never-pushed');
    await expect(admin().getManifest(repository, 'canary')).rejects.toThrow('does not exist');
  });

  it('builds and pushes each service of a build-matrix batch in turn, with one login', async () => {
    const second = busyboxContext('second');
    try {
      const batch = JSON.stringify([
        { service: 'frontend', repository, context, dockerfile: join(context, 'Dockerfile'), toolchain: 'node@20' },
        { service: 'second', repository: 'omis-pc/batch-second', context: second, toolchain: 'node@20' },
      ]);
      const result = await runAction(
        'acr-push',
        { registry: acr.registry, batch, tags: 'batch-1', 'build-args': `GIT_SHA=${sha}`, ...password },
        { timeoutMs: 180_000 },
      );
      succeeded(result);
      const digests = JSON.parse(result.outputs.digests!) as Record<string, string>;
      expect(Object.keys(digests)).toEqual([repository, 'omis-pc/batch-second']);
      for (const [name, digest] of Object.entries(digests))
        expect((await admin().getManifest(name, 'batch-1')).digest).toBe(digest);
      expect(result.outputs.digest).toBe(digests[repository]);
      expect(result.log.match(/Logged in to /g) ?? []).toHaveLength(1);
      const both = await runAction('acr-push', { registry: acr.registry, batch, repository, tags: 'x', ...password });
      expect(failure(both)).toBe(
        `acr-push failed: input 'batch' replaces repository, context and dockerfile: give one or the other`,
      );
    } finally {
      rmSync(second, { recursive: true, force: true });
    }
  });

  it('tags a v1.2.3 release as 1.2.3, 1.2 and 1', async () => {
    const result = await runAction(
      'acr-push',
      { registry: acr.registry, repository: 'omis-pc/csvtomdb', context, ...password },
      { env: { GITHUB_SHA: sha, GITHUB_REF: 'refs/tags/v1.2.3' }, event: { name: 'push', payload: { ref: 'refs/tags/v1.2.3' } } },
    );
    succeeded(result);
    expect(JSON.parse(result.outputs.tags!)).toEqual(
      [sha, '1.2.3', '1.2', '1'].map((tag) => `${acr.registry}/omis-pc/csvtomdb:${tag}`),
    );
  });

  it('changes nothing on dry-run or on a bad input', async () => {
    const tokensBefore = acr.stats.registryTokens;
    const dry = await runAction('acr-push', {
      registry: acr.registry,
      repository: 'omis-pc/dry',
      context,
      tags: 'x',
      'dry-run': 'true',
      ...password,
    });
    expect(dry.exitCode).toBe(0);
    expect(dry.log).toContain('dry-run: would run docker build --file');
    expect(dry.outputs.digest).toBe('');
    const cases: [Record<string, string>, string][] = [
      [
        { registry: 'https://acr.example' },
        `input 'registry' must be a registry host such as myacr.azurecr.io or 127.0.0.1:5000 (no scheme, no path); got "https://acr.example"`,
      ],
      [
        { repository: 'Omis/Frontend' },
        `input 'repository' must be a lowercase repository path such as omis-pc/frontend; got "Omis/Frontend"`,
      ],
      [
        { tags: 'ok, -bad' },
        `input 'tags' must be tag names (letters, digits, _ . -, up to 128, not starting with . or -); got "-bad"`,
      ],
      [{ 'client-id': CLIENT }, `input 'tenant-id' must be the directory (tenant) ID GUID for auth: oidc`],
      [{ promote: 'latest', push: 'false' }, `input 'push' cannot be false with promote, which only writes tags to the registry`],
      [{ auth: 'password', username: 'u' }, `input 'password' is required for auth: password`],
      [
        { context: '/nonexistent/ctx' },
        `input 'context' must be a path inside the workspace (GITHUB_WORKSPACE) or RUNNER_TEMP; got "/nonexistent/ctx"`,
      ],
      [{ cache: 'gha' }, `input 'cache' must be one of registry, none; got "gha"`],
    ];
    for (const [inputs, message] of cases) {
      const result = await runAction('acr-push', {
        registry: acr.registry,
        repository: 'omis-pc/bad',
        context,
        tags: 'x',
        ...inputs,
      });
      expect(result.exitCode, message).toBe(1);
      expect(failure(result)).toBe(`acr-push failed: ${message}`);
    }
    expect(acr.stats.registryTokens).toBe(tokensBefore);
  });
});
