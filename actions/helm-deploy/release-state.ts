import { deployedRevision, type HistoryEntry, isGood, parseHistory } from './history.js';
import { type HelmCli, HelmError } from './helm-cli.js';

/** The release's history, or [] when it does not exist yet. */
export async function readHistory(helm: HelmCli, release: string): Promise<HistoryEntry[]> {
  const result = await helm.run(['history'], ['-o', 'json'], [release]);
  if (result.code !== 0) {
    // Helm's own words for a release that does not exist, and only those: a kubeconfig,
    // credential or connection error ("...: not found" too, at times) is a failure.
    if (/^Error: release: not found\s*$/m.test(result.stderr)) return [];
    throw new HelmError('history', result);
  }
  try {
    return parseHistory(JSON.parse(result.stdout));
  } catch {
    throw new Error('helm history -o json printed no JSON');
  }
}

/** The manifest of one revision, '' when Helm has none for it. */
export async function readManifest(helm: HelmCli, release: string, revision: number): Promise<string> {
  const result = await helm.run(['get', 'manifest'], ['--revision', String(revision)], [release]);
  return result.code === 0 ? result.stdout : '';
}

/** The values given to one revision (`helm get values -o json`), as text; undefined when Helm has none. */
export async function readValues(helm: HelmCli, release: string, revision: number): Promise<string | undefined> {
  const result = await helm.run(['get', 'values'], ['--revision', String(revision), '-o', 'json'], [release]);
  if (result.code !== 0) throw new HelmError('get values', result);
  try {
    return JSON.stringify(JSON.parse(result.stdout || 'null'));
  } catch {
    return result.stdout.trim();
  }
}

/**
 * `revision: previous`: the newest good revision before the deployed one whose chart or
 * values differ from it. After `7 deployed "Rollback to 5"`, revision 5 is what runs: going
 * back to it would change nothing, so the target is the good one before it.
 */
export async function previousDifferent(
  helm: HelmCli,
  release: string,
  history: readonly HistoryEntry[],
): Promise<HistoryEntry | undefined> {
  const live = deployedRevision(history) ?? history.at(-1);
  if (live === undefined) return undefined;
  const liveValues = await readValues(helm, release, live.revision);
  const candidates = history.filter((entry) => entry.revision < live.revision && isGood(entry)).reverse();
  for (const entry of candidates) {
    if (entry.chart !== live.chart) return entry;
    if ((await readValues(helm, release, entry.revision)) !== liveValues) return entry;
  }
  return undefined;
}
