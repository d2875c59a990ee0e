// build-matrix's indexed matching (actions/build-matrix/path-index.ts) against the
// straightforward rule it replaces: every file tried on every service's path and globs.
import { describe, expect, it } from 'vitest';
import { selectServices } from '../../actions/build-matrix/select.js';
import type { Service, ServicesFile } from '../../actions/build-matrix/services-file.js';
import { straightforward } from '../support/build-matrix-oracle.js';

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function service(name: string, path: string, watch: string[] = [], ignore: string[] = []): Service {
  return {
    name,
    path,
    context: path,
    dockerfile: `${path}/Dockerfile`,
    toolchain: 'none' as unknown as Service['toolchain'],
    commands: {} as Service['commands'],
    watch,
    ignore,
    dependsOn: [],
  };
}

function monorepo(services: number, files: number, seed: number): { file: ServicesFile; changed: string[] } {
  const next = random(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T;
  const areas = ['apps', 'services', 'libs', 'tools'];
  const list: Service[] = [];
  for (let index = 0; index < services; index++) {
    const area = pick(areas);
    const watch = [
      ...(next() < 0.3 ? [`libs/lib${Math.floor(next() * 50)}/**`] : []),
      ...(next() < 0.05 ? ['**/*.proto'] : []),
      ...(next() < 0.05 ? [`${area}/svc${index}/{a,b}/*.json`] : []),
      ...(next() < 0.02 ? ['!**/*.md'] : []),
      ...(next() < 0.05 ? ['docker-compose.yml'] : []),
    ];
    const ignore = next() < 0.05 ? ['**/*.md', `${area}/svc${index}/a/**`] : [];
    list.push(service(`svc${index}`, `${area}/svc${index}`, watch, ignore));
  }
  const extensions = ['ts', 'java', 'md', 'proto', 'json', 'yml'];
  const changed: string[] = [];
  for (let index = 0; index < files; index++) {
    const roll = next();
    const top =
      roll < 0.7
        ? `${pick(areas)}/svc${Math.floor(next() * services * 1.1)}`
        : roll < 0.85
          ? `libs/lib${Math.floor(next() * 60)}`
          : pick(['docs', '.github', 'scripts']);
    const depth = Math.floor(next() * 3);
    const dirs = Array.from({ length: depth }, () => pick(['a', 'b', 'src', 'main', '.hidden']));
    changed.push([top, ...dirs, `f${index}.${pick(extensions)}`].join('/'));
  }
  changed.push('docker-compose.yml', 'README.md');
  return {
    file: {
      registry: 'acr.example',
      repositoryPrefix: 'p',
      shared: [],
      ignore: ['docs/**', '**/*.yml', '!docker-compose.yml'],
      services: list,
    },
    changed,
  };
}

const selected = (file: ServicesFile, changed: string[]) =>
  new Map(selectServices(file, changed).map((selection) => [selection.service.name, selection.reasons]));

describe('build-matrix path index', () => {
  it('selects exactly what trying every rule on every file selects, with the same reasons', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const { file, changed } = monorepo(120, 3000, seed);
      file.services.push(service('root', '.'), service('exact', 'docs/guide.md'));
      const expected = straightforward(file, changed);
      const actual = selected(file, changed);
      expect([...actual.keys()].sort(), `seed ${seed}`).toEqual([...expected.keys()].sort());
      for (const [name, hits] of expected) {
        const shown = hits.slice(0, 3).join(', ');
        const reason = `changed: ${hits.length > 3 ? `${shown} (+${hits.length - 3} more)` : shown}`;
        expect(actual.get(name), `seed ${seed}, ${name}`).toEqual([reason]);
      }
    }
  });

  it('matches 1,000 services against 100,000 changed files in well under 2 s', () => {
    const { file, changed } = monorepo(1000, 100_000, 42);
    const started = performance.now();
    const result = selectServices(file, changed);
    const ms = performance.now() - started;
    console.log(`build-matrix selection: 1000 services x 100000 files in ${ms.toFixed(0)} ms (${result.length} selected)`);
    expect(result.length).toBeGreaterThan(500);
    expect(ms).toBeLessThan(2000);
  });
});
