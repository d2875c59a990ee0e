import picomatch from 'picomatch';

/**
 * Finds which of many path rules a file meets without trying every rule on every file.
 * Each rule is filed under the literal folder it starts with (a service's path; a glob's
 * static base, `libs/ui` for `libs/ui/**`), and a file is tried only against the rules filed
 * under one of its own ancestors. A thousand services and a hundred thousand changed files
 * then cost about the files times their depth, not files times rules.
 */
export class PathIndex<T> {
  // Per folder, per rule text: one test, and every item that has that rule. A glob many
  // services share (`**/*.proto`) is then tried once per file, not once per service.
  private readonly rules = new Map<string, Map<string, { test: (file: string) => boolean; items: T[] }>>();

  /** Every file equal to `path` or under it (`.` is the whole tree). */
  addPath(path: string, item: T): void {
    this.file(path === '.' ? '' : path.replace(/\/+$/, ''), '', item, () => () => true);
  }

  /** Every file one of the globs matches (picomatch, with `options`). */
  addGlobs(patterns: readonly string[], item: T, options: picomatch.PicomatchOptions): void {
    for (const pattern of patterns) {
      const scan = picomatch.scan(pattern);
      // A negated pattern matches outside its base, and an escape makes the base unreliable:
      // such a rule is tried on every file.
      const base = scan.negated || scan.base.includes('\\') ? '' : scan.base.replace(/^\.\//, '');
      this.file(base, pattern, item, () => picomatch(pattern, options));
    }
  }

  /** The items whose rules the file meets, each once, in the order they were added per folder. */
  match(file: string): Set<T> {
    const found = new Set<T>();
    for (const folder of ancestors(file)) {
      const rules = this.rules.get(folder);
      if (!rules) continue;
      for (const rule of rules.values()) {
        if (rule.items.every((item) => found.has(item)) || !rule.test(file)) continue;
        for (const item of rule.items) found.add(item);
      }
    }
    return found;
  }

  /** Files the rule under `folder`, compiling its test only the first time that text is seen there. */
  private file(folder: string, text: string, item: T, compile: () => (file: string) => boolean): void {
    let rules = this.rules.get(folder);
    if (!rules) {
      rules = new Map();
      this.rules.set(folder, rules);
    }
    const rule = rules.get(text);
    if (rule) rule.items.push(item);
    else rules.set(text, { test: compile(), items: [item] });
  }
}

/** '', then each folder above the file, then the file itself: `a/b.ts` gives '', 'a', 'a/b.ts'. */
function ancestors(file: string): string[] {
  const list = [''];
  for (let slash = file.indexOf('/'); slash > 0; slash = file.indexOf('/', slash + 1)) list.push(file.slice(0, slash));
  list.push(file);
  return list;
}
