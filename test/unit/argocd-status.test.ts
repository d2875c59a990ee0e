// What gitops-bump's wait makes of an Argo CD Application's status (argocd-status.ts). The
// statuses are shaped as Argo CD v3.6's controller writes them (controller/state.go,
// controller/sync.go); the e2e of Option A reads the real ones.
import { describe, expect, it } from 'vitest';
import { type ArgoApplication, judge } from '../../actions/gitops-bump/argocd-status.js';

const OURS = 'a'.repeat(40);
const LATER = 'b'.repeat(40);
const BEFORE = 'c'.repeat(40);
/** OURS, and LATER (a commit on top of it), hold the commit waited for; BEFORE does not. */
const includes = (revision: string) => revision === OURS || revision === LATER;

const app = (status: NonNullable<ArgoApplication['status']>): ArgoApplication => ({ status });

describe('judge', () => {
  it('is done only when Synced at the commit (or a later one holding it) and Healthy', () => {
    expect(judge(app({ sync: { status: 'Synced', revision: OURS }, health: { status: 'Healthy' } }), includes, true)).toEqual({
      state: 'healthy',
      revision: OURS,
    });
    expect(judge(app({ sync: { status: 'Synced', revision: LATER }, health: { status: 'Healthy' } }), includes, false)).toEqual({
      state: 'healthy',
      revision: LATER,
    });
    // Multi-source apps report one revision per source.
    expect(
      judge(app({ sync: { status: 'Synced', revisions: [BEFORE, OURS] }, health: { status: 'Healthy' } }), includes, true).state,
    ).toBe('healthy');
  });

  it('waits while the old commit is synced, a sync runs, or the rollout progresses', () => {
    expect(judge(app({ sync: { status: 'Synced', revision: BEFORE }, health: { status: 'Healthy' } }), includes, true)).toEqual({
      state: 'waiting',
      why: `Synced at ${BEFORE.slice(0, 12)}, Healthy`,
    });
    expect(
      judge(
        app({
          sync: { status: 'OutOfSync', revision: OURS },
          health: { status: 'Healthy' },
          operationState: { phase: 'Running' },
        }),
        includes,
        true,
      ),
    ).toEqual({ state: 'waiting', why: `OutOfSync at ${OURS.slice(0, 12)}, a sync running, Healthy` });
    expect(
      judge(app({ sync: { status: 'Synced', revision: OURS }, health: { status: 'Progressing' } }), includes, true).state,
    ).toBe('waiting');
    expect(judge({}, includes, true)).toEqual({ state: 'waiting', why: 'Unknown at no revision, Unknown' });
  });

  it("fails at once on a failed sync of this commit, in Argo CD's words", () => {
    const failed = app({
      sync: { status: 'OutOfSync', revision: OURS },
      operationState: {
        phase: 'Failed',
        message: 'one or more objects failed to apply',
        syncResult: {
          revision: OURS,
          resources: [
            { kind: 'Deployment', name: 'web', status: 'SyncFailed', message: 'admission webhook denied' },
            { kind: 'Service', name: 'web', status: 'Synced', message: 'service/web configured' },
          ],
        },
      },
    });
    expect(judge(failed, includes, false)).toEqual({
      state: 'failed',
      message: 'sync Failed: one or more objects failed to apply; Deployment/web: admission webhook denied',
    });
    // The failed sync of an older commit is not this commit's: the wait goes on.
    const older = structuredClone(failed);
    if (older.status?.operationState?.syncResult) older.status.operationState.syncResult.revision = BEFORE;
    expect(judge(older, includes, false).state).toBe('waiting');
  });

  it('fails on a target Argo CD cannot render, once the status is newer than the push', () => {
    const broken = app({
      sync: { status: 'Unknown' },
      health: { status: 'Healthy' },
      conditions: [{ type: 'ComparisonError', message: 'Failed to load target state: helm template . failed: parse error' }],
    });
    expect(judge(broken, includes, true)).toEqual({
      state: 'failed',
      message: 'ComparisonError: Failed to load target state: helm template . failed: parse error',
    });
    // The same status read before Argo CD looked at the push is about what was there before.
    expect(judge(broken, includes, false).state).toBe('waiting');
    // A warning condition is not an error.
    const warned = app({
      sync: { status: 'Synced', revision: OURS },
      health: { status: 'Healthy' },
      conditions: [{ type: 'SharedResourceWarning', message: 'shared' }],
    });
    expect(judge(warned, includes, true).state).toBe('healthy');
  });

  it("fails on a Degraded app at the commit, with the resources' messages", () => {
    const degraded = app({
      sync: { status: 'Synced', revision: OURS },
      health: { status: 'Degraded' },
      resources: [
        {
          kind: 'Deployment',
          name: 'web',
          health: { status: 'Degraded', message: 'Deployment "web" exceeded its progress deadline' },
        },
        { kind: 'Service', name: 'web', health: { status: 'Healthy' } },
      ],
    });
    expect(judge(degraded, includes, true)).toEqual({
      state: 'failed',
      message: 'Degraded: Deployment/web: Deployment "web" exceeded its progress deadline',
    });
    // Degraded at an older commit: the rollout of this one has not begun.
    const before = structuredClone(degraded);
    if (before.status?.sync) before.status.sync.revision = BEFORE;
    expect(judge(before, includes, true).state).toBe('waiting');
  });
});
