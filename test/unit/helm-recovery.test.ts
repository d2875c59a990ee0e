// helm-deploy's reading of a release's state (issue 24), with a scripted Helm: a pending
// revision young enough to be a live run is never rolled back, a cluster Helm cannot reach
// is a failure (not "no release"), and `previous` never picks what already runs.
import { describe, expect, it } from 'vitest';
import type { HelmCli } from '../../actions/helm-deploy/helm-cli.js';
import { clearPending } from '../../actions/helm-deploy/recover.js';
import { previousDifferent, readHistory } from '../../actions/helm-deploy/release-state.js';

interface Call {
  subcommand: string[];
  flags: string[];
}

/** A HelmCli whose `run` answers from `answer`, recording each call. */
function scripted(answer: (call: Call) => { code: number; stdout?: string; stderr?: string }) {
  const calls: Call[] = [];
  const run = (subcommand: string[], flags: string[]) => {
    calls.push({ subcommand, flags });
    const { code, stdout = '', stderr = '' } = answer({ subcommand, flags });
    return Promise.resolve({ code, stdout, stderr });
  };
  const helm = {
    major: 4,
    run,
    checked: async (subcommand: string[], flags: string[]) => {
      const result = await run(subcommand, flags);
      if (result.code !== 0) throw new Error(result.stderr);
      return result;
    },
    cancelled: () => false,
  } as unknown as HelmCli;
  return { helm, calls };
}

const entry = (revision: number, status: string, updated: string, description = '') => ({
  revision,
  updated,
  status,
  chart: 'app-1.0.0',
  app_version: '1',
  description,
});

describe('pending revisions', () => {
  it('waits for one younger than the grace, and fails when the wait ends: it never rolls it back', async () => {
    let clock = Date.parse('2026-12-04T10:00:00Z');
    const history = [entry(1, 'deployed', '2026-12-04T09:00:00Z'), entry(2, 'pending-upgrade', '2026-12-04T09:57:00Z')];
    const { helm, calls } = scripted(({ subcommand }) =>
      subcommand[0] === 'history' ? { code: 0, stdout: JSON.stringify(history) } : { code: 0 },
    );
    const options = {
      release: 'app',
      policy: 'recover' as const,
      graceMs: 360_000,
      timeoutMs: 300_000,
      historyMax: 10,
      dryRun: false,
    };
    // 180 s old, another run waiting on it; the clock runs past the grace while this one waits.
    await expect(
      clearPending(helm, {
        ...options,
        pollMs: 1,
        now: () => (clock += 60_000),
      }),
    ).rejects.toThrow(/still pending after waiting 5m.*so it was not rolled back/);
    expect(calls.filter((call) => call.subcommand[0] !== 'history')).toEqual([]);
  });

  it('rolls back one already older than the grace at the first look', async () => {
    const history = [entry(1, 'deployed', '2026-12-04T08:00:00Z'), entry(2, 'pending-upgrade', '2026-12-04T08:30:00Z')];
    const { helm, calls } = scripted(({ subcommand }) =>
      subcommand[0] === 'history' ? { code: 0, stdout: JSON.stringify(history) } : { code: 0 },
    );
    const outcome = await clearPending(helm, {
      release: 'app',
      policy: 'recover',
      graceMs: 360_000,
      timeoutMs: 300_000,
      historyMax: 10,
      dryRun: false,
      now: () => Date.parse('2026-12-04T10:00:00Z'),
    });
    expect(outcome.recovered).toBe('rolled-back');
    expect(calls.map((call) => call.subcommand[0])).toContain('rollback');
  });
});

describe("a release's history", () => {
  it('is empty only on Helm\'s own "release: not found"', async () => {
    const missing = scripted(() => ({ code: 1, stderr: 'Error: release: not found\n' }));
    expect(await readHistory(missing.helm, 'app')).toEqual([]);
  });

  it.each([
    'Error: Kubernetes cluster unreachable: Get "https://aks.example/version": dial tcp: lookup aks.example: no such host',
    'Error: kubeconfig: open /home/runner/.kube/config: not found',
    'Error: exec plugin: invalid apiVersion; the credential helper was not found',
  ])("is a failure, with Helm's line, when %s", async (stderr) => {
    const broken = scripted(() => ({ code: 1, stderr: `${stderr}\n` }));
    await expect(readHistory(broken.helm, 'app')).rejects.toThrow();
  });
});

describe('revision: previous', () => {
  it('skips the revision that runs again after "Rollback to 5", and the failed one', async () => {
    const history = [
      entry(4, 'superseded', '2026-12-04T09:00:00Z'),
      entry(5, 'superseded', '2026-12-04T09:10:00Z'),
      entry(6, 'failed', '2026-12-04T09:20:00Z'),
      entry(7, 'deployed', '2026-12-04T09:30:00Z', 'Rollback to 5'),
    ];
    const values: Record<string, string> = { '4': '{"tag":"a"}', '5': '{"tag":"b"}', '7': '{"tag":"b"}' };
    const { helm } = scripted(({ flags }) => ({ code: 0, stdout: values[flags[1] ?? ''] ?? 'null' }));
    expect((await previousDifferent(helm, 'app', history))?.revision).toBe(4);
  });

  it('finds none when every good revision before runs the same', async () => {
    const history = [entry(1, 'superseded', '2026-12-04T09:00:00Z'), entry(2, 'deployed', '2026-12-04T09:10:00Z')];
    const { helm } = scripted(() => ({ code: 0, stdout: '{"tag":"a"}' }));
    expect(await previousDifferent(helm, 'app', history)).toBeUndefined();
  });
});

describe('set lines', () => {
  it('reach Helm as one key each: commas and backslashes in the value are escaped', async () => {
    const { literalValue } = await import('../../actions/helm-deploy/flags.js');
    expect(literalValue('a=b,c.d=e')).toBe('a=b\\,c.d=e');
    expect(literalValue('x=y\\')).toBe('x=y\\\\');
    expect(literalValue('replicas=3')).toBe('replicas=3');
  });
});

describe("a tool's lines in the log", () => {
  it('cannot issue workflow commands', async () => {
    const { inertLine } = await import('../../packages/shared/tool-output.js');
    for (const line of ['::add-mask::x', '  ::stop-commands::t', '##[set-output name=a;]b', '::warning file=x::y']) {
      const inert = inertLine(line);
      expect(inert.trimStart().startsWith('::') || inert.trimStart().startsWith('##[')).toBe(false);
      expect(inert.replace('\u200b', '')).toBe(line);
    }
    expect(inertLine('Error: UPGRADE FAILED: a::b')).toBe('Error: UPGRADE FAILED: a::b');
    // A value with a line break (a remote's JSON string, a gate's reason) starts no command either.
    const text = inertLine('status ok\n::add-mask::x\r::set-output name=a::b\n  ##[error]c');
    for (const line of text.split(/[\r\n]/)) expect(/^\s*(::|##\[)/.test(line)).toBe(false);
    expect(text.replaceAll('\u200b', '')).toBe('status ok\n::add-mask::x\r::set-output name=a::b\n  ##[error]c');
  });
});
