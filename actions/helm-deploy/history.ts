/** One entry of `helm history -o json` (pkg/cmd/history.go's releaseInfo). */
export interface HistoryEntry {
  revision: number;
  updated: string;
  status: string;
  chart: string;
  app_version: string;
  description: string;
}

export const PENDING = ['pending-install', 'pending-upgrade', 'pending-rollback'] as const;
export type PendingStatus = (typeof PENDING)[number];

/** Statuses a rollback may go back to: a release that ran, never a failed one. */
const GOOD = new Set(['deployed', 'superseded']);

const text = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');

export function parseHistory(json: unknown): HistoryEntry[] {
  if (!Array.isArray(json)) throw new Error('helm history -o json printed no list');
  return json
    .map((item: Record<string, unknown>) => ({
      revision: Number(item.revision),
      updated: text(item.updated),
      status: text(item.status),
      chart: text(item.chart),
      app_version: text(item.app_version),
      description: text(item.description),
    }))
    .filter((entry) => Number.isInteger(entry.revision) && entry.revision > 0)
    .sort((a, b) => a.revision - b.revision);
}

export const current = (history: readonly HistoryEntry[]): HistoryEntry | undefined => history.at(-1);

/** The revision that is live: the newest `deployed` one. */
export function deployedRevision(history: readonly HistoryEntry[]): HistoryEntry | undefined {
  return history.findLast((entry) => entry.status === 'deployed');
}

/**
 * `revision: previous`: the newest revision before the current (the last) one that was
 * deployed or superseded. A failed or pending revision is never a target.
 */
export function previousGood(history: readonly HistoryEntry[]): HistoryEntry | undefined {
  return history.slice(0, -1).findLast((entry) => GOOD.has(entry.status));
}

export const isGood = (entry: HistoryEntry): boolean => GOOD.has(entry.status);

/** The newest good revision at all: what a stuck upgrade or rollback goes back to. */
export function lastGood(history: readonly HistoryEntry[]): HistoryEntry | undefined {
  return history.findLast((entry) => GOOD.has(entry.status));
}

/** The last revision when it is pending (a run in progress, or one that was killed). */
export function pendingRevision(history: readonly HistoryEntry[]): (HistoryEntry & { status: PendingStatus }) | undefined {
  const last = current(history);
  return last && (PENDING as readonly string[]).includes(last.status)
    ? (last as HistoryEntry & { status: PendingStatus })
    : undefined;
}

/** Milliseconds since Helm last touched the revision; Infinity when it cannot tell. */
export function ageMs(entry: HistoryEntry, now: number): number {
  const at = Date.parse(entry.updated);
  return Number.isNaN(at) ? Number.POSITIVE_INFINITY : Math.max(0, now - at);
}
