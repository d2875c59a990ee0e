// `npm run bench` collects its figures here and prints them side by side at the end
// (test/bench/report.ts). Outside the bench (DEPLOY_ACTIONS_BENCH unset) recording does nothing,
// so the e2e tests can record their times in either run.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

export const RESULTS_FILE = join(import.meta.dirname, '..', '..', 'node_modules', '.cache', 'deploy-actions-bench.jsonl');

/** The sections, in the order they are printed. */
export const SECTIONS = {
  startup: {
    title: 'Startup: each bundle against the core-only bundle (medians of 10)',
    header: ['action', 'core-only ms', 'action ms', 'over ms'],
  },
  promote: {
    title: 'Promote (manifest copy) against docker pull, tag and push of the same image',
    header: ['way', 'median s', 'runs'],
  },
  bumps: {
    title: 'gitops-bump: concurrent runs on one values file over smart HTTP',
    header: ['runs', 'landed', 'attempts p50', 'attempts max', 'wall s'],
  },
  matrix: {
    title: 'build-matrix: the whole action from a depth-1 clone',
    header: ['services', 'changed files', 'selected', 'action s', 'selection (straightforward) s'],
  },
  options: { title: 'Each option end to end (from its e2e run)', header: ['option', 'push-to-healthy s', 'rollback s'] },
} as const;

export function record(section: keyof typeof SECTIONS, row: (string | number)[]): void {
  if (process.env.DEPLOY_ACTIONS_BENCH !== '1') return;
  appendFileSync(RESULTS_FILE, `${JSON.stringify({ section, row: row.map(String) })}\n`);
}
