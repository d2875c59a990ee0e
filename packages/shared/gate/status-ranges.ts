import { InputError } from '../errors.js';

export interface StatusRange {
  from: number;
  to: number;
}

/** `200`, `200-299`, `2xx`, comma separated; every code must be a real HTTP status (100-599). */
export function parseStatusRanges(input: string, text: string): StatusRange[] {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new InputError(input, 'must list at least one status code or range');
  return items.map((item) => {
    const bad = () =>
      new InputError(
        input,
        `must be a comma list of HTTP status codes (100-599), ranges like 200-299, or classes like 2xx; got "${item}"`,
      );
    const klass = /^([1-5])xx$/i.exec(item);
    if (klass) return { from: Number(klass[1]) * 100, to: Number(klass[1]) * 100 + 99 };
    const match = /^(\d{3})(?:\s*-\s*(\d{3}))?$/.exec(item);
    if (!match) throw bad();
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (from < 100 || to > 599 || from > to) throw bad();
    return { from, to };
  });
}

export function statusAllowed(ranges: readonly StatusRange[], status: number): boolean {
  return ranges.some((range) => status >= range.from && status <= range.to);
}

export function formatStatusRanges(ranges: readonly StatusRange[]): string {
  return ranges.map((range) => (range.from === range.to ? `${range.from}` : `${range.from}-${range.to}`)).join(',');
}
