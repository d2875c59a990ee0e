import { type HistoryEntry, parseHistory } from './history.js';
import { type HelmCli, HelmError } from './helm-cli.js';

/** The release's history, or [] when it does not exist yet. */
export async function readHistory(helm: HelmCli, release: string): Promise<HistoryEntry[]> {
  const result = await helm.run(['history'], ['-o', 'json'], [release]);
  if (result.code !== 0) {
    if (/not found/i.test(result.stderr)) return [];
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
