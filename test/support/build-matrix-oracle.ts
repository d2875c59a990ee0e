// build-matrix's matching as it was before the path index: every changed file tried on every
// service's path and watch globs. The oracle the index is checked against (unit test, bench).
import picomatch from 'picomatch';
import type { ServicesFile } from '../../actions/build-matrix/services-file.js';

/** Each service with changed files it owns or watches, the files in their changed order. */
export function straightforward(file: ServicesFile, changed: readonly string[]): Map<string, string[]> {
  const hits = new Map<string, string[]>();
  for (const service of file.services) {
    const inside = (path: string) => service.path === '.' || path === service.path || path.startsWith(`${service.path}/`);
    const watched = service.watch.length > 0 ? picomatch(service.watch, { dot: true }) : () => false;
    const own = changed.filter((path) => inside(path) || watched(path));
    if (own.length > 0) hits.set(service.name, own);
  }
  return hits;
}
