import { parseDuration } from './duration.js';
import { InputError } from './errors.js';

/** Reads one raw input value; `core.getInput` in actions, a map in tests. */
export type InputSource = (name: string) => string;

export interface IntegerRule {
  min?: number;
  max?: number;
}

export interface DurationRule {
  minMs?: number;
  maxMs?: number;
}

const TRUE_FALSE = 'must be true or false';

/**
 * Typed readers over a raw input source. An empty value means "not given": readers
 * return `undefined` (or the fallback), so the defaults in action.yml and in code agree
 * even when a workflow passes an empty string explicitly.
 */
export class Inputs {
  /**
   * @param defaults the action.yml defaults, applied when a value is empty; a unit test
   *   keeps each action's table equal to its action.yml.
   */
  constructor(
    private readonly source: InputSource,
    private readonly mask: (secret: string) => void = () => {},
    private readonly defaults: Readonly<Record<string, string>> = {},
  ) {}

  /** The value or its default, any number of lines (lists, YAML, keys). */
  private value(name: string): string {
    const value = this.source(name).trim();
    return value === '' ? (this.defaults[name] ?? '') : value;
  }

  /**
   * A single-line value or its default. A line break or control character is refused: in
   * a value meant as one word it can only smuggle a second argument or header line.
   */
  raw(name: string): string {
    const value = this.value(name);
    if (hasControlCharacter(value)) {
      throw new InputError(name, 'must be a single line with no control characters');
    }
    return value;
  }

  string(name: string): string | undefined {
    const value = this.raw(name);
    return value === '' ? undefined : value;
  }

  /** Text that may span lines (a YAML document, a PEM key, a commit message). */
  text(name: string): string | undefined {
    const value = this.value(name);
    return value === '' ? undefined : value;
  }

  required(name: string): string {
    const value = this.string(name);
    if (value === undefined) throw new InputError(name, 'is required');
    return value;
  }

  /** Masks a secret found inside an input (a header value, a URL password). */
  maskValue(secret: string): void {
    this.mask(secret);
  }

  /**
   * Reads a secret and masks it before anything else can log it, every line of it too (the
   * runner masks line by line). One-line secrets (tokens, passwords) refuse line breaks,
   * which would otherwise smuggle a header or argument.
   */
  secret(name: string, options: { multiline?: boolean } = {}): string | undefined {
    const value = this.value(name);
    if (value === '') return undefined;
    this.mask(value);
    const lines = value.split(/\r?\n/).map((line) => line.trim());
    if (lines.length > 1) for (const line of lines) if (line.length >= 4) this.mask(line);
    if (!options.multiline && hasControlCharacter(value)) {
      throw new InputError(name, 'must be a single line with no control characters');
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === '') return fallback;
    if (value === 'true') return true;
    if (value === 'false') return false;
    throw new InputError(name, `${TRUE_FALSE}; got "${value}"`);
  }

  integer(name: string, rule: IntegerRule = {}): number | undefined {
    const value = this.raw(name);
    if (value === '') return undefined;
    return parseInteger(name, value, rule);
  }

  /** Milliseconds. */
  duration(name: string, rule: DurationRule = {}): number | undefined {
    const value = this.raw(name);
    if (value === '') return undefined;
    const ms = parseDuration(value);
    if (ms === undefined) {
      throw new InputError(name, `must be a duration such as 90s, 5m, 1m30s, 500ms or plain seconds; got "${value}"`);
    }
    if (rule.minMs !== undefined && ms < rule.minMs) {
      throw new InputError(name, `must be at least ${rule.minMs}ms; got "${value}"`);
    }
    if (rule.maxMs !== undefined && ms > rule.maxMs) {
      throw new InputError(name, `must be at most ${rule.maxMs}ms; got "${value}"`);
    }
    return ms;
  }

  /** Items separated by newlines or commas, trimmed, empties dropped. */
  list(name: string): string[] {
    return splitList(this.value(name));
  }

  /** Items separated by newlines only (values may contain commas). */
  lines(name: string): string[] {
    return splitLines(this.value(name));
  }

