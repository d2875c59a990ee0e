import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parseAllDocuments,
  type Scalar,
  stringify,
  visit,
  type YAMLMap,
} from 'yaml';
import { type ImageSpec, referenceFor, splitReference } from './image-spec.js';

/** Replace source[start, end) by text. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
  /** For the summary and errors: file-independent description, e.g. `frontend.image.tag`. */
  where: string;
}

export class EditError extends Error {
  override readonly name = 'EditError';
}

function parse(source: string, label: string): Document.Parsed[] {
  const documents = parseAllDocuments(source);
  if (!Array.isArray(documents)) return [];
  for (const document of documents) {
    const error = document.errors[0];
    if (error) throw new EditError(`${label} is not valid YAML: ${error.message.split('\n')[0] ?? ''}`);
  }
  return documents;
}

/**
 * The text a scalar's new value is written as: its own quoting style. A plain scalar stays
 * plain unless that would change the value's type: an image tag is a string, so `1.21`
 * is written `"1.21"`; with `keepType`, a number stays a number (`replicaCount: 3`).
 */
export function renderScalar(node: Scalar, value: string, inFlow: boolean, keepType = false): string {
  switch (node.type) {
    case 'QUOTE_DOUBLE':
      return JSON.stringify(value);
    case 'QUOTE_SINGLE':
      return `'${value.replaceAll("'", "''")}'`;
    case 'BLOCK_FOLDED':
    case 'BLOCK_LITERAL':
      throw new EditError('a block scalar (| or >) cannot be edited in place');
    default: {
      if (keepType && typeof node.value !== 'string' && typeof parseScalar(value) === typeof node.value) return value;
      const plain = stringify(value).trimEnd() === value;
      const flowSafe = !inFlow || !/[,[\]{}]/.test(value);
      return plain && flowSafe ? value : JSON.stringify(value);
    }
  }
}

function parseScalar(text: string): unknown {
  try {
    return parseAllDocuments(text)[0]?.toJS() as unknown;
  } catch {
    return undefined;
  }
}

/** Plans replacing one scalar's value; no edit when it already holds that value. */
function scalarEdit(source: string, node: Scalar, value: string, where: string, keepType = false): TextEdit | undefined {
  if (typeof node.value === 'string' && node.value === value) return undefined;
  if (keepType && typeof node.value !== 'string' && String(node.value) === value) return undefined;
  const [start, end] = node.range ?? [0, 0];
  const inFlow = isInFlow(source, start);
  return { start, end, text: renderScalar(node, value, inFlow, keepType), where };
}

/** Whether an offset lies inside a flow collection ([...] or {...}) on its line or an enclosing one. */
function isInFlow(source: string, offset: number): boolean {
  let depth = 0;
  for (let index = offset - 1; index >= 0; index--) {
    const char = source[index];
    if (char === ']' || char === '}') depth += 1;
    else if (char === '[' || char === '{') {
      if (depth === 0) return true;
      depth -= 1;
    } else if ((char === '\n' || char === '\r') && depth === 0) {
      // A flow collection may span lines; only an unindented new line ends the search.
      const next = source[index + 1];
      if (next !== ' ' && next !== '\t') return false;
    }
  }
  return false;
}

function get(map: YAMLMap, key: string): { value: unknown } | undefined {
  return map.items.find((pair) => isScalar(pair.key) && pair.key.value === key);
}

function scalarText(node: Scalar | undefined): string {
  return typeof node?.value === 'string' || typeof node?.value === 'number' ? String(node.value) : '';
}

function resolved(document: Document.Parsed, node: unknown): unknown {
  return isAlias(node) ? node.resolve(document) : node;
}

function stringScalar(document: Document.Parsed, node: unknown): Scalar | undefined {
  const target = resolved(document, node);
  return isScalar(target) && (typeof target.value === 'string' || typeof target.value === 'number') ? target : undefined;
}

const SETTER = /#\s*\{\s*"\$imagepolicy"\s*:\s*"([^"]+)"\s*\}/;

/** The Flux image-policy setter comment on the rest of a scalar's line, if any. */
function setterAfter(source: string, node: Scalar): string | undefined {
  const end = node.range?.[1] ?? 0;
  const lineEnd = source.slice(end).search(/\r?\n|$/);
  return SETTER.exec(source.slice(end, end + lineEnd))?.[1];
}

