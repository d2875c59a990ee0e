import { globList } from '../../packages/shared/glob.js';
import { PathIndex } from './path-index.js';
import { shellQuote } from '../../packages/shared/shell-quote.js';
import { COMMANDS } from './commands.js';
import type { Service, ServicesFile } from './services-file.js';

export interface Selection {
  service: Service;
  /** Why it is built: changed files, a dependency, a shared path, or forced. */
  reasons: string[];
}

function describeFiles(files: readonly string[]): string {
  const shown = files.slice(0, 3).join(', ');
  return files.length > 3 ? `${shown} (+${files.length - 3} more)` : shown;
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
    // `ignore` goes after every include: an ignored file selects nothing, shared or not.
    const ignored = globList(file.ignore);
    const considered = changed.filter((path) => !ignored(path));
    const ignoredBy = new Map(file.services.map((service) => [service.name, globList(service.ignore)]));
    const isShared = globList(file.shared);
    const sharedHits = considered.filter((path) => isShared(path));
    for (const service of file.services) {
      const own = sharedHits.filter((path) => !ignoredBy.get(service.name)?.(path));
      if (own.length > 0) add(service.name, `shared path: ${describeFiles(own)}`);
    }
    // Each file is matched only against the services and watch globs filed under its own
    // folders (path-index.ts); the hits keep the order of the changed files.
    const index = new PathIndex<string>();
    for (const service of file.services) {
      index.addPath(service.path, service.name);
      index.addGlobs(service.watch, service.name);
    }
    const hits = new Map<string, string[]>();
    for (const path of considered) {
      for (const name of index.match(path)) {
        if (ignoredBy.get(name)?.(path)) continue;
        const list = hits.get(name);
        if (list) list.push(path);
        else hits.set(name, [path]);
      }
    }
    for (const service of file.services) {
      const own = hits.get(service.name);
      if (own) add(service.name, `changed: ${describeFiles(own)}`);
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

/**
 * The services' commands as one bash script, so a workflow runs them with one `run:` line
 * and no interpreter of its own: each service in turn, in its folder, install, lint, test,
 * build, each in a log group; the first failure ends it. The commands are the services
 * file's own shell lines (as the file's author wrote them); the folder is quoted, and
 * service names and steps are build-matrix's checked names.
 */
export function commandScript(entries: readonly Record<string, string>[]): string {
  const lines = ['set -eo pipefail'];
  for (const entry of entries) {
    for (const step of COMMANDS) {
      const command = entry[step];
      if (!command) continue;
      lines.push(
        `echo '::group::${entry.service ?? ''}: ${step}'`,
        '(',
        `cd -- ${shellQuote(entry.path ?? '.')}`,
        command,
        ')',
        "echo '::endgroup::'",
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** GitHub refuses a matrix of more than 256 jobs. */
export const MAX_MATRIX_JOBS = 256;

/**
 * The matrix's entries: one per service, or, when there are more services than `maxJobs`,
 * batches that a build job builds in turn. Batches group services of one toolchain (so one
 * set-up step serves the whole batch), as few and as even as `maxJobs` allows. Every entry
 * carries `batch`, the JSON list of its services' entries, so a workflow has one way to
 * build any entry.
 */
export function matrixEntries(
  file: ServicesFile,
  services: readonly Service[],
  maxJobs = MAX_MATRIX_JOBS,
): Record<string, string>[] {
  const entries = services.map((service) => matrixEntry(file, service));
  if (entries.length <= maxJobs)
    return entries.map((entry) => ({ ...entry, batch: JSON.stringify([entry]), script: commandScript([entry]) }));
  const groups = new Map<string, Record<string, string>[]>();
  for (const entry of entries) groups.set(entry.toolchain ?? '', [...(groups.get(entry.toolchain ?? '') ?? []), entry]);
  // The smallest batch size whose batches fit; mixed toolchains only if the groups alone do not.
  const lists = groups.size <= maxJobs ? [...groups.values()] : [entries];
  let size = Math.ceil(entries.length / maxJobs);
  while (lists.reduce((sum, list) => sum + Math.ceil(list.length / size), 0) > maxJobs) size += 1;
  const batches = lists.flatMap((list) =>
    Array.from({ length: Math.ceil(list.length / size) }, (_, index) => list.slice(index * size, (index + 1) * size)),
  );
  const width = String(batches.length).length;
  return batches.map((batch, index) => {
    const first = batch[0] ?? {};
    return {
      service: `batch-${String(index + 1).padStart(width, '0')}`,
      services: batch.map((entry) => entry.service).join(' '),
      registry: first.registry ?? '',
      toolchain: first.toolchain ?? '',
      'toolchain-name': first['toolchain-name'] ?? '',
      'toolchain-version': first['toolchain-version'] ?? '',
      batch: JSON.stringify(batch),
      script: commandScript(batch),
    };
  });
}
