// The bundled build-matrix on real git repositories: a bare origin and the depth-1 clone
// actions/checkout makes, so fetching what a shallow checkout lacks is exercised for real.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ZERO_SHA } from '../../packages/shared/git.js';
import { git, TestRepo } from '../support/git-repo.js';
import { failure, runAction } from '../support/run-action.js';
import { SEED } from '../support/seed.js';

let repo: TestRepo;
let first: string;
beforeEach(() => {
  repo = new TestRepo();
  first = repo.commit({
    '.github/deploy-services.yml': SEED,
    'frontend/package.json': '{}',
    'backend/pom.xml': '<project/>',
    'csv-to-mdb/docker/Dockerfile': 'FROM scratch',
    'csv-to-mdb/src/Convert.java': 'class Convert {}',
    'README.md': '# omis',
  });
  repo.push();
});
afterEach(() => {
  repo.cleanup();
});

interface Entry {
  service: string;
  image: string;
}

const services = (outputs: Record<string, string>) =>
  (JSON.parse(outputs.matrix!) as { include: Entry[] }).include.map((entry) => entry.service);
const repository = { default_branch: 'main' };

describe('build-matrix (bundled, real git)', () => {
  it('builds what a push changed, plus its dependants, in a shallow checkout', async () => {
    const after = repo.commit({ 'backend/src/Api.java': 'class Api {}' });
    repo.push();
    const checkout = repo.shallowCheckout('main');
    const result = await runAction(
      'build-matrix',
      {},
      {
        cwd: checkout,
        event: { name: 'push', payload: { ref: 'refs/heads/main', before: first, after, repository } },
        env: { GITHUB_SHA: after },
      },
    );
    expect(result.exitCode).toBe(0);
    expect(services(result.outputs)).toEqual(['frontend', 'backend']);
    expect(result.outputs).toMatchObject({
      changed: 'true',
      count: '2',
      base: first,
      head: after,
      services: '["frontend","backend"]',
    });
    expect(result.summary).toContain('| frontend | `omispcacrprod.azurecr.io/omis-pc/frontend` | node@20 | depends on backend |');
    expect(result.summary).toContain(
      '| backend | `omispcacrprod.azurecr.io/omis-pc/backend` | java@17 | changed: backend/src/Api.java |',
    );
    expect(result.summary).toContain('Unchanged: csvtomdb.');
  });

  it('reports nothing to build when no service changed', async () => {
    const after = repo.commit({ 'README.md': '# omis, edited' });
    repo.push();
    const result = await runAction(
      'build-matrix',
      {},
      { cwd: repo.shallowCheckout('main'), event: { name: 'push', payload: { before: first, after } } },
    );
    expect(result.outputs).toMatchObject({ changed: 'false', count: '0', matrix: '{"include":[]}', services: '[]' });
  });

  it('counts a rename for both paths', async () => {
    const after = repo.rename('csv-to-mdb/src/Convert.java', 'frontend/src/Convert.java');
    repo.push();
    const result = await runAction(
      'build-matrix',
      {},
      { cwd: repo.shallowCheckout('main'), event: { name: 'push', payload: { before: first, after } } },
    );
    expect(services(result.outputs)).toEqual(['frontend', 'csvtomdb']);
  });

  it('diffs a new branch against its merge-base with the default branch, fetching it', async () => {
    repo.commit({ 'frontend/src/a.ts': 'a' });
    const feature = repo.commit({ 'csv-to-mdb/src/B.java': 'b' });
    repo.push('HEAD:refs/heads/feature');
    const result = await runAction(
      'build-matrix',
      {},
      {
        cwd: repo.shallowCheckout('feature'),
        event: {
          name: 'push',
          payload: { ref: 'refs/heads/feature', before: ZERO_SHA, after: feature, created: true, repository },
        },
      },
    );
    expect(result.exitCode).toBe(0);
    expect(result.outputs.base).toBe(first);
    expect(services(result.outputs)).toEqual(['frontend', 'csvtomdb']);
  });

  it("uses a pull request's base and head SHAs, not the merge commit", async () => {
    const head = repo.commit({ 'csv-to-mdb/src/C.java': 'c' });
    repo.push('HEAD:refs/heads/pr');
    // main moves on after the branch point; its change must not count for the PR.
    git(repo.work, 'checkout', '--quiet', '-b', 'main-ahead', first);
    const baseSha = repo.commit({ 'backend/src/Later.java': 'later' }, 'later on main');
    repo.push('HEAD:refs/heads/main');
    const payload = { pull_request: { base: { sha: baseSha }, head: { sha: head } } };
    const result = await runAction(
      'build-matrix',
      {},
      { cwd: repo.shallowCheckout('pr'), event: { name: 'pull_request', payload } },
    );
    expect(result.exitCode).toBe(0);
    expect(result.outputs.base).toBe(first);
    expect(services(result.outputs)).toEqual(['csvtomdb']);
  });

  it('rebuilds everything on a shared path, a tag push, dispatch, or all: true', async () => {
    const after = repo.commit({ 'docker/base.Dockerfile': 'FROM scratch' });
    repo.push();
    const checkout = repo.shallowCheckout('main');
    const shared = await runAction(
      'build-matrix',
      {},
      { cwd: checkout, event: { name: 'push', payload: { before: first, after } } },
    );
    expect(services(shared.outputs)).toEqual(['frontend', 'backend', 'csvtomdb']);
    expect(shared.summary).toContain('shared path: docker/base.Dockerfile');

    const tag = await runAction(
      'build-matrix',
      {},
      { cwd: checkout, event: { name: 'push', payload: { ref: 'refs/tags/v1.2.3' } } },
    );
    expect(tag.outputs.count).toBe('3');
    expect(tag.summary).toContain('forced: tag push v1.2.3');
    const dispatch = await runAction('build-matrix', {}, { cwd: checkout, event: { name: 'workflow_dispatch', payload: {} } });
    expect(dispatch.outputs.count).toBe('3');
    const forced = await runAction(
      'build-matrix',
      { all: 'true', services: 'registry: 127.0.0.1:5000\nservices: {api: {path: api}}' },
      { cwd: checkout },
    );
    expect(JSON.parse(forced.outputs.matrix!)).toEqual({
      include: [
        expect.objectContaining({ service: 'api', image: '127.0.0.1:5000/api', dockerfile: 'api/Dockerfile' }) as unknown,
      ],
    });
  });

  it('fails with one line naming the input for a bad services file', async () => {
    const checkout = repo.shallowCheckout('main');
    const cycle = await runAction(
      'build-matrix',
      { services: 'registry: r.io\nservices:\n  a: {path: a, depends-on: [a]}' },
      { cwd: checkout },
    );
    expect(cycle.exitCode).toBe(1);
    expect(failure(cycle)).toBe(`build-matrix failed: input 'services' services have a depends-on cycle: a -> a`);
    const missing = await runAction('build-matrix', { config: 'nope.yml' }, { cwd: checkout });
    expect(failure(missing)).toBe(
      `build-matrix failed: input 'config' names nope.yml, which does not exist in the checkout (or give services inline)`,
    );
    const bool = await runAction('build-matrix', { all: 'yes' }, { cwd: checkout });
    expect(failure(bool)).toBe(`build-matrix failed: input 'all' must be true or false; got "yes"`);
  });
});