function lastSegment(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

export interface ImagePlan {
  edits: TextEdit[];
  /** Names of the images found in this file (edited or already current). */
  found: Set<string>;
}

/**
 * Finds every reference to the given images and plans the edits: Helm values
 * (`repository:` with `tag:`/`digest:`, optional `registry:`), `image: repo:tag` strings,
 * kustomization `images:` entries (`newTag`/`digest`), and Flux setter comments
 * (`{"$imagepolicy": "ns:name"}` on a full reference, `ns:name:tag` on a tag).
 */
export function planImageEdits(source: string, images: readonly ImageSpec[], label: string): ImagePlan {
  const byName = new Map(images.map((image) => [image.name, image]));
  const byLastSegment = new Map(images.map((image) => [lastSegment(image.name), image]));
  const edits = new Map<number, TextEdit>();
  const found = new Set<string>();
  const add = (edit: TextEdit | undefined) => {
    if (edit) edits.set(edit.start, edit);
  };
  const where = (path: readonly unknown[]) =>
    path
      .filter((node) => isMap(node) || isSeq(node) || (node as { key?: unknown }).key !== undefined)
      .map((node) => {
        const key = (node as { key?: unknown }).key;
        return isScalar(key) ? String(key.value) : '';
      })
      .filter(Boolean)
      .join('.');

  for (const document of parse(source, label)) {
    visit(document, {
      Map(_, map, path) {
        const at = where(path);
        // Helm values: repository (+ registry) with tag or digest.
        const repository = stringScalar(document, get(map, 'repository')?.value);
        if (repository && typeof repository.value === 'string') {
          const registry = stringScalar(document, get(map, 'registry')?.value);
          const fullName = registry ? `${String(registry.value)}/${repository.value}` : repository.value;
          const image = byName.get(fullName) ?? byName.get(splitReference(fullName).name);
          if (image && (get(map, 'tag') || get(map, 'digest'))) {
            found.add(image.name);
            const field = image.digest !== undefined ? 'digest' : 'tag';
            const node = stringScalar(document, get(map, field)?.value);
            if (!node) throw new EditError(`${label}: ${at || 'values'} has no ${field} to set for ${image.name}`);
            add(scalarEdit(source, node, image.digest ?? image.tag ?? '', `${at}.${field}`.replace(/^\./, '')));
          }
        }
        // Kustomization images: entries with name / newName and newTag / digest.
        const entries = resolved(document, get(map, 'images')?.value);
        if (isSeq(entries)) {
          for (const entry of entries.items) {
            if (!isMap(entry)) continue;
            const name = stringScalar(document, get(entry, 'name')?.value);
            const newName = stringScalar(document, get(entry, 'newName')?.value);
            const image = byName.get(scalarText(newName)) ?? byName.get(scalarText(name));
            if (!image) continue;
            found.add(image.name);
            const field = image.digest !== undefined ? 'digest' : 'newTag';
            const node = stringScalar(document, get(entry, field)?.value);
            if (!node) throw new EditError(`${label}: the images entry for ${image.name} has no ${field} to set`);
            add(scalarEdit(source, node, image.digest ?? image.tag ?? '', `images[${scalarText(name)}].${field}`));
          }
        }
      },
      Scalar(key, node, path) {
        if (key === 'key' || typeof node.value !== 'string') return;
        const setter = setterAfter(source, node);
        const parent = path.at(-1) as { key?: unknown } | undefined;
        const isImageKey = isScalar(parent?.key) && parent.key.value === 'image';
        // Flux `:tag` setters name a policy; it is matched to the image with that last path segment.
        if (setter !== undefined && setter.split(':').length === 3) {
          const [, policy, part] = setter.split(':');
          const image = byLastSegment.get(policy ?? '');
          if (image && part === 'tag' && image.tag !== undefined) {
            found.add(image.name);
            add(scalarEdit(source, node, image.tag, `${where(path)} (setter ${setter})`));
          }
          return;
        }
        if (!isImageKey && setter === undefined) return;
        const reference = splitReference(node.value);
        if (reference.tag === undefined && reference.digest === undefined) return;
        const image = byName.get(reference.name);
        if (!image) return;
        found.add(image.name);
        add(scalarEdit(source, node, referenceFor(image), where(path)));
      },
    });
  }
  return { edits: [...edits.values()].sort((a, b) => a.start - b.start), found };
}

/** An explicit `dot.path=value` edit of an existing scalar (array items by index). */
export function planSetEdit(source: string, dotPath: string, value: string, label: string): TextEdit {
  const segments = dotPath.split('.');
  for (const document of parse(source, label)) {
    let node: unknown = document.contents;
    for (const segment of segments) {
      node = resolved(document, node);
      if (isMap(node)) node = get(node, segment)?.value;
      else if (isSeq(node) && /^\d+$/.test(segment)) node = node.items[Number(segment)];
      else {
        node = undefined;
        break;
      }
    }
    const target = resolved(document, node);
    if (target === undefined || target === null) continue;
    if (!isScalar(target)) throw new EditError(`${label}: ${dotPath} is not a scalar value`);
    return scalarEdit(source, target, value, dotPath, true) ?? { start: 0, end: 0, text: '', where: dotPath };
  }
  throw new EditError(`${label}: ${dotPath} does not exist (set edits existing values only)`);
}

/** Applies non-overlapping edits from the end, so earlier offsets stay valid. */
export function applyEdits(source: string, edits: readonly TextEdit[]): string {
  let result = source;
  const ordered = [...edits].filter((edit) => edit.end > edit.start).sort((a, b) => b.start - a.start);
  for (let index = 0; index < ordered.length; index++) {
    const edit = ordered[index] as TextEdit;
    const next = ordered[index - 1];
    if (next && edit.end > next.start) throw new EditError(`edits of ${edit.where} and ${next.where} overlap`);
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  }
  return result;
}
