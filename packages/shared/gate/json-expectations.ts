import { InputError } from '../errors.js';
import { excerpt } from '../secrets.js';

export interface JsonExpectation {
  path: string;
  segments: string[];
  expected: string;
}

/** `build.sha=abc123` lines; array items by index (`items.0.name`). */
export function parseJsonExpectations(input: string, lines: readonly string[]): JsonExpectation[] {
  return lines.map((line) => {
    const at = line.indexOf('=');
    const path = at > 0 ? line.slice(0, at).trim() : '';
    const segments = path.split('.');
    if (path === '' || segments.some((segment) => segment === '')) {
      throw new InputError(input, `must be lines of path=value with a dot path such as build.sha=abc123; got "${line}"`);
    }
    return { path, segments, expected: line.slice(at + 1).trim() };
  });
}

const MISSING = Symbol('missing');

function lookup(document: unknown, segments: readonly string[]): unknown {
  let node: unknown = document;
  for (const segment of segments) {
    if (Array.isArray(node) && /^\d+$/.test(segment)) node = node[Number(segment)];
    else if (node !== null && typeof node === 'object' && Object.hasOwn(node, segment)) {
      node = (node as Record<string, unknown>)[segment];
    } else return MISSING;
    if (node === undefined) return MISSING;
  }
  return node;
}

/**
 * A string value is compared as text; any other value by its JSON form, so
 * `replicas=3`, `ready=true` and `error=null` all read naturally.
 */
function matches(actual: unknown, expected: string): boolean {
  if (typeof actual === 'string') return actual === expected || JSON.stringify(actual) === expected;
  return JSON.stringify(actual) === expected;
}

/** A value as the reason shows it: secrets redacted before the cut (see `excerpt`). */
function show(value: unknown): string {
  return excerpt(JSON.stringify(value) ?? String(value), 80);
}

/** Returns the first unmet expectation as a reason, or undefined when all hold. */
export function checkJson(body: string, expectations: readonly JsonExpectation[]): string | undefined {
  if (expectations.length === 0) return undefined;
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    return 'body is not JSON';
  }
  for (const expectation of expectations) {
    const actual = lookup(document, expectation.segments);
    if (actual === MISSING) return `${expectation.path} is missing`;
    if (!matches(actual, expectation.expected)) {
      const wanted = typeof actual === 'string' ? JSON.stringify(expectation.expected) : expectation.expected;
      return `${expectation.path} was ${show(actual)} not ${wanted}`;
    }
  }
  return undefined;
}