describe('build-matrix batches past max-jobs (GitHub refuses more than 256 jobs)', () => {
  const manyServices = (count: number) => {
    const lines = ['registry: 127.0.0.1:5000', 'services:'];
    for (let index = 0; index < count; index++) {
      const name = `svc${String(index).padStart(3, '0')}`;
      lines.push(`  ${name}:`, `    path: services/${name}`, `    toolchain: ${index % 3 === 0 ? 'java@17' : 'node@20'}`);
    }
    return `${lines.join('\n')}\n`;
  };

  it('puts 300 services into at most 256 entries, each service once, one toolchain per batch', async () => {
    const result = await runAction('build-matrix', { services: manyServices(300), all: 'true' }, { cwd: repo.work });
    expect(result.exitCode).toBe(0);
    const include = (JSON.parse(result.outputs.matrix!) as { include: Record<string, string>[] }).include;
    expect(include.length).toBeLessThanOrEqual(256);
    expect(result.outputs.jobs).toBe(String(include.length));
    expect(result.outputs.count).toBe('300');
    const seen: string[] = [];
    for (const entry of include) {
      expect(entry.service).toMatch(/^batch-\d{3}$/);
      const batch = JSON.parse(entry.batch!) as Record<string, string>[];
      expect(new Set(batch.map((item) => item.toolchain))).toEqual(new Set([entry.toolchain!]));
      expect(entry.services).toBe(batch.map((item) => item.service).join(' '));
      seen.push(...batch.map((item) => item.service ?? ''));
    }
    expect(seen.sort()).toEqual(Array.from({ length: 300 }, (_, index) => `svc${String(index).padStart(3, '0')}`));
    expect(JSON.parse(result.outputs.services!)).toHaveLength(300);
  });

  it('keeps one entry per service up to max-jobs, each with itself as its batch', async () => {
    const result = await runAction(
      'build-matrix',
      { services: manyServices(5), all: 'true', 'max-jobs': '2' },
      { cwd: repo.work },
    );
    const include = (JSON.parse(result.outputs.matrix!) as { include: Record<string, string>[] }).include;
    expect(include).toHaveLength(2);
    const small = await runAction('build-matrix', { services: manyServices(3), all: 'true' }, { cwd: repo.work });
    const entries = (JSON.parse(small.outputs.matrix!) as { include: Record<string, string>[] }).include;
    expect(entries.map((entry) => entry.service)).toEqual(['svc000', 'svc001', 'svc002']);
    for (const entry of entries) {
      const { batch, script, ...rest } = entry;
      expect(JSON.parse(batch!)).toEqual([rest]);
      // Its commands as one bash script (none here; test/unit/build-records.test.ts runs some).
      expect(script).toBe('set -eo pipefail\n');
    }
  });
});
