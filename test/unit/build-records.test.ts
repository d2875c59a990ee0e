// The typed glue that replaced the build job's inline scripts: build-matrix's `script` (the
// services' commands as one bash script, run here by the real bash) and acr-push's
// report-dir records (read back by deploy-report's own reader).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeBuildRecords } from '../../actions/acr-push/report-record.js';
import { commandScript } from '../../actions/build-matrix/select.js';

const work = mkdtempSync(join(tmpdir(), 'build-records-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('commandScript', () => {
  const dirs = ['front end', "it's-java"];
  for (const dir of dirs) mkdirSync(join(work, dir), { recursive: true });
  const run = (script: string) => spawnSync('bash', ['-c', script], { cwd: work, encoding: 'utf8' });

  it("runs each service's commands in its own folder, in order, each in a log group", () => {
    const script = commandScript([
      { service: 'frontend', path: 'front end', install: 'pwd', test: 'echo "tested $(basename "$PWD")"' },
      { service: 'backend', path: "it's-java", build: 'printf "%s\\n" built\necho second line' },
    ]);
    const result = run(script);
    expect(result.status).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean)).toEqual([
      '::group::frontend: install',
      join(work, 'front end'),
      '::endgroup::',
      '::group::frontend: test',
      'tested front end',
      '::endgroup::',
      '::group::backend: build',
      'built',
      'second line',
      '::endgroup::',
    ]);
  });

  it('stops at the first failing command, a failing pipe included', () => {
    const script = commandScript([
      { service: 'a', path: 'front end', lint: 'false | cat', test: 'echo never' },
      { service: 'b', path: "it's-java", build: 'echo never either' },
    ]);
    const result = run(script);
    expect(result.status).not.toBe(0);
    expect(result.stdout).not.toContain('never');
  });

  it('keeps a folder name a word: quotes cannot end it', () => {
    const result = run(commandScript([{ service: 'x', path: "it's-java", test: 'basename "$PWD"' }]));
    expect(result.stdout).toContain("it's-java");
    // A folder named to break out of its quotes is only a folder that does not exist.
    const hostile = run(commandScript([{ service: 'x', path: "a'; touch pwned; '", test: 'true' }]));
    expect(hostile.status).not.toBe(0);
    expect(existsSync(join(work, 'pwned'))).toBe(false);
  });
});

describe('writeBuildRecords', () => {
  it('writes one build-<service>.json per image, in the shape deploy-report reads', () => {
    const dir = join(work, 'report');
    const paths = writeBuildRecords(dir, {
      registry: 'omis.azurecr.io',
      builds: [
        { service: 'frontend', repository: 'omis-pc/frontend', context: '.', dockerfile: 'Dockerfile' },
        { service: 'backend', repository: 'omis-pc/backend', context: '.', dockerfile: 'Dockerfile' },
      ],
      tag: 'abc123',
      digests: { 'omis-pc/frontend': `sha256:${'a'.repeat(64)}` },
      started: new Date('2026-12-04T10:00:00.250Z'),
      finished: new Date('2026-12-04T10:01:00Z'),
      result: 'failure',
    });
    expect(paths.map((path) => path.slice(dir.length + 1))).toEqual(['build-frontend.json', 'build-backend.json']);
    expect(JSON.parse(readFileSync(join(dir, 'build-frontend.json'), 'utf8'))).toEqual({
      phases: [{ name: 'build frontend', started: '2026-12-04T10:00:00Z', finished: '2026-12-04T10:01:00Z', result: 'failure' }],
      services: [{ service: 'frontend', image: 'omis.azurecr.io/omis-pc/frontend:abc123', digest: `sha256:${'a'.repeat(64)}` }],
    });
    // A build that never finished has no digest to report.
    expect((JSON.parse(readFileSync(join(dir, 'build-backend.json'), 'utf8')) as { services: unknown }).services).toEqual([
      { service: 'backend', image: 'omis.azurecr.io/omis-pc/backend:abc123' },
    ]);
  });
});
