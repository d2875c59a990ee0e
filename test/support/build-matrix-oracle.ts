// build-matrix's matching as it was before the path index: every changed file tried on every
// service's path and watch globs, each glob by picomatch (an independent matcher), read as a
// .gitignore list (the last glob that matches decides; `!` excludes), and `ignore` (top and
// per service) applied last. The oracle the index is checked against (unit test, bench).
import picomatch from 'picomatch';
import type { ServicesFile } from '../../actions/build-matrix/services-file.js';

/** Each service with changed files it owns or watches, the files in their changed order. */
export function straightforward(file: ServicesFile, changed: readonly string[]): Map<string, string[]> {
  const hits = new Map<string, string[]>();
  const ignoredEverywhere = gitignoreList(file.ignore);
  for (const service of file.services) {
    const inside = (path: string) => service.path === '.' || path === service.path || path.startsWith(`${service.path}/`);
    const watched = gitignoreList(service.watch);
    const ignored = gitignoreList(service.ignore);
    const own = changed.filter((path) => (inside(path) || watched(path)) && !ignored(path) && !ignoredEverywhere(path));
    if (own.length > 0) hits.set(service.name, own);
  }
  return hits;
}

function gitignoreList(patterns: readonly string[]): (path: string) => boolean {
  const rules = patterns.map((pattern) => ({
    exclude: pattern.startsWith('!'),
    test: picomatch(pattern.replace(/^!/, ''), { dot: true }),
  }));
  return (path) => {
    const last = rules.findLast((rule) => rule.test(path));
    return last !== undefined && !last.exclude;
  };
}
