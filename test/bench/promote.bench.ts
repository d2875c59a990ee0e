// Promote by manifest copy (acr-push promote: no layer moves) against what a script does
// without it: docker pull, tag and push of the same image. Real Docker engine and Debian's
// docker-registry behind the fake ACR front (token service only on this path).
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { dockerClient, type DockerClient } from '../support/containers.js';
import { hasDocker, hasRegistry } from '../support/daemons.js';
import { ADMIN, type FakeAcr, startFakeAcr } from '../support/fake-acr.js';
import { busyboxContext } from '../support/images.js';
import { runAction, succeeded } from '../support/run-action.js';
import { record } from './results.js';

const RUNS = 5;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

describe.skipIf(!(hasDocker() && hasRegistry()))('bench: promote', () => {
  let acr: FakeAcr;
  let client: DockerClient;
  let context: string;
  const repository = 'bench/frontend';
  const password = () => ({
    registry: acr.registry,
    repository,
    auth: 'password',
    username: ADMIN.username,
    password: ADMIN.password,
  });

  beforeAll(async () => {
    acr = await startFakeAcr();
    // A layer of 32 MiB of random bytes, so the image weighs what a small service's does.
    context = busyboxContext('bench');
    writeFileSync(join(context, 'www', 'payload.bin'), randomBytes(32 * 1024 * 1024));
    client = await dockerClient({ host: acr.registry, username: ADMIN.username, password: ADMIN.password });
    succeeded(
      await runAction(
        'acr-push',
        { ...password(), context, tags: 'source', cache: 'none' },
        { cwd: tmpdir(), timeoutMs: 180_000 },
      ),
    );
  });
  afterAll(async () => {
    client.cleanup();
    await acr.close();
    rmSync(context, { recursive: true, force: true });
  });

  it('times both ways to give an image a new tag', async () => {
    const image = `${acr.registry}/${repository}`;
    const copy: number[] = [];
    const script: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      let started = performance.now();
      succeeded(await runAction('acr-push', { ...password(), promote: 'source', tags: `copy-${run}` }, { cwd: tmpdir() }));
      copy.push((performance.now() - started) / 1000);

      // A runner starts without the image: remove it locally, then pull, tag and push.
      await client.docker('image', 'rm', '--force', `${image}:source`).catch(() => undefined);
      started = performance.now();
      await client.docker('pull', '--quiet', `${image}:source`);
      await client.docker('tag', `${image}:source`, `${image}:script-${run}`);
      await client.docker('push', '--quiet', `${image}:script-${run}`);
      script.push((performance.now() - started) / 1000);
      await client.docker('image', 'rm', '--force', `${image}:script-${run}`).catch(() => undefined);
    }
    record('promote', ['acr-push promote (manifest copy)', median(copy).toFixed(2), RUNS]);
    record('promote', ['docker pull, tag, push', median(script).toFixed(2), RUNS]);
  });
});
