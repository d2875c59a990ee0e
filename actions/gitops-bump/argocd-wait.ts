import { describeBody, httpRequest, type HttpResponse, TransportError } from '../../packages/shared/http.js';
import { isTransientStatus, parseRetryAfter, sleep } from '../../packages/shared/retry.js';
import { errorMessage } from '../../packages/shared/errors.js';
import { excerpt } from '../../packages/shared/secrets.js';
import { formatDuration } from '../../packages/shared/duration.js';
import { type ArgoApplication, judge, operatedRevisions, syncedRevisions } from './argocd-status.js';

/** Where to look, with what, and for how long (gitops-bump's `wait-for-sync` inputs). */
export interface SyncWaitConfig {
  /** Argo CD's API server: https, or http on 127.0.0.1 (the token goes with every request). */
  server: URL;
  app: string;
  /** The namespace of an Application outside Argo CD's own (apps in any namespace), or undefined. */
  appNamespace: string | undefined;
  token: string;
  timeoutMs: number;
  /** Between two looks; at least 1 s, jittered. */
  intervalMs: number;
}

export interface SyncResult {
  revision: string;
  seconds: number;
}

export interface SyncWaitHooks {
  /** Whether `revision` holds `commit` (it, or a descendant): a look at the GitOps clone. */
  includes: (revision: string) => Promise<boolean>;
  log: (line: string) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const MIN_INTERVAL_MS = 1000;
/** One request's limit; the refresh holds its answer until the controller has looked. */
const REQUEST_LIMIT_MS = 60_000;

/**
 * Waits until Argo CD reports the Application Synced at `commit` (or at a later commit that
 * holds it) and Healthy. A refresh is asked for once, so Argo CD looks at the repository now
 * rather than at its next poll (three minutes by default). A failed sync, a target Argo CD
 * cannot render, or a Degraded app ends the wait at once with Argo CD's message; so does a
 * refused token. Transient faults (5xx, 429, resets) are looked past until the deadline.
 */
export async function waitForSync(config: SyncWaitConfig, commit: string, hooks: SyncWaitHooks): Promise<SyncResult> {
  const now = hooks.now ?? Date.now;
  const pause = hooks.sleep ?? sleep;
  const random = hooks.random ?? Math.random;
  const started = now();
  const elapsed = () => `${((now() - started) / 1000).toFixed(1)} s`;
  const deadline = started + config.timeoutMs;
  const known = new Map<string, boolean>([[commit, true]]);
  let last = 'no answer yet';
  /** The reconciledAt of the first status seen: a later one was reconciled after the push. */
  let firstReconciled: string | undefined | null = null;
  let fresh = false;
  let refreshed = false;

  for (;;) {
    const left = deadline - now();
    if (left <= 0) break;
    // The first look asks for the refresh; its answer comes after the controller reconciled.
    const refresh = !refreshed;
    const response = await fetchApp(config, refresh, Math.max(MIN_INTERVAL_MS, Math.min(left, REQUEST_LIMIT_MS))).catch(
      (error: unknown) => error as Error,
    );
    let retryAfterMs: number | undefined;
    if (response instanceof Error) {
      last = `no answer (${errorMessage(response)})`;
      if (!(response instanceof TransportError)) throw response;
      // A refresh that timed out reached the server: it is not asked for again.
      if (refresh && response.code === 'ETIMEDOUT') refreshed = true;
    } else if (response.status === 200) {
      if (refresh) hooks.log(`Argo CD: ${config.app} refreshed (${elapsed()})`);
      refreshed = true;
      const app = parseApp(response);
      const reconciled = app.status?.reconciledAt;
      if (firstReconciled === null) firstReconciled = reconciled;
      fresh ||= refresh || reconciled !== firstReconciled;
      for (const revision of revisionsOf(app)) {
        // A failed look (a fetch that timed out) is not an answer: asked again at the next read.
        const holds = known.has(revision) ? undefined : await hooks.includes(revision).catch(() => undefined);
        if (holds !== undefined) known.set(revision, holds);
      }
      const verdict = judge(app, (revision) => known.get(revision) === true, fresh);
      if (verdict.state === 'healthy') return { revision: verdict.revision, seconds: Math.round((now() - started) / 1000) };
      if (verdict.state === 'failed')
        throw new Error(`Argo CD: ${config.app} failed at ${commit.slice(0, 12)}: ${excerpt(verdict.message, 600)}`);
      // Each change of state once, with the time since the push: where the wait's time went.
      if (verdict.why !== last) hooks.log(`Argo CD: ${config.app} ${verdict.why} (${elapsed()})`);
      last = verdict.why;
    } else if (isTransientStatus(response.status)) {
      last = `HTTP ${response.status}`;
      retryAfterMs = parseRetryAfter(response.headers['retry-after']);
    } else {
      throw new Error(refusal(config, response));
    }
    const step = Math.max(MIN_INTERVAL_MS, retryAfterMs ?? config.intervalMs * (0.8 + random() * 0.4));
    const rest = deadline - now();
    if (rest <= 0) break;
    await pause(Math.min(step, Math.max(MIN_INTERVAL_MS, rest)));
  }
  throw new Error(
    `Argo CD: ${config.app} was not Synced at ${commit.slice(0, 12)} and Healthy within ${formatDuration(config.timeoutMs)} (last: ${excerpt(last, 300)})`,
  );
}

function fetchApp(config: SyncWaitConfig, refresh: boolean, timeoutMs: number): Promise<HttpResponse> {
  const url = new URL(`api/v1/applications/${encodeURIComponent(config.app)}`, withSlash(config.server));
  if (config.appNamespace !== undefined) url.searchParams.set('appNamespace', config.appNamespace);
  if (refresh) url.searchParams.set('refresh', 'normal');
  return httpRequest({
    url,
    headers: { authorization: `Bearer ${config.token}`, accept: 'application/json' },
    timeoutMs,
    maxBodyBytes: 8 * 1024 * 1024,
  });
}

/** The server URL as a base: Argo CD may be served under a path (`--rootpath`). */
function withSlash(server: URL): URL {
  return new URL(server.href.endsWith('/') ? server.href : `${server.href}/`);
}

function parseApp(response: HttpResponse): ArgoApplication {
  try {
    return JSON.parse(response.body.toString('utf8')) as ArgoApplication;
  } catch {
    throw new Error(`Argo CD answered 200 with no Application: ${describeBody(response)}`);
  }
}

/** Every commit the status names (what is synced, what an operation ran): the ones to look up in git. */
function revisionsOf(app: ArgoApplication): string[] {
  return [...syncedRevisions(app), ...operatedRevisions(app)].filter((revision) => /^[0-9a-f]{40,64}$/.test(revision));
}

/** A refusal in Argo CD's words (its gRPC gateway's `message`), with what the token needs. */
function refusal(config: SyncWaitConfig, response: HttpResponse): string {
  let said = describeBody(response);
  try {
    const body = JSON.parse(response.body.toString('utf8')) as { message?: unknown };
    if (typeof body.message === 'string') said = excerpt(body.message, 300);
  } catch {
    // not JSON: the excerpt stands
  }
  const hint =
    response.status === 401 || response.status === 403 || response.status === 404
      ? `: argocd-token must be a token whose role may get applications ${config.appNamespace ?? '<project>'}/${config.app}`
      : '';
  return `Argo CD refused to show ${config.app} (HTTP ${response.status}: ${said})${hint}`;
}
