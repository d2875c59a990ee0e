import * as core from '@actions/core';
import { describeBody, httpRequestWithRetry } from '../../packages/shared/http.js';
import { displayUrl } from '../../packages/shared/inputs.js';
import type { RetryHooks } from '../../packages/shared/retry.js';
import type { TriggerConfig } from './config.js';
import type { ModeResult } from './mode-result.js';

/** The fork's answer: `{"status":"completed","scanned":12,"updated":2,"failed":0}`. */
export interface UpdateSummary {
  status?: string;
  scanned?: number;
  updated?: number;
  failed?: number;
  reason?: string;
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
 * request may take minutes; a 429 means another update is running and is retried after
 * its Retry-After, all within trigger-timeout.
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
  let summary: UpdateSummary | undefined;
  try {
    summary = JSON.parse(response.body.toString('utf8')) as UpdateSummary;
  } catch {
    summary = undefined; // older Watchtower answers 200 with an empty body
  }
  return { status: response.status, summary, attempts: attempts + 1 };
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
    ? `Watchtower ${summary.status ?? 'answered'}: scanned ${summary.scanned ?? '?'}, updated ${summary.updated ?? '?'}, failed ${summary.failed ?? '?'}`
    : `Watchtower answered HTTP ${result.status}`;
  core.info(line);
  if ((summary?.failed ?? 0) > 0) throw new Error(`${line}: see the Watchtower logs on the VM`);
  return {
    lines: [`POST ${url}: HTTP ${result.status} after ${result.attempts} attempt(s)`, line],
    outputs: {
      'trigger-status': String(result.status),
      updated: summary?.updated === undefined ? '' : String(summary.updated),
    },
  };
}
