const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
const UNIT_ORDER: readonly Unit[] = ['h', 'm', 's', 'ms'];

/**
 * Parses `90s`, `5m`, `1m30s`, `1h`, `250ms` or plain seconds (`30`, `0.5`) into milliseconds.
 * Units must appear at most once and from largest to smallest, so `30s1m` is rejected
 * rather than silently accepted.
 */
export function parseDuration(text: string): number | undefined {
  const value = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  if (value === '') return undefined;
  const parts = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$/.exec(value);
  if (!parts || parts.slice(1).every((part) => part === undefined)) return undefined;
  let total = 0;
  UNIT_ORDER.forEach((unit, index) => {
    const amount = parts[index + 1];
    if (amount !== undefined) total += Number(amount) * UNIT_MS[unit];
  });
  return Math.round(total);
}

/** Formats milliseconds the way the inputs are written: `1m30s`, `250ms`, `2h5m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let rest = Math.round(ms / 100) / 10; // tenths of a second are enough for humans
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  rest = Math.round((rest - minutes * 60) * 10) / 10;
  let text = '';
  if (hours) text += `${hours}h`;
  if (minutes) text += `${minutes}m`;
  if (rest || !text) text += `${rest}s`;
  return text;
}