  /** `key=value` items, newline or comma separated; the first `=` splits. */
  keyValues(name: string, options: { separator?: string; newlineOnly?: boolean } = {}): [string, string][] {
    const separator = options.separator ?? '=';
    const items = options.newlineOnly ? this.lines(name) : this.list(name);
    return items.map((item) => {
      const at = item.indexOf(separator);
      const key = at > 0 ? item.slice(0, at).trim() : '';
      if (key === '') throw new InputError(name, `must be a list of key${separator}value items; got "${item}"`);
      return [key, item.slice(at + separator.length).trim()];
    });
  }

  choice<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === '') return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    throw new InputError(name, `must be one of ${allowed.join(', ')}; got "${value}"`);
  }

  /** The origin of an https URL with no credentials in it (an Entra authority, an ARM endpoint). */
  httpsOrigin(name: string): string {
    const url = this.url(name);
    if (url === undefined || url.protocol !== 'https:') throw new InputError(name, 'must be an https:// URL');
    if (url.username || url.password) throw new InputError(name, 'must not hold credentials');
    return url.origin;
  }

  /** http(s) URLs, newline or comma separated. */
  urls(name: string): URL[] {
    return this.list(name).map((item) => this.maskedUrl(name, item));
  }

  url(name: string): URL | undefined {
    const value = this.string(name);
    return value === undefined ? undefined : this.maskedUrl(name, value);
  }

  /**
   * A URL's user name is masked as well as its password: `https://TOKEN@host/` is the usual
   * way to put a token in a git URL, and a user name alone is often that token.
   */
  maskedUrl(name: string, value: string): URL {
    const url = parseHttpUrl(name, value);
    for (const part of [url.username, url.password]) {
      if (!part) continue;
      this.maskValue(part);
      this.maskValue(safeDecode(part));
    }
    return url;
  }
}

/** A line break, NUL or other C0 control character, or DEL: never in a one-line value. */
export function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

export function splitLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

export function splitList(text: string): string[] {
  return splitLines(text.replaceAll(',', '\n'));
}

export function parseInteger(name: string, value: string, rule: IntegerRule = {}): number {
  const range = describeRange(rule);
  if (!/^[+-]?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InputError(name, `must be a whole number${range}; got "${value}"`);
  }
  const number = Number(value);
  if ((rule.min !== undefined && number < rule.min) || (rule.max !== undefined && number > rule.max)) {
    throw new InputError(name, `must be a whole number${range}; got "${value}"`);
  }
  return number;
}

function describeRange(rule: IntegerRule): string {
  if (rule.min !== undefined && rule.max !== undefined) return ` from ${rule.min} to ${rule.max}`;
  if (rule.min !== undefined) return ` of at least ${rule.min}`;
  if (rule.max !== undefined) return ` of at most ${rule.max}`;
  return '';
}

/** https, or plain http on 127.0.0.1 only (where nothing crosses a network): for URLs that get a credential. */
export function isSecureOrLoopback(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && url.hostname === '127.0.0.1');
}

export function parseHttpUrl(name: string, value: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    throw new InputError(name, `must be an http:// or https:// URL; got "${redactUserinfo(value)}"`);
  }
  // The URL parser keeps a bad % escape as it is; the request would fail later with
  // Node's "URI malformed". Say it now, naming the input.
  try {
    decodeURIComponent(url.pathname + url.search + url.username + url.password);
  } catch {
    throw new InputError(name, `has a bad % escape (a % must be followed by two hex digits); got "${redactUserinfo(value)}"`);
  }
  return url;
}

/** decodeURIComponent that leaves a malformed escape as it is. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Hides `user:password@` so that an error about a URL never echoes a credential. */
export function redactUserinfo(text: string): string {
  return text.replace(/(\/\/)[^/@\s]*@/g, '$1***@');
}

/** How a URL is shown in reasons, logs and summaries: never with its user name or password. */
export function displayUrl(url: URL): string {
  if (!url.username && !url.password) return url.href;
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}
