import picomatch from 'picomatch';
import type { Service, ServicesFile } from './services-file.js';

export interface Selection {
  service: Service;
  /** Why it is built: changed files, a dependency, a shared path, or forced. */
  reasons: string[];
}

const GLOB_OPTIONS = { dot: true } as const;

function describeFiles(files: readonly string[]): string {
  const shown = files.slice(0, 3).join(', ');
  return files.length > 3 ? `${shown} (+${files.length - 3} more)` : shown;
}

function underPath(path: string): (file: string) => boolean {
  if (path === '.') return () => true;
  return (file) => file === path || file.startsWith(`${path}/`);
}

/**
 * Chooses the services to build from the changed files (or all of them), then adds every
 * service that depends, directly or not, on one chosen.
 */
export function selectServices(file: ServicesFile, changed: readonly string[] | { all: string }): Selection[] {
  const reasons = new Map<string, string[]>(file.services.map((service) => [service.name, []]));
  const add = (name: string, reason: string) => reasons.get(name)?.push(reason);

  if ('all' in changed) {
    for (const service of file.services) add(service.name, `forced: ${changed.all}`);
  } else {
    const isShared = picomatch(file.shared.length > 0 ? file.shared : ['\0never'], GLOB_OPTIONS);
    const sharedHits = changed.filter((path) => isShared(path));
    if (sharedHits.length > 0) {
      for (const service of file.services) add(service.name, `shared path: ${describeFiles(sharedHits)}`);
    }
    for (const service of file.services) {
      const inside = underPath(service.path);
      const watched = service.watch.length > 0 ? picomatch(service.watch, GLOB_OPTIONS) : () => false;
      const hits = changed.filter((path) => inside(path) || watched(path));
      if (hits.length > 0) add(service.name, `changed: ${describeFiles(hits)}`);
    }
  }

  // Propagate along depends-on until nothing changes; the file has no cycles (checked on parse).
  for (let grew = true; grew;) {
    grew = false;
    for (const service of file.services) {
      const own = reasons.get(service.name) ?? [];
      for (const dependency of service.dependsOn) {
        const note = `depends on ${dependency}`;
        if ((reasons.get(dependency)?.length ?? 0) > 0 && !own.includes(note)) {
          own.push(note);
          grew = true;
        }
      }
    }
  }
  return file.services
    .filter((service) => (reasons.get(service.name)?.length ?? 0) > 0)
    .map((service) => ({ service, reasons: reasons.get(service.name) ?? [] }));
}

export function repositoryName(file: ServicesFile, service: Service): string {
  return [file.repositoryPrefix, service.name].filter((part) => part !== '').join('/');
}

export function imageName(file: ServicesFile, service: Service): string {
  return `${file.registry}/${repositoryName(file, service)}`;
}

/** One `strategy.matrix.include` entry: every field a build job needs, commands as strings. */
export function matrixEntry(file: ServicesFile, service: Service): Record<string, string> {
  return {
    service: service.name,
    path: service.path,
    context: service.context,
    dockerfile: service.dockerfile,
    image: imageName(file, service),
    registry: file.registry,
    repository: repositoryName(file, service),
    toolchain: service.toolchain.spec,
    'toolchain-name': service.toolchain.name,
    'toolchain-version': service.toolchain.version,
    ...service.commands,
  };
}
