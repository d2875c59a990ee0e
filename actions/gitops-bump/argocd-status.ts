/**
 * What an Argo CD Application's status says about one GitOps commit: still on its way,
 * synced and healthy, or failed with Argo CD's own words. Only the fields read here are
 * typed (argoproj.io/v1alpha1 Application, as `GET /api/v1/applications/{name}` returns it).
 */
export interface ArgoApplication {
  status?: {
    reconciledAt?: string;
    sync?: { status?: string; revision?: string; revisions?: string[] };
    health?: { status?: string; message?: string };
    conditions?: { type?: string; message?: string }[];
    resources?: { kind?: string; name?: string; health?: { status?: string; message?: string } }[];
    operationState?: {
      phase?: string;
      message?: string;
      operation?: { sync?: { revision?: string; revisions?: string[] } };
      syncResult?: {
        revision?: string;
        revisions?: string[];
        resources?: { kind?: string; name?: string; status?: string; message?: string }[];
      };
    };
  };
}

export type Verdict =
  { state: 'waiting'; why: string } | { state: 'healthy'; revision: string } | { state: 'failed'; message: string };

/** Whether a revision Argo CD reports holds the commit waited for: it, or a later commit on top of it. */
export type Includes = (revision: string) => boolean;

/** Conditions that mean Argo CD cannot render or apply the target: waiting longer changes nothing. */
const BLOCKING_CONDITIONS = new Set(['ComparisonError', 'InvalidSpecError', 'SyncError']);

/**
 * The verdict on one status. `fresh` says the status was reconciled after the commit was
 * pushed (the refresh answered, or `reconciledAt` moved): only then is an error about the
 * target this commit's, rather than what Argo CD last saw before it.
 */
export function judge(app: ArgoApplication, includes: Includes, fresh: boolean): Verdict {
  const status = app.status ?? {};
  const sync = status.sync ?? {};
  const revisions = syncedRevisions(app);
  const operation = status.operationState;
  const operated = operatedRevisions(app);

  // A sync of this commit (or of a later one holding it) that Argo CD gave up on.
  if ((operation?.phase === 'Failed' || operation?.phase === 'Error') && operated.some(includes)) {
    const failedResources = (operation.syncResult?.resources ?? [])
      .filter((resource) => resource.status === 'SyncFailed' && resource.message)
      .map((resource) => `${resource.kind ?? ''}/${resource.name ?? ''}: ${resource.message ?? ''}`);
    return { state: 'failed', message: [`sync ${operation.phase}: ${operation.message ?? ''}`, ...failedResources].join('; ') };
  }
  const blocking = (status.conditions ?? []).find((condition) => BLOCKING_CONDITIONS.has(condition.type ?? ''));
  if (fresh && blocking && (sync.status === 'Unknown' || revisions.length === 0 || revisions.some(includes))) {
    return { state: 'failed', message: `${blocking.type ?? ''}: ${blocking.message ?? ''}` };
  }
  const at = revisions.map((revision) => revision.slice(0, 12)).join(', ') || 'no revision';
  const health = status.health?.status ?? 'Unknown';
  if (sync.status !== 'Synced' || !revisions.some(includes)) {
    const running = operation?.phase === 'Running' ? ', a sync running' : '';
    return { state: 'waiting', why: `${sync.status ?? 'Unknown'} at ${at}${running}, ${health}` };
  }
  if (health === 'Healthy') return { state: 'healthy', revision: revisions.find(includes) ?? '' };
  if (health === 'Degraded') return { state: 'failed', message: `Degraded: ${degradedWhy(app)}` };
  return { state: 'waiting', why: `Synced at ${at}, ${health}` };
}

/** What the app is synced at: one revision per source (multi-source apps), or the one. */
export function syncedRevisions(app: ArgoApplication): string[] {
  const sync = app.status?.sync ?? {};
  return sync.revisions ?? (sync.revision ? [sync.revision] : []);
}

/** What the last operation synced, or is syncing: its result's revisions and its request's. */
export function operatedRevisions(app: ArgoApplication): string[] {
  const operation = app.status?.operationState;
  return [
    ...(operation?.syncResult?.revisions ?? []),
    ...(operation?.operation?.sync?.revisions ?? []),
    operation?.syncResult?.revision ?? '',
    operation?.operation?.sync?.revision ?? '',
  ].filter(Boolean);
}

/** Argo CD's own reason for a Degraded app: the app's message, else its resources'. */
function degradedWhy(app: ArgoApplication): string {
  const status = app.status ?? {};
  const resources = (status.resources ?? [])
    .filter((resource) => resource.health?.status === 'Degraded')
    .map((resource) => `${resource.kind ?? ''}/${resource.name ?? ''}: ${resource.health?.message ?? 'Degraded'}`);
  return [status.health?.message, ...resources].filter(Boolean).join('; ') || 'no message';
}
