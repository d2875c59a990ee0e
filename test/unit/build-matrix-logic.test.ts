import { describe, expect, it } from 'vitest';
import { planRange } from '../../actions/build-matrix/range.js';
import { matrixEntry, selectServices } from '../../actions/build-matrix/select.js';
import { parseServicesFile } from '../../actions/build-matrix/services-file.js';
import { ZERO_SHA } from '../../packages/shared/git.js';
import { SEED } from '../support/seed.js';

const file = parseServicesFile('config', SEED);
const names = (changed: string[] | { all: string }) => selectServices(file, changed).map((selection) => selection.service.name);

describe('services file', () => {
  it('reads the seed shape with its defaults', () => {
    expect(matrixEntry(file, file.services[0]!)).toEqual({
      service: 'frontend',
      path: 'frontend',
      context: 'frontend',
      dockerfile: 'frontend/Dockerfile',
      image: 'omispcacrprod.azurecr.io/omis-pc/frontend',
      registry: 'omispcacrprod.azurecr.io',
      repository: 'omis-pc/frontend',
      toolchain: 'node@20',
      'toolchain-name': 'node',
      'toolchain-version': '20',
      install: 'yarn install --frozen-lockfile',
      lint: 'yarn lint',
      test: 'yarn test',
      build: 'yarn build',
    });
    expect(matrixEntry(file, file.services[2]!)).toMatchObject({
      dockerfile: 'csv-to-mdb/docker/Dockerfile',
      context: 'csv-to-mdb',
      image: 'omispcacrprod.azurecr.io/omis-pc/csvtomdb',
      install: '',
    });
  });

  it('keeps a registry port in image names', () => {
    const local = parseServicesFile(
      'services',
      'registry: 127.0.0.1:5000\nrepository-prefix: omis-pc\nservices: {api: {path: api}}',
    );
    expect(matrixEntry(local, local.services[0]!).image).toBe('127.0.0.1:5000/omis-pc/api');
    expect(matrixEntry(local, local.services[0]!).toolchain).toBe('none');
  });

  it.each([
    ['services:\n  a: {path: a, depends-on: [ghost]}', `services.a.depends-on names "ghost", which is not a service (known: a)`],
    [
      'services:\n  a: {path: a, depends-on: [b]}\n  b: {path: b, depends-on: [c]}\n  c: {path: c, depends-on: [a]}',
      'services have a depends-on cycle: a -> b -> c -> a',
    ],
    ['services:\n  a: {path: a, toolchain: python@3}', 'services.a.toolchain must be node@N, java@N or none; got "python@3"'],
    [
      'services:\n  a: {path: a, commands: {deploy: x}}',
      'services.a.commands has an unknown command "deploy"; allowed: install, lint, test, build',
    ],
    ['services:\n  a: {path: ../a}', 'services.a.path must be a relative folder such as a'],
    ['services:\n  A: {path: a}', 'services.A: a service name must be lowercase letters and digits, with . _ - between'],
    ['services:\n  a: {path: a, dockerfiles: x}', 'services.a has an unknown key "dockerfiles"'],
    ['services: {}', 'services must map at least one service name to its settings'],
    ['services: [', 'is not valid YAML'],
    [
      'services:\n  a: {path: a, watch: ["libs/{x,y"]}',
      'services.a.watch: the glob "libs/{x,y" has a "{" at 6 that is never closed',
    ],
    ['ignore: ["docs/+(a|b)"]\nservices: {a: {path: a}}', 'ignore: the glob "docs/+(a|b)" uses an extglob'],
    ['shared: ["!"]\nservices: {a: {path: a}}', 'shared: the glob "!" is empty'],
  ])('rejects %j', (body, message) => {
    expect(() => parseServicesFile('config', `registry: r.azurecr.io\n${body}`)).toThrow(`input 'config' ${message}`);
  });
});

describe('selection', () => {
  it('selects by path and adds dependants', () => {
    expect(names(['backend/src/Main.java'])).toEqual(['frontend', 'backend']);
    expect(names(['frontend/src/app.ts'])).toEqual(['frontend']);
    expect(names(['libs/ui/button.tsx'])).toEqual(['frontend']);
    expect(names(['csv-to-mdb/docker/Dockerfile'])).toEqual(['csvtomdb']);
    expect(names(['README.md', 'frontendish/x'])).toEqual([]);
  });

  it('rebuilds everything on a shared path or when forced, and says why', () => {
    const shared = selectServices(file, ['docker/base.Dockerfile']);
    expect(shared.map((selection) => selection.reasons[0])).toEqual(Array(3).fill('shared path: docker/base.Dockerfile'));
    expect(selectServices(file, { all: 'tag push v1.2.3' })[2]?.reasons).toEqual(['forced: tag push v1.2.3']);
    const dependant = selectServices(file, ['backend/a', 'backend/b', 'backend/c', 'backend/d'])[0];
    expect(dependant?.reasons).toEqual(['depends on backend']);
    expect(selectServices(file, ['backend/a', 'backend/b', 'backend/c', 'backend/d'])[1]?.reasons).toEqual([
      'changed: backend/a, backend/b, backend/c (+1 more)',
    ]);
  });
});

