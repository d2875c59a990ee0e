// build-matrix at monorepo scale: the whole bundled action from a depth-1 clone of a real git
// repository (300 services with 20,000 changed files; 1,000 with 100,000), and the same
// selection by the straightforward matching (every file on every rule) as the oracle.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseServicesFile } from '../../actions/build-matrix/services-file.js';
import { straightforward } from '../support/build-matrix-oracle.js';
import { TestRepo } from '../support/git-repo.js';
import { runAction, succeeded } from '../support/run-action.js';
import { record } from './results.js';

function servicesFile(count: number): string {
  const lines = ['registry: acr.example.io', 'repository-prefix: bench', 'services:'];
  for (let index = 0; index < count; index++) {
    lines.push(`  svc${index}:`, `    path: services/svc${index}`);
    const watch = [...(index % 7 === 0 ? [`"libs/lib${index % 40}/**"`] : []), ...(index % 50 === 0 ? ['"**/*.proto"'] : [])];
    if (watch.length > 0) lines.push(`    watch: [${watch.join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
}

describe('bench: build-matrix at scale', () => {
  for (const [services, files] of [
    [300, 20_000],
    [1000, 100_000],
  ] as const) {
    it(`${services} services, ${files} changed files`, async () => {
      const repo = new TestRepo();
      try {
        const seed: Record<string, string> = { '.github/deploy-services.yml': servicesFile(services) };
        for (let index = 0; index < services; index++) seed[`services/svc${index}/Dockerfile`] = 'FROM scratch\n';
        const before = repo.commit(seed, 'seed');
        const change: Record<string, string> = {};
        // Most services untouched, a quarter of them changed, and a mass change under libs/.
        for (let index = 0; index < files; index++) {
          const path =
            index % 5 === 0
              ? `libs/lib${index % 50}/src/f${index}.ts`
              : `services/svc${(index * 4) % services}/src/${index % 3 === 0 ? 'api.proto.d' : 'main'}/f${index}.${index % 11 === 0 ? 'proto' : 'ts'}`;
          change[path] = `${index}\n`;
        }
        const after = repo.commit(change, 'mass change');
        repo.push();
        const checkout = repo.shallowCheckout('main');
        const started = performance.now();
        const result = succeeded(
          await runAction(
            'build-matrix',
            { 'max-jobs': '256' },
            {
              cwd: checkout,
              event: { name: 'push', payload: { ref: 'refs/heads/main', before, after, repository: { default_branch: 'main' } } },
              env: { GITHUB_SHA: after },
              timeoutMs: 240_000,
            },
          ),
        );
        const seconds = (performance.now() - started) / 1000;
        // The oracle on the same inputs.
        const parsed = parseServicesFile('services', readFileSync(join(checkout, '.github', 'deploy-services.yml'), 'utf8'));
        const changed = Object.keys(change).sort();
        const oracleStarted = performance.now();
        const expected = straightforward(parsed, changed);
        const oracleSeconds = (performance.now() - oracleStarted) / 1000;
        const selected = JSON.parse(result.outputs.services ?? '[]') as string[];
        expect([...selected].sort()).toEqual([...expected.keys()].sort());
        record('matrix', [services, files, selected.length, seconds.toFixed(2), oracleSeconds.toFixed(2)]);
      } finally {
        repo.cleanup();
      }
    });
  }
});
