import * as core from '@actions/core';
import { describeBody, httpRequestWithRetry } from '../../packages/shared/http.js';
import { displayUrl } from '../../packages/shared/inputs.js';
import type { RetryHooks } from '../../packages/shared/retry.js';
import type { TriggerConfig } from './config.js';
import type { ModeResult } from './mode-result.js';
import { echoToolLine } from '../../packages/shared/tool-output.js';

/** What one update did, from either shape of the fork's answer (see `readUpdateSummary`). */
export interface UpdateSummary {
  status?: string;
  scanned?: number;
  updated?: number;
  failed?: number;
  restarted?: number;
  durationMs?: number;
  reason?: string;
}

const count = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/**
 * The maintained fork (nicholas-fedor/watchtower, pkg/api/update/update.go) answers
 * `{"summary":{"scanned","updated","failed","restarted"},"timing":{"duration_ms","duration"},
 * "timestamp","api_version":"v1"}`; its older releases answered a flat
 * `{"status","scanned","updated","failed"}`, and the original Watchtower an empty body.
 * All three are read; anything else is no summary.
 */
export function readUpdateSummary(body: string): UpdateSummary | undefined {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (document === null || typeof document !== 'object') return undefined;
  const root = document as Record<string, unknown>;
  const nested =
    root.summary !== null && typeof root.summary === 'object' ? (root.summary as Record<string, unknown>) : undefined;
  const source = nested ?? root;
  const timing = root.timing !== null && typeof root.timing === 'object' ? (root.timing as Record<string, unknown>) : {};
  const summary: UpdateSummary = {
    status: typeof root.status === 'string' ? root.status : nested ? 'completed' : undefined,
    scanned: count(source.scanned),
    updated: count(source.updated),
    failed: count(source.failed),
    restarted: count(source.restarted),
    durationMs: count(timing.duration_ms),
    reason: typeof root.reason === 'string' ? root.reason : undefined,
  };
  return summary.scanned === undefined && summary.updated === undefined && summary.failed === undefined ? undefined : summary;
}

export interface TriggerResult {
  status: number;
  summary: UpdateSummary | undefined;
  attempts: number;
}

export function triggerUrl(config: TriggerConfig): URL {
  const url = new URL(config.url.href);
  if (config.images.length > 0) url.searchParams.set('image', config.images.join(','));
  return url;
}

/**
 * POST /v1/update. The call is synchronous (it returns when the update is done), so one
 * request may take minutes. The current fork queues a request behind a running update on
 * its lock, so the wait is part of the request's own timeout; older releases answered 429,
 * which is retried after its Retry-After, all within trigger-timeout.
 */
export async function triggerUpdate(config: TriggerConfig, hooks: RetryHooks = {}): Promise<TriggerResult> {
  let attempts = 0;
  const response = await httpRequestWithRetry(
    {
      url: triggerUrl(config),
      method: 'POST',
      headers: { authorization: `Bearer ${config.token}` },
      timeoutMs: config.timeoutMs,
    },
    {
      policy: {
        attempts: 8,
        baseDelayMs: 2000,
        maxDelayMs: 30_000,
        maxRetryAfterMs: config.timeoutMs,
        budgetMs: config.timeoutMs,
      },
      hooks: {
        ...hooks,
        onRetry: (info) => {
          attempts = info.attempt;
          hooks.onRetry?.(info);
        },
      },
    },
  );
  if (response.status === 401 || response.status === 403)
    throw new Error(`Watchtower refused the token (HTTP ${response.status}): check http-api-token`);
  if (response.status >= 300) throw new Error(`Watchtower answered HTTP ${response.status} with ${describeBody(response)}`);
  return { status: response.status, summary: readUpdateSummary(response.body.toString('utf8')), attempts: attempts + 1 };
}

/** trigger mode: one update through the HTTP API, reported from Watchtower's JSON summary. */
export async function runTrigger(config: TriggerConfig, dryRun: boolean): Promise<ModeResult> {
  // Shown without any user name or password the URL may carry.
  const url = displayUrl(triggerUrl(config));
  if (dryRun) return { lines: [`would POST ${url} with the API token`], outputs: {} };
  core.info(`POST ${url} (waits up to ${Math.round(config.timeoutMs / 1000)} s for the update to finish)`);
  const result = await triggerUpdate(config, {
    onRetry: ({ attempt, delayMs, why }) => {
      core.info(`attempt ${attempt}: ${why}; retrying in ${delayMs} ms`);
    },
  });
  const summary = result.summary;
  const line = summary
    ? `Watchtower ${summary.status ?? 'answered'}: scanned ${summary.scanned ?? '?'}, updated ${summary.updated ?? '?'}, failed ${summary.failed ?? '?'}` +
      (summary.restarted === undefined ? '' : `, restarted ${summary.restarted}`) +
      (summary.durationMs === undefined ? '' : ` in ${summary.durationMs} ms`)
    : `Watchtower answered HTTP ${result.status}`;
  // Watchtower's answer is the VM's text: inert, so a status with a line break issues nothing.
  echoToolLine(line);
  if ((summary?.failed ?? 0) > 0) throw new Error(`${line}: see the Watchtower logs on the VM`);
  return {
    lines: [`POST ${url}: HTTP ${result.status} after ${result.attempts} attempt(s)`, line],
    outputs: {
      'trigger-status': String(result.status),
      updated: summary?.updated === undefined ? '' : String(summary.updated),
    },
  };
}
