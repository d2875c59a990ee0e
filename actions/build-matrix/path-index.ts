import { compileGlob, globBase, globList } from '../../packages/shared/glob.js';

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

  /**
   * Every file the list of globs selects (packages/shared/glob.ts). Without a `!` pattern, each
   * glob is filed under its own base. With one, the list is one rule (a `!` excludes what the
   * globs before it matched), filed under the folder all its plain globs share: only they
   * can select a file.
   */
  addGlobs(patterns: readonly string[], item: T): void {
    const plain = patterns.filter((pattern) => !pattern.startsWith('!'));
    if (plain.length === patterns.length) {
      for (const pattern of patterns) this.file(globBase(pattern), pattern, item, () => compileGlob(pattern));
      return;
    }
    if (plain.length === 0) return;
    this.file(commonFolder(plain.map(globBase)), `list:${patterns.join('\n')}`, item, () => globList(patterns));
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

/** The deepest folder every one of `folders` is in ('' when they share none). */
function commonFolder(folders: readonly string[]): string {
  const split = folders.map((folder) => (folder === '' ? [] : folder.split('/')));
  const common: string[] = [];
  for (let depth = 0; split.every((parts) => depth < parts.length && parts[depth] === split[0]?.[depth]); depth++)
    common.push(split[0]?.[depth] ?? '');
  return common.join('/');
}

/** '', then each folder above the file, then the file itself: `a/b.ts` gives '', 'a', 'a/b.ts'. */
function ancestors(file: string): string[] {
  const list = [''];
  for (let slash = file.indexOf('/'); slash > 0; slash = file.indexOf('/', slash + 1)) list.push(file.slice(0, slash));
  list.push(file);
  return list;
}
