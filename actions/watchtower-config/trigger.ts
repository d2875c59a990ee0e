import { httpRequestWithRetry } from '../../packages/shared/http.js';
import type { RetryHooks } from '../../packages/shared/retry.js';
import type { TriggerConfig } from './config.js';

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
  if (response.status >= 300)
    throw new Error(`Watchtower answered HTTP ${response.status}: ${response.body.toString('utf8').slice(0, 200)}`);
  let summary: UpdateSummary | undefined;
  try {
    summary = JSON.parse(response.body.toString('utf8')) as UpdateSummary;
  } catch {
    summary = undefined; // older Watchtower answers 200 with an empty body
  }
  return { status: response.status, summary, attempts: attempts + 1 };
}
