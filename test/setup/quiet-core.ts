// In-process tests call library code that talks to the runner through @actions/core
// (`::add-mask::`, `::debug::`, `::error::`, ...). Printed into the test log, those lines are
// noise at best and, when a secret is masked, a 2 KB JWT. Here they are recorded instead of
// printed, and a test can read them from `workflowCommands`. Tests that run a bundle as a
// child process are untouched: the child has the real @actions/core.
import { afterEach, vi } from 'vitest';

export interface RecordedCommand {
  command: string;
  args: unknown[];
}

const recorded: RecordedCommand[] = [];
export const workflowCommands: readonly RecordedCommand[] = recorded;

vi.mock('@actions/core', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@actions/core')>();
  const record =
    (command: string) =>
    (...args: unknown[]): void => {
      recorded.push({ command, args });
    };
  return {
    ...actual,
    setSecret: record('add-mask'),
    debug: record('debug'),
    notice: record('notice'),
    warning: record('warning'),
    error: record('error'),
    setFailed: record('error'),
    startGroup: record('group'),
    endGroup: record('endgroup'),
    group: async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      recorded.push({ command: 'group', args: [name] });
      return fn();
    },
    setOutput: record('set-output'),
    saveState: record('save-state'),
    exportVariable: record('set-env'),
    addPath: record('add-path'),
    isDebug: () => false,
  };
});

// Anything else that prints a workflow command in-process fails the test that did it.
const leaked: string[] = [];
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk: string | Uint8Array, ...rest: never[]) => {
  const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  for (const line of text.split('\n')) if (/^::[a-z-]+( [^:]*)?::/.test(line)) leaked.push(line.slice(0, 80));
  return write(chunk, ...rest);
};

afterEach(() => {
  recorded.length = 0;
  if (leaked.length > 0) {
    const lines = leaked.splice(0);
    throw new Error(`in-process code printed workflow commands into the test log: ${lines.join(' | ')}`);
  }
});
