/** What a redacted Secret value reads as in the diff. */
export const REDACTED = '(redacted)';

/**
 * The manifest with every `kind: Secret`'s `data` and `stringData` values replaced, so a
 * job summary (which the runner does not mask) never shows one. YAML is loaded here, on
 * the summary's path only.
 */
export async function redactManifest(manifest: string): Promise<string> {
  if (manifest.trim() === '') return '';
  const { parseAllDocuments } = await import('yaml');
  return parseAllDocuments(manifest)
    .map((doc) => {
      if ('errors' in doc && doc.errors.length > 0) return '# (a document that is not valid YAML was left out)\n';
      if (doc.get('kind') === 'Secret') {
        for (const field of ['data', 'stringData']) {
          const map = doc.get(field);
          if (map && typeof map === 'object' && 'items' in map) {
            for (const pair of (map as { items: { value: unknown }[] }).items) pair.value = doc.createNode(REDACTED);
          }
        }
      }
      return doc.toString();
    })
    .join('---\n');
}

/** Past this many lines on either side, the diff is not worked out (it is quadratic). */
const MAX_LINES = 4000;

/**
 * A unified diff (3 lines of context) between two manifests, worked out by longest common
 * subsequence. Empty when they are equal.
 */
export function unifiedDiff(before: string, after: string, labels: [string, string]): string {
  const a = before.split('\n');
  const b = after.split('\n');
  if (before === after) return '';
  if (a.length > MAX_LINES || b.length > MAX_LINES) {
    return `(the manifests have ${a.length} and ${b.length} lines, too many to diff here)`;
  }
  // lcs[i][j]: common lines of a[i..] and b[j..], in one flat array.
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * width + j + 1] ?? 0) + 1
          : Math.max(lcs[(i + 1) * width + j] ?? 0, lcs[i * width + j + 1] ?? 0);
    }
  }
  const ops: { kind: ' ' | '-' | '+'; line: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i] ?? '' });
      i++;
      j++;
    } else if (i < a.length && (j >= b.length || (lcs[(i + 1) * width + j] ?? 0) >= (lcs[i * width + j + 1] ?? 0))) {
      // Removals first, as diff prints them.
      ops.push({ kind: '-', line: a[i++] ?? '' });
    } else {
      ops.push({ kind: '+', line: b[j++] ?? '' });
    }
  }
  const out = [`--- ${labels[0]}`, `+++ ${labels[1]}`];
  const changed = ops.map((op, index) => (op.kind === ' ' ? -1 : index)).filter((index) => index >= 0);
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, (changed[k] ?? 0) - 3);
    let end = (changed[k] ?? 0) + 3;
    while (k + 1 < changed.length && (changed[k + 1] ?? 0) - 3 <= end + 1) end = (changed[++k] ?? 0) + 3;
    end = Math.min(ops.length - 1, end);
    const hunk = ops.slice(start, end + 1);
    const before = ops.slice(0, start);
    const count = (list: typeof ops, skip: string) => list.filter((op) => op.kind !== skip).length;
    out.push(`@@ -${count(before, '+') + 1},${count(hunk, '+')} +${count(before, '-') + 1},${count(hunk, '-')} @@`);
    for (const op of hunk) out.push(`${op.kind}${op.line}`);
    k++;
  }
  return out.join('\n');
}