describe('exclusions', () => {
  const monorepo = parseServicesFile(
    'config',
    [
      'registry: r.azurecr.io',
      'shared: [docker/**, "!docker/README.md"]',
      'ignore: [docs/**, "**/*.md"]',
      'services:',
      '  api: {path: api, watch: ["libs/**", "!libs/legacy/**", libs/legacy/keep.ts], ignore: [api/fixtures/**]}',
      '  web: {path: web}',
    ].join('\n'),
  );
  const chosen = (changed: string[]) => selectServices(monorepo, changed).map((selection) => selection.service.name);

  it('a ! glob excludes what the globs before it matched, and selects nothing by itself', () => {
    // paths-filter's reports: picomatch's list selected api for any file outside libs/legacy.
    expect(chosen(['backend/src/b.ts'])).toEqual([]);
    expect(chosen(['libs/a.ts'])).toEqual(['api']);
    expect(chosen(['libs/legacy/old.ts'])).toEqual([]);
    expect(chosen(['libs/legacy/keep.ts'])).toEqual(['api']);
    expect(chosen(['docker/README.txt'])).toEqual(['api', 'web']);
  });

  it('ignore applies after every include, shared paths included; only ignored changes select nothing', () => {
    expect(chosen(['docs/guide.txt', 'api/README.md', 'docker/notes.md', 'libs/CHANGES.md'])).toEqual([]);
    expect(chosen(['api/fixtures/big.csv'])).toEqual([]);
    expect(chosen(['api/fixtures/big.csv', 'api/src/a.ts'])).toEqual(['api']);
    expect(selectServices(monorepo, ['api/fixtures/x', 'api/src/a.ts'])[0]?.reasons).toEqual(['changed: api/src/a.ts']);
    // A shared file a service ignores rebuilds the others only.
    const withIgnoredShared = parseServicesFile(
      'config',
      'registry: r.azurecr.io\nshared: [docker/**]\nservices:\n  api: {path: api, ignore: [docker/web.Dockerfile]}\n  web: {path: web}',
    );
    expect(selectServices(withIgnoredShared, ['docker/web.Dockerfile']).map((selection) => selection.service.name)).toEqual([
      'web',
    ]);
  });
});

describe('planRange', () => {
  const event = (name: string, payload: Record<string, unknown>) => ({ event: { name, payload }, all: false });
  const repository = { default_branch: 'main' };

  it('uses before..after on a push', () => {
    expect(planRange(event('push', { ref: 'refs/heads/main', before: 'a'.repeat(40), after: 'b'.repeat(40) }))).toMatchObject({
      kind: 'diff',
      base: 'a'.repeat(40),
      head: 'b'.repeat(40),
    });
  });

  it('diffs a new branch against its fork point with the default branch', () => {
    expect(
      planRange(event('push', { ref: 'refs/heads/feature', before: ZERO_SHA, after: 'b'.repeat(40), repository })),
    ).toMatchObject({
      kind: 'fork-point',
      against: 'main',
    });
  });

  it('uses the PR base and head, never the merge commit', () => {
    const payload = { pull_request: { base: { sha: 'a'.repeat(40) }, head: { sha: 'b'.repeat(40) } } };
    expect(planRange({ ...event('pull_request', payload), sha: 'c'.repeat(40) })).toEqual({
      kind: 'fork-point',
      head: 'b'.repeat(40),
      against: 'a'.repeat(40),
      reason: 'pull request base...head',
    });
  });

  it('builds everything for tags, dispatch and schedule, and when asked', () => {
    expect(planRange(event('push', { ref: 'refs/tags/v1.2.3' }))).toEqual({ kind: 'all', reason: 'tag push v1.2.3' });
    expect(planRange(event('workflow_dispatch', {})).kind).toBe('all');
    expect(planRange(event('schedule', {})).kind).toBe('all');
    expect(planRange({ ...event('push', {}), all: true })).toEqual({ kind: 'all', reason: 'input all is true' });
  });

  it('lets base and head inputs override the event', () => {
    expect(planRange({ ...event('push', {}), base: 'v1', sha: 'f'.repeat(40) })).toMatchObject({
      kind: 'diff',
      base: 'v1',
      head: 'f'.repeat(40),
    });
  });
});
